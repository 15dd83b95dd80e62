#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
public import TelegramBotAPI

/// The simulator is itself a `BotAPI`: a bot can call it in-process, without HTTP and without ``start()``,
/// and gets the same answers and errors as over the wire. For framework tests and benchmarks that
/// measure the bot rather than the transport.
extension BotAPISimulator {
    public func send<Method: TelegramMethod>(_ method: Method) async throws -> Method.Result {
        let request = try BotAPIRequest.encode(method)
        var parameters = RequestParameters(values: try request.parameterValues())
        for (name, upload) in request.uploads {
            let bytes: [UInt8] =
                switch upload.source {
                case .bytes(let bytes): bytes
                case .path(let path): Array(try Data(contentsOf: URL(filePath: path)))
                }
            parameters.uploads[name] = UploadedFile(filename: upload.filename, contentType: upload.contentType, bytes: bytes)
        }
        let answer = await engine.call(Method.name, parameters: parameters)
        return try BotAPIResponse<Method.Result>.decode(answer.body, method: Method.name)
    }
}

/// In process, the simulator hands out the files the bot uploaded as its HTTP face serves them.
extension BotAPISimulator: BotFileDownloading {
    public func downloadFile(atPath filePath: String, maxBytes: Int) async throws -> [UInt8] {
        guard let file = engine.read({ $0.file(atPath: filePath) }) else {
            throw TelegramAPIError(method: "file download", errorCode: 404, description: "Not Found")
        }
        guard file.upload.bytes.count <= maxBytes else { throw FileDownloadError.tooLarge(maximum: maxBytes) }
        return file.upload.bytes
    }

    public func downloadFile(atPath filePath: String, to destination: String, maxBytes: Int) async throws -> Int {
        let bytes = try await downloadFile(atPath: filePath, maxBytes: maxBytes)
        try Data(bytes).write(to: URL(filePath: destination), options: .atomic)
        return bytes.count
    }
}
