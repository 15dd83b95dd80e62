#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore
import _NIOFileSystem
import TelegramBotAPI

/// A `multipart/form-data` body for a call that uploads files, as the Bot API expects it:
/// one field per parameter and one file part per upload, named as its `attach://` reference.
///
/// Files stay on disk: the body holds open handles and their sizes, which gives the exact
/// `Content-Length` up front, and reads them chunk by chunk as the request is written.
struct MultipartBody: Sendable {
    /// An upload read from disk, opened for the duration of the call.
    struct OpenFile: Sendable {
        var handle: ReadFileHandle
        var size: Int64
    }

    enum Part: Sendable {
        case bytes(ByteBuffer)
        case file(OpenFile)
    }

    let boundary: String
    let parts: [Part]

    var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    var contentLength: Int64 {
        parts.reduce(0) { total, part in
            switch part {
            case .bytes(let buffer): total + Int64(buffer.readableBytes)
            case .file(let file): total + file.size
            }
        }
    }

    /// - Parameter files: the opened file of every upload whose source is a path, by attach name.
    init(
        parameters: [String: JSONValue],
        uploads: [(name: String, upload: InputFile.Upload)],
        files: [String: OpenFile],
        boundary: String = MultipartBody.randomBoundary()
    ) throws {
        self.boundary = boundary
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var writer = Writer()
        for (name, value) in parameters.sorted(by: { $0.key < $1.key }) {
            guard let text = try Self.formText(value, encoder: encoder) else { continue }
            writer.write("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(Self.quoted(name))\"\r\n\r\n")
            writer.write(text)
            writer.write("\r\n")
        }
        for (name, upload) in uploads {
            writer.write(
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(Self.quoted(name))\"; "
                    + "filename=\"\(Self.quoted(upload.filename))\"\r\n"
                    + "Content-Type: \(Self.headerValue(upload.contentType))\r\n\r\n"
            )
            switch upload.source {
            case .bytes(let bytes):
                writer.write(bytes)
            case .path:
                guard let file = files[name] else {
                    preconditionFailure("the file of upload \(name) was not opened")
                }
                writer.append(file)
            }
            writer.write("\r\n")
        }
        writer.write("--\(boundary)--\r\n")
        parts = writer.finish()
    }

    /// The body for one attempt; every attempt reads the files again from their start.
    func stream(chunkSize: Int = 64 * 1024) -> Stream {
        Stream(parts: parts, chunkSize: Int64(chunkSize))
    }

    /// Long enough and random enough that it cannot occur in a file by accident.
    static func randomBoundary() -> String {
        let random = (0..<2).map { _ in String(UInt64.random(in: .min ... .max), radix: 16) }
        return "ferry-boundary-" + random.joined(separator: "-")
    }

    /// Strings go as they are; numbers, booleans, objects and arrays as their JSON text, as Telegram expects.
    private static func formText(_ value: JSONValue, encoder: JSONEncoder) throws -> String? {
        switch value {
        case .null: nil
        case .string(let string): string
        default: String(decoding: try encoder.encode(value), as: UTF8.self)
        }
    }

    /// The escaping browsers apply to names and filenames in form-data (WHATWG HTML, "multipart/form-data encoding"),
    /// so that a filename cannot end its header early or smuggle in another.
    /// Works on scalars because Swift sees "\r\n" as one `Character`, matching neither "\r" nor "\n".
    private static func quoted(_ text: String) -> String {
        var escaped = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": escaped.append(contentsOf: "%22".unicodeScalars)
            case "\r": escaped.append(contentsOf: "%0D".unicodeScalars)
            case "\n": escaped.append(contentsOf: "%0A".unicodeScalars)
            default: escaped.append(scalar)
            }
        }
        return String(escaped)
    }

    private static func headerValue(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.filter { $0 != "\r" && $0 != "\n" }))
    }

    /// Gathers consecutive in-memory bytes into one buffer, so the body is a handful of large writes.
    private struct Writer {
        private var parts: [Part] = []
        private var pending = ByteBuffer()

        mutating func write(_ string: String) { pending.writeString(string) }
        mutating func write(_ bytes: [UInt8]) { pending.writeBytes(bytes) }

        mutating func append(_ file: OpenFile) {
            flush()
            parts.append(.file(file))
        }

        mutating func finish() -> [Part] {
            flush()
            return parts
        }

        private mutating func flush() {
            guard pending.readableBytes > 0 else { return }
            parts.append(.bytes(pending))
            pending = ByteBuffer()
        }
    }
}

extension MultipartBody {
    /// The body's bytes, in order. At most one chunk of a file is in memory at a time, and only
    /// when AsyncHTTPClient asks for more, so a slow upload never buffers the file.
    struct Stream: AsyncSequence, Sendable {
        typealias Element = ByteBuffer

        let parts: [Part]
        let chunkSize: Int64

        func makeAsyncIterator() -> Iterator { Iterator(parts: parts, chunkSize: chunkSize) }

        struct Iterator: AsyncIteratorProtocol {
            let parts: [Part]
            let chunkSize: Int64
            private var index = 0
            private var offset: Int64 = 0

            init(parts: [Part], chunkSize: Int64) {
                self.parts = parts
                self.chunkSize = chunkSize
            }

            mutating func next() async throws -> ByteBuffer? {
                // Every pass either returns a non-empty chunk or moves to the next part.
                while index < parts.count {
                    switch parts[index] {
                    case .bytes(let buffer):
                        index += 1
                        return buffer
                    case .file(let file) where offset < file.size:
                        let chunk = try await file.handle.readChunk(
                            fromAbsoluteOffset: offset,
                            length: .bytes(Swift.min(chunkSize, file.size - offset))
                        )
                        guard chunk.readableBytes > 0 else { throw FileShrank() }
                        offset += Int64(chunk.readableBytes)
                        return chunk
                    case .file:
                        index += 1
                        offset = 0
                    }
                }
                return nil
            }
        }
    }

    /// The file got shorter after its size was taken; the declared Content-Length can no longer be met.
    struct FileShrank: Error, CustomStringConvertible {
        var description: String { "the file became shorter while it was being uploaded" }
    }
}
