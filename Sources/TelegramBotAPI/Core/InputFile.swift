#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Synchronization

/// A file to send: one already on Telegram's servers, one Telegram should fetch from a URL,
/// or one uploaded with the request (from disk, streamed; or from memory).
public enum InputFile: Sendable, Hashable, Codable {
    case fileID(String)
    case url(String)
    case upload(Upload)

    public struct Upload: Sendable, Hashable {
        public enum Source: Sendable, Hashable {
            /// Streamed from disk when the request is sent, never read whole into memory.
            case path(String)
            case bytes([UInt8])
        }

        public var source: Source
        public var filename: String
        public var contentType: String

        public init(source: Source, filename: String, contentType: String? = nil) {
            self.source = source
            self.filename = filename
            self.contentType = contentType ?? InputFile.contentType(forFilename: filename)
        }
    }

    /// A file on disk, uploaded with the request.
    public static func file(atPath path: String, filename: String? = nil, contentType: String? = nil) -> InputFile {
        let name = filename ?? String(path.split(separator: "/").last ?? Substring(path))
        return .upload(Upload(source: .path(path), filename: name, contentType: contentType))
    }

    /// Bytes in memory, uploaded with the request.
    public static func bytes(_ bytes: [UInt8], filename: String, contentType: String? = nil) -> InputFile {
        .upload(Upload(source: .bytes(bytes), filename: filename, contentType: contentType))
    }

    public init(from decoder: any Decoder) throws {
        let value = try decoder.singleValueContainer().decode(String.self)
        self = value.hasPrefix("http://") || value.hasPrefix("https://") ? .url(value) : .fileID(value)
    }

    /// An upload is written as `attach://<name>` and handed to the request's ``UploadCollector``,
    /// which turns the request into multipart/form-data. Telegram accepts that reference for
    /// top-level parameters and nested media alike, so one mechanism covers both.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .fileID(let value), .url(let value):
            try container.encode(value)
        case .upload(let upload):
            guard let collector = encoder.userInfo[UploadCollector.userInfoKey] as? UploadCollector else {
                throw EncodingError.invalidValue(self, .init(
                    codingPath: encoder.codingPath,
                    debugDescription: "A file upload can only be encoded as part of a Bot API request (BotAPIRequest.encode)."
                ))
            }
            try container.encode("attach://" + collector.attach(upload))
        }
    }

    static func contentType(forFilename filename: String) -> String {
        let ext = filename.split(separator: ".").last.map { $0.lowercased() } ?? ""
        switch ext {
        case "jpg", "jpeg": return "image/jpeg"
        case "png": return "image/png"
        case "gif": return "image/gif"
        case "webp": return "image/webp"
        case "mp4": return "video/mp4"
        case "webm": return "video/webm"
        case "mp3": return "audio/mpeg"
        case "ogg", "oga": return "audio/ogg"
        case "m4a": return "audio/mp4"
        case "pdf": return "application/pdf"
        case "txt": return "text/plain"
        case "json": return "application/json"
        case "zip": return "application/zip"
        case "tgs": return "application/x-tgsticker"
        default: return "application/octet-stream"
        }
    }
}

/// Collects the uploads met while encoding one request, naming each `file0`, `file1`, ...
public final class UploadCollector: Sendable {
    static let userInfoKey = CodingUserInfoKey(rawValue: "ferry.uploadCollector")!

    private let attached = Mutex<[(name: String, upload: InputFile.Upload)]>([])

    public init() {}

    func attach(_ upload: InputFile.Upload) -> String {
        attached.withLock { list in
            let name = "file\(list.count)"
            list.append((name, upload))
            return name
        }
    }

    public var uploads: [(name: String, upload: InputFile.Upload)] { attached.withLock { $0 } }
}
