public import TelegramBotAPI

/// One Bot API call as the bot made it: the method name and its parameters as JSON values,
/// exactly what would have gone over the wire.
public struct RecordedCall: Sendable, Hashable, CustomStringConvertible {
    public var method: String
    public var parameters: [String: JSONValue]
    /// Files uploaded with the call, by the `attach://` name their parameter refers to.
    public var uploads: [String: InputFile.Upload]

    public init(method: String, parameters: [String: JSONValue], uploads: [String: InputFile.Upload] = [:]) {
        self.method = method
        self.parameters = parameters
        self.uploads = uploads
    }

    public subscript(parameter: String) -> JSONValue? { parameters[parameter] }

    /// The call as its method struct, to assert on typed fields: `try call.decode(as: SendMessage.self).replyMarkup`.
    public func decode<Method: TelegramMethod & Decodable>(as method: Method.Type) throws -> Method {
        guard self.method == Method.name else {
            throw DecodingError.typeMismatch(Method.self, .init(codingPath: [], debugDescription: "the call is \(self.method), not \(Method.name)"))
        }
        return try JSONValue.object(parameters).decode(Method.self)
    }

    public var description: String { "\(method)(\(parameters))" }
}
