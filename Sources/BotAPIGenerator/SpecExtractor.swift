public import Foundation

/// Turns the full scraped spec (`api.json`, with Telegram's prose) into the structural ``BotAPISpec``.
///
/// The prose is read once here for two facts it alone states: which field tells union members apart
/// ("Type of the result, must be *photo*", "always \"creator\"") and which string fields take an
/// `attach://` upload. Everything else is copied as is.
public enum SpecExtractor {
    struct RawSpec: Decodable {
        var version: String
        var release_date: String
        var changelog: String
        var methods: [String: RawMethod]
        var types: [String: RawType]
    }

    struct RawField: Decodable {
        var name: String
        var types: [String]
        var required: Bool
        var description: String
    }

    struct RawType: Decodable {
        var name: String
        var href: String
        var fields: [RawField]?
        var subtypes: [String]?
        var subtype_of: [String]?
    }

    struct RawMethod: Decodable {
        var name: String
        var href: String
        var returns: [String]
        var fields: [RawField]?
    }

    public static let sourceNote =
        "Structural extract of api.json from PaulSonOfLars/telegram-bot-api-spec (MIT), scraped from https://core.telegram.org/bots/api"

    public static func extract(fromFullSpec data: Data) throws -> BotAPISpec {
        let raw = try JSONDecoder().decode(RawSpec.self, from: data)
        // JSONDecoder loses the docs order of the object keys; recover it from the byte offsets.
        let typeOrder = try keyOrder(of: "types", in: data)
        let methodOrder = try keyOrder(of: "methods", in: data)

        let types = typeOrder.compactMap { raw.types[$0] }.map { type in
            BotAPISpec.TypeSpec(
                name: type.name,
                href: type.href,
                fields: type.fields?.map(field),
                subtypes: type.subtypes,
                discriminator: type.subtype_of == nil ? nil : discriminator(of: type)
            )
        }
        let methods = methodOrder.compactMap { raw.methods[$0] }.map { method in
            BotAPISpec.MethodSpec(name: method.name, href: method.href, returns: method.returns, fields: method.fields?.map(field))
        }
        return BotAPISpec(
            version: raw.version, releaseDate: raw.release_date, changelog: raw.changelog,
            source: sourceNote, types: types, methods: methods
        )
    }

    static func field(_ raw: RawField) -> BotAPISpec.FieldSpec {
        let upload = raw.types == ["String"] && raw.description.contains("attach://")
        return BotAPISpec.FieldSpec(name: raw.name, types: raw.types, required: raw.required, acceptsUpload: upload ? true : nil)
    }

    static let discriminatorFields: Set<String> = ["type", "status", "source", "kind"]

    static func discriminator(of type: RawType) -> BotAPISpec.Discriminator? {
        for field in type.fields ?? [] where discriminatorFields.contains(field.name) && field.types == ["String"] {
            if let value = constant(in: field.description) {
                return .init(field: field.name, value: value)
            }
        }
        return nil
    }

    /// Finds X in `always "X"`, `always “X”` or `must be X`.
    static func constant(in description: String) -> String? {
        for marker in ["always ", "must be "] {
            guard let range = description.range(of: marker) else { continue }
            let rest = description[range.upperBound...].drop { "\"“".contains($0) }
            let value = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
            if !value.isEmpty { return String(value) }
        }
        return nil
    }

    /// The keys of the top-level object member `name`, in the order they appear in the file.
    static func keyOrder(of name: String, in data: Data) throws -> [String] {
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        guard let members = object?[name] as? [String: Any] else { return [] }
        let offsets = objectKeyOffsets(in: Array(data))
        return members.keys.sorted { (offsets[$0] ?? .max, $0) < (offsets[$1] ?? .max, $1) }
    }

    /// The first offset of every string that opens an object (`"Message": {`): a member's definition.
    /// Type lists mention names only as plain strings, so they never match.
    static func objectKeyOffsets(in text: [UInt8]) -> [String: Int] {
        var offsets: [String: Int] = [:]
        var index = 0
        while index < text.count {
            guard text[index] == UInt8(ascii: "\"") else { index += 1; continue }
            let start = index
            index += 1
            while index < text.count, text[index] != UInt8(ascii: "\"") {
                index += text[index] == UInt8(ascii: "\\") ? 2 : 1
            }
            let end = min(index, text.count)
            index += 1
            var next = index
            while next < text.count, text[next] == UInt8(ascii: " ") { next += 1 }
            guard next < text.count, text[next] == UInt8(ascii: ":") else { continue }
            next += 1
            while next < text.count, text[next] == UInt8(ascii: " ") { next += 1 }
            guard next < text.count, text[next] == UInt8(ascii: "{") else { continue }
            let key = String(decoding: text[(start + 1)..<end], as: UTF8.self)
            if offsets[key] == nil { offsets[key] = start }
        }
        return offsets
    }
}
