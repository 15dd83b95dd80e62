/// A Bot API that can also fetch the files `getFile` points at (Telegram serves them at
/// `<base URL>/file/bot<token>/<file_path>`, up to 20 MB for bots): the HTTP client, and the test kit's simulator.
public protocol BotFileDownloading: BotAPI {
    /// The file at `filePath` (`File.filePath`, from `getFile`) in memory; more than `maxBytes` throws
    /// ``FileDownloadError/tooLarge(maximum:)`` as soon as the download passes it.
    func downloadFile(atPath filePath: String, maxBytes: Int) async throws -> [UInt8]

    /// The file at `filePath` written to `destination` (replacing what is there only once it is complete),
    /// streamed, refusing more than `maxBytes`; returns its size in bytes.
    func downloadFile(atPath filePath: String, to destination: String, maxBytes: Int) async throws -> Int
}

public enum FileDownloadError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file is larger than the download allows.
    case tooLarge(maximum: Int)
    /// `getFile` gave no path: the file is too big for bots to download (over 20 MB), or Telegram no longer has it.
    case noPath(fileID: String)
    /// The bot's `BotAPI` cannot download files (a recorder, an adaptor without a downloading client under it).
    case unsupported(api: String)

    public var description: String {
        switch self {
        case .tooLarge(let maximum):
            "the file is larger than the \(maximum) bytes allowed: raise maxBytes (Telegram serves bots files of up to 20 MB)"
        case .noPath(let fileID):
            "getFile gave no path for \(fileID): Telegram lets bots download files of up to 20 MB only, and for about an hour"
        case .unsupported(let api):
            "\(api) cannot download files: give the bot a TelegramClient (or the BotAPISimulator in tests)"
        }
    }
}
