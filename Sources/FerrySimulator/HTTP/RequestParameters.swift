import TelegramBotAPI

/// A file uploaded with a call, as the simulator received and keeps it.
public struct UploadedFile: Sendable, Hashable {
    public var filename: String
    public var contentType: String?
    public var bytes: [UInt8]

    public init(filename: String, contentType: String? = nil, bytes: [UInt8]) {
        self.filename = filename
        self.contentType = contentType
        self.bytes = bytes
    }
}

/// The parameters of one call, whichever way they came: URL query, JSON, form-urlencoded or multipart.
///
/// Values keep the type the wire gave them (form fields are strings); ``decode(_:)`` reads them as the
/// method's struct. Files live apart, by part name, and are reached through `attach://<name>` references,
/// or by the parameter's own name when a client uploads a file straight into it (`photo=@cat.jpg`).
struct RequestParameters: Sendable {
    var values: [String: JSONValue] = [:]
    var uploads: [String: UploadedFile] = [:]

    static func parse(body: [UInt8], contentType: String?, query: String?) throws(BotAPIFailure) -> RequestParameters {
        var parameters = RequestParameters()
        for (name, value) in FormURLEncoding.parse(query ?? "") { parameters.values[name] = .string(value) }
        guard !body.isEmpty else { return parameters }

        let mediaType = contentType?.split(separator: ";").first?.trimmingPrefix(" ").lowercased() ?? ""
        switch mediaType {
        case "application/json":
            guard case .object(let members) = try? BotAPIDecoder().decode(JSONValue.self, from: body) else {
                throw .badRequest("can't parse JSON object")
            }
            parameters.values.merge(members) { _, body in body }
        case "application/x-www-form-urlencoded":
            for (name, value) in FormURLEncoding.parse(String(decoding: body, as: UTF8.self)) {
                parameters.values[name] = .string(value)
            }
        case "multipart/form-data":
            let form: MultipartFormData
            do {
                form = try MultipartFormData(body: body, contentType: contentType ?? "")
            } catch {
                throw .badRequest("can't parse multipart/form-data: \(String(describing: error))")
            }
            for part in form.parts {
                if let filename = part.filename {
                    parameters.uploads[part.name] = UploadedFile(filename: filename, contentType: part.contentType, bytes: Array(part.body))
                } else {
                    parameters.values[part.name] = .string(String(decoding: part.body, as: UTF8.self))
                }
            }
            // A file sent as the parameter itself stands for the parameter.
            for name in parameters.uploads.keys where parameters.values[name] == nil {
                parameters.values[name] = .string(Self.attachPrefix + name)
            }
        default:
            // Telegram reads only these three formats; anything else carries no parameters.
            break
        }
        return parameters
    }

    static let attachPrefix = "attach://"

    /// The parameters as `Method`, or the 400 Telegram answers for a missing or malformed parameter.
    func decode<Method: Decodable>(_ type: Method.Type) throws(BotAPIFailure) -> Method {
        do {
            return try ParameterDecoder().decode(Method.self, from: values)
        } catch let error as DecodingError {
            throw Self.failure(for: error)
        } catch {
            throw .badRequest("invalid parameters")
        }
    }

    /// The file an `attach://name` value refers to.
    func upload(referencedBy value: String) -> UploadedFile? {
        guard value.hasPrefix(Self.attachPrefix) else { return nil }
        return uploads[String(value.dropFirst(Self.attachPrefix.count))]
    }

    private static func failure(for error: DecodingError) -> BotAPIFailure {
        switch error {
        case .keyNotFound(let key, let context) where context.codingPath.isEmpty:
            return key.stringValue == "text" ? .badRequest("message text is empty") : .badRequest("\(key.stringValue) is empty")
        case .keyNotFound(_, let context), .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let parameter = context.codingPath.first?.stringValue ?? "parameters"
            if parameter == "reply_markup" { return .badRequest("can't parse reply keyboard markup JSON object") }
            return .badRequest("can't parse parameter \(parameter)")
        @unknown default:
            return .badRequest("invalid parameters")
        }
    }
}
