/// How the spec's type strings become Swift types.
struct TypeMapping {
    /// Unions the spec writes inline as a list of types rather than naming them; Ferry names them.
    static let replyMarkupMembers = ["InlineKeyboardMarkup", "ReplyKeyboardMarkup", "ReplyKeyboardRemove", "ForceReply"]
    static let messageOrTrue = ["Message", "Boolean"]

    let spec: BotAPISpec
    let objectNames: Set<String>
    let unionNames: Set<String>

    init(spec: BotAPISpec) {
        self.spec = spec
        unionNames = Set(spec.types.filter { $0.subtypes != nil }.map(\.name) + ["ReplyMarkup"])
        objectNames = Set(spec.types.filter { $0.subtypes == nil && $0.name != "InputFile" }.map(\.name))
    }

    func swiftType(of field: BotAPISpec.FieldSpec) throws -> String {
        if field.acceptsUpload == true { return "InputFile" }
        return try swiftType(of: field.types)
    }

    func swiftType(of types: [String]) throws -> String {
        if types.count == 1 { return try swiftType(of: types[0]) }
        switch types {
        case ["Integer", "String"]: return "ChatID"
        case ["InputFile", "String"]: return "InputFile"
        case Self.replyMarkupMembers: return "ReplyMarkup"
        case Self.messageOrTrue: return "MessageOrTrue"
        default:
            // sendMediaGroup: "Array of InputMediaAudio, InputMediaDocument, ...": an array of the InputMedia union.
            if types.allSatisfy({ $0.hasPrefix("Array of InputMedia") }) { return "[InputMedia]" }
            throw GeneratorError.unsupportedType(types.joined(separator: " or "))
        }
    }

    func swiftType(of type: String) throws -> String {
        if type.hasPrefix("Array of ") { return "[\(try swiftType(of: String(type.dropFirst("Array of ".count))))]" }
        switch type {
        case "Integer": return "Int"
        case "Float": return "Double"
        case "String": return "String"
        case "Boolean": return "Bool"
        case "InputFile": return "InputFile"
        default:
            guard objectNames.contains(type) || unionNames.contains(type) else { throw GeneratorError.unsupportedType(type) }
            return type
        }
    }

    /// The named object type a field holds directly (not through an array), if any.
    func directObject(of field: BotAPISpec.FieldSpec) -> String? {
        guard field.types.count == 1, objectNames.contains(field.types[0]) else { return nil }
        return field.types[0]
    }
}

public enum GeneratorError: Error, CustomStringConvertible {
    case unsupportedType(String)
    case nameClash(String)

    public var description: String {
        switch self {
        case .unsupportedType(let type): "the generator has no Swift type for '\(type)'"
        case .nameClash(let name): "two spec names map to the Swift name '\(name)'"
        }
    }
}
