#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Typed callback data: a `Codable` value stored in a button's `callback_data` as compact JSON,
/// decoded back when the button is pressed. Telegram allows 64 bytes, so keep payloads small
/// (short keys, ids rather than objects); a value that does not fit throws ``CallbackDataTooLong``
/// when the keyboard is built, not when the user presses the button.
///
/// A `prefix` tells payload types apart when two could decode the same JSON (`"buy:"`, `"vote:"`).
public enum CallbackData {
    /// Telegram's limit for `callback_data`, in UTF-8 bytes.
    public static let maxBytes = 64

    public static func encode(_ value: some Encodable, prefix: String = "") throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = try encoder.encode(value)
        guard let text = String(data: json, encoding: .utf8) else {
            throw EncodingError.invalidValue(value, .init(codingPath: [], debugDescription: "JSON is not UTF-8"))
        }
        let data = prefix + text
        guard data.utf8.count <= maxBytes else {
            throw CallbackDataTooLong(data: data, type: String(describing: type(of: value)))
        }
        return data
    }

    /// The value `data` encodes, or `nil` when it is not a `Payload` with this prefix.
    public static func decode<Payload: Decodable>(_ type: Payload.Type, from data: String, prefix: String = "") -> Payload? {
        guard data.hasPrefix(prefix) else { return nil }
        return try? JSONDecoder().decode(Payload.self, from: Data(data.utf8.dropFirst(prefix.utf8.count)))
    }
}

public struct CallbackDataTooLong: Error, Sendable, Hashable, CustomStringConvertible {
    /// The encoded data that did not fit.
    public var data: String
    public var type: String

    public var byteCount: Int { data.utf8.count }

    public var description: String {
        "callback data for \(type) is \(byteCount) bytes, over Telegram's limit of \(CallbackData.maxBytes): \(data)"
    }
}

extension Filter {
    /// A button press whose callback data decodes as `type` (with `prefix`); hands over the decoded value.
    public static func callbackData<Payload: Decodable & Sendable>(_ type: Payload.Type, prefix: String = "") -> Filter<Payload> {
        Filter<Payload>(updateKinds: [.callbackQuery]) { ctx in
            ctx.callbackData.flatMap { CallbackData.decode(type, from: $0, prefix: prefix) }
        }
    }
}
