public import TelegramBotAPI

/// Downloading the files users send: `try await ctx.downloadFile(id: sizes.last!.fileID)`.
extension Context {
    /// The Bot API's limit for files a bot downloads: 20 MB.
    public static let maximumDownloadSize = 20 * 1024 * 1024

    /// The file `fileID` names, in memory: `getFile`, then the file itself, refused past `maxBytes` (before it
    /// is fetched when Telegram says its size, else as soon as the download passes it).
    public func downloadFile(id fileID: String, maxBytes: Int = Context.maximumDownloadSize) async throws -> [UInt8] {
        let (downloader, path) = try await locateFile(fileID, maxBytes: maxBytes)
        return try await downloader.downloadFile(atPath: path, maxBytes: maxBytes)
    }

    /// The file `fileID` names, streamed to `destination` (replaced only once complete); returns its size in bytes.
    @discardableResult
    public func downloadFile(id fileID: String, to destination: String, maxBytes: Int = Context.maximumDownloadSize) async throws -> Int {
        let (downloader, path) = try await locateFile(fileID, maxBytes: maxBytes)
        return try await downloader.downloadFile(atPath: path, to: destination, maxBytes: maxBytes)
    }

    private func locateFile(_ fileID: String, maxBytes: Int) async throws -> (any BotFileDownloading, String) {
        guard let downloader = api as? any BotFileDownloading else {
            throw FileDownloadError.unsupported(api: String(describing: type(of: api)))
        }
        let file = try await api.send(GetFile(fileID: fileID))
        if let size = file.fileSize, size > maxBytes { throw FileDownloadError.tooLarge(maximum: maxBytes) }
        guard let path = file.filePath else { throw FileDownloadError.noPath(fileID: fileID) }
        return (downloader, path)
    }
}
