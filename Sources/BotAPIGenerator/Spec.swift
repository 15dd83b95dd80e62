public import Foundation

/// The structural part of the Bot API spec that the generator reads: names, types, required flags and
/// doc links, plus what Ferry derives from the prose once (discriminators, upload-capable fields).
/// Telegram's description prose is left out on purpose: it is not ours to commit.
public struct BotAPISpec: Codable, Equatable, Sendable {
    public var version: String
    public var releaseDate: String
    public var changelog: String
    public var source: String
    public var types: [TypeSpec]
    public var methods: [MethodSpec]

    enum CodingKeys: String, CodingKey {
        case version, changelog, source, types, methods
        case releaseDate = "release_date"
    }

    public struct FieldSpec: Codable, Equatable, Sendable {
        public var name: String
        /// As the spec writes them: "Integer", "Array of PhotoSize", ...; more than one is a union.
        public var types: [String]
        public var required: Bool
        /// The docs say the field takes an `attach://<name>` reference to an uploaded file.
        public var acceptsUpload: Bool?

        enum CodingKeys: String, CodingKey {
            case name, types, required
            case acceptsUpload = "accepts_upload"
        }
    }

    /// The constant field that tells one member of a union from another: `"type": "photo"`.
    public struct Discriminator: Codable, Equatable, Sendable {
        public var field: String
        public var value: String
    }

    public struct TypeSpec: Codable, Equatable, Sendable {
        public var name: String
        public var href: String
        public var fields: [FieldSpec]?
        public var subtypes: [String]?
        public var discriminator: Discriminator?
    }

    public struct MethodSpec: Codable, Equatable, Sendable {
        public var name: String
        public var href: String
        public var returns: [String]
        public var fields: [FieldSpec]?
    }

    public func type(named name: String) -> TypeSpec? { types.first { $0.name == name } }

    public static func load(from url: URL) throws -> BotAPISpec {
        try JSONDecoder().decode(BotAPISpec.self, from: Data(contentsOf: url))
    }

    public func jsonText() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }
}
