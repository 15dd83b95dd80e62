import AsyncHTTPClient
// Not Foundation: its FileHandle would pull full Foundation into every bot binary, which the Lambda
// bootstrap cannot carry (Benchmarks/lambda-binary-check.sh).
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
import NIOCore
public import TelegramBotAPI

/// Downloads of the files `getFile` points at, streamed and capped, the token kept out of every error.
extension TelegramClient: BotFileDownloading {
    /// The longest a download may take: files are larger than API answers, so at least two minutes.
    var downloadTimeout: Duration { max(configuration.timeout, .seconds(120)) }

    public func downloadFile(atPath filePath: String, maxBytes: Int) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        _ = try await streamFile(filePath, maxBytes: maxBytes) { bytes.append(contentsOf: $0.readableBytesView) }
        return bytes
    }

    public func downloadFile(atPath filePath: String, to destination: String, maxBytes: Int) async throws -> Int {
        // Written beside the destination and moved over it once complete: a failed download leaves no half file.
        let partial = destination + ".part"
        let descriptor = Glibc.open(partial, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw TelegramClientError.upload(method: Self.downloadMethod, description: "cannot create \(partial)")
        }
        var isOpen = true
        do {
            let size = try await streamFile(filePath, maxBytes: maxBytes) { try Self.write(Array($0.readableBytesView), to: descriptor, path: partial) }
            isOpen = false
            guard Glibc.close(descriptor) == 0 else {
                throw TelegramClientError.upload(method: Self.downloadMethod, description: "cannot write \(partial)")
            }
            if FileManager.default.fileExists(atPath: destination) { try FileManager.default.removeItem(atPath: destination) }
            try FileManager.default.moveItem(atPath: partial, toPath: destination)
            return size
        } catch {
            if isOpen { _ = Glibc.close(descriptor) }
            try? FileManager.default.removeItem(atPath: partial)
            throw error
        }
    }

    /// Writes all of `bytes`, as many `write` calls as the kernel needs.
    private static func write(_ bytes: [UInt8], to descriptor: Int32, path: String) throws {
        try bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0, errno == EINTR { continue }
                guard written > 0 else {
                    throw TelegramClientError.upload(method: downloadMethod, description: "cannot write \(path)")
                }
                offset += written
            }
        }
    }

    /// What errors name as the failed call.
    static let downloadMethod = "file download"

    /// GETs the file, handing each chunk to `chunk` as it arrives; stops with ``FileDownloadError/tooLarge(maximum:)``
    /// past `maxBytes` (at once when the announced length is over it).
    private func streamFile(_ filePath: String, maxBytes: Int, chunk: (ByteBuffer) throws -> Void) async throws -> Int {
        var request = HTTPClientRequest(url: "\(configuration.baseURL)/file/bot\(token.value)/\(filePath)")
        request.method = .GET
        do {
            // AsyncHTTPClient gets no logger: its request logs carry the URL, and the URL carries the token.
            let response = try await httpClient.execute(request, timeout: TimeAmount(downloadTimeout))
            let status = Int(response.status.code)
            guard status == 200 else {
                let body = try await response.body.collect(upTo: 4096)
                throw TelegramClientError.invalidResponse(
                    method: Self.downloadMethod, status: status, description: token.redactedExcerpt(of: body.readableBytesView, limit: 200)
                )
            }
            if let length = response.headers.first(name: "Content-Length").flatMap(Int.init), length > maxBytes {
                throw FileDownloadError.tooLarge(maximum: maxBytes)
            }
            var total = 0
            for try await buffer in response.body {
                total += buffer.readableBytes
                guard total <= maxBytes else { throw FileDownloadError.tooLarge(maximum: maxBytes) }
                try chunk(buffer)
            }
            return total
        } catch let error as FileDownloadError {
            throw error
        } catch {
            throw translate(error, method: Self.downloadMethod)
        }
    }
}
