import _NIOFileSystem
import TelegramBotAPI

extension MultipartBody {
    /// Opens the file of every upload read from disk, runs `body` with them, and closes them all
    /// when it returns, however it returns.
    ///
    /// The handles are scoped rather than closed by hand because NIO's scoped teardown closes them
    /// even when the task is cancelled; a handle that is never closed would leak its descriptor.
    static func withOpenFiles<Result>(
        for uploads: [(name: String, upload: InputFile.Upload)],
        _ body: ([String: OpenFile]) async throws -> Result
    ) async throws -> Result {
        let paths = uploads.compactMap { name, upload -> (name: String, path: String)? in
            guard case .path(let path) = upload.source else { return nil }
            return (name, path)
        }
        return try await open(paths[...], opened: [:], body)
    }

    private static func open<Result>(
        _ paths: ArraySlice<(name: String, path: String)>,
        opened: [String: OpenFile],
        _ body: ([String: OpenFile]) async throws -> Result
    ) async throws -> Result {
        guard let (name, path) = paths.first else { return try await body(opened) }
        return try await FileSystem.shared.withFileHandle(forReadingAt: FilePath(path)) { handle in
            let info = try await handle.info()
            guard info.type == .regular else { throw NotARegularFile(path: path) }
            var opened = opened
            opened[name] = OpenFile(handle: handle, size: info.size)
            return try await open(paths.dropFirst(), opened: opened, body)
        }
    }

    /// A directory, device or pipe has no size to announce in `Content-Length`.
    struct NotARegularFile: Error, CustomStringConvertible {
        var path: String
        var description: String { "\(path) is not a regular file" }
    }
}
