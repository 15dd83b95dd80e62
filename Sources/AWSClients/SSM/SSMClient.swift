public import AsyncHTTPClient
public import Logging

/// A Parameter Store parameter. Its value is usually a secret (the bot token), so `description` and
/// `dump` leave it out.
public struct SSMParameter: Sendable, Equatable, CustomStringConvertible, CustomReflectable {
    public var name: String
    /// `String`, `StringList` or `SecureString`.
    public var type: String
    public var value: String
    public var version: Int?

    public var description: String { "SSMParameter(name: \(name), type: \(type), version: \(version.map(String.init) ?? "-"))" }

    public var customMirror: Mirror {
        Mirror(self, children: ["name": name, "type": type, "version": version as Any], displayStyle: .struct)
    }
}

/// AWS Systems Manager Parameter Store over its JSON protocol: reading (and, for set-up and tests,
/// writing) parameters such as the bot token.
public struct SSMClient: AWSServiceClient {
    public let client: AWSJSONClient

    public static let service = AWSJSONService.ssm

    public init(wrapping client: AWSJSONClient) {
        self.client = client
    }

    public static let silentLogger = Logger(label: "ferry.ssm", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Reads a parameter; a `SecureString` comes back decrypted unless `withDecryption` is false.
    ///
    /// - Throws: ``AWSServiceError`` with code `ParameterNotFound` when there is no such parameter.
    public func parameter(named name: String, withDecryption: Bool = true) async throws -> SSMParameter {
        let output = try await client.send(
            "GetParameter",
            Wire.GetParameter(Name: name, WithDecryption: withDecryption),
            as: Wire.GetParameterOutput.self
        )
        let parameter = output.parameter
        return SSMParameter(name: parameter.name, type: parameter.type, value: parameter.value, version: parameter.version)
    }

    /// Writes a parameter and returns its new version.
    @discardableResult
    public func putParameter(named name: String, value: String, type: String = "SecureString", overwrite: Bool = false)
        async throws -> Int
    {
        let output = try await client.send(
            "PutParameter",
            Wire.PutParameter(name: name, value: value, type: type, overwrite: overwrite),
            as: Wire.PutParameterOutput.self
        )
        return output.Version
    }

    /// The operations' JSON shapes, with the API's PascalCase member names.
    private enum Wire {
        struct GetParameter: Encodable {
            var Name: String
            var WithDecryption: Bool
        }

        struct GetParameterOutput: Decodable {
            struct Parameter: Decodable {
                var name: String
                var type: String
                var value: String
                var version: Int?

                enum CodingKeys: String, CodingKey {
                    case name = "Name", type = "Type", value = "Value", version = "Version"
                }
            }

            var parameter: Parameter

            enum CodingKeys: String, CodingKey {
                case parameter = "Parameter"
            }
        }

        struct PutParameter: Encodable {
            var name: String
            var value: String
            var type: String
            var overwrite: Bool

            enum CodingKeys: String, CodingKey {
                case name = "Name", value = "Value", type = "Type", overwrite = "Overwrite"
            }
        }

        struct PutParameterOutput: Decodable {
            var Version: Int
        }
    }
}
