#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// An access key pair, with the session token that temporary credentials (Lambda's, an assumed role's) carry.
///
/// The secret and the token never appear in `description`, `debugDescription`, `dump` or a log line:
/// printing credentials shows only the access key id, which AWS does not treat as secret.
public struct AWSCredentials: Sendable, Equatable {
    public let accessKeyID: String
    let secretAccessKey: String
    let sessionToken: String?

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Whether these are temporary credentials, which must send their session token with every request.
    public var hasSessionToken: Bool { sessionToken != nil }

    /// Reads `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and the optional `AWS_SESSION_TOKEN`,
    /// as the Lambda runtime and every AWS SDK set them.
    ///
    /// - Returns: `nil` when the key id or the secret is missing or empty.
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> AWSCredentials? {
        guard let accessKeyID = environment["AWS_ACCESS_KEY_ID"], !accessKeyID.isEmpty,
            let secretAccessKey = environment["AWS_SECRET_ACCESS_KEY"], !secretAccessKey.isEmpty
        else { return nil }
        return AWSCredentials(
            accessKeyID: accessKeyID,
            secretAccessKey: secretAccessKey,
            sessionToken: environment["AWS_SESSION_TOKEN"]
        )
    }
}

extension AWSCredentials: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        "AWSCredentials(accessKeyID: \(accessKeyID), secretAccessKey: <redacted>\(hasSessionToken ? ", sessionToken: <redacted>" : ""))"
    }

    public var debugDescription: String { description }

    /// `dump` and debuggers walk the mirror, not `description`; this one holds no secret.
    public var customMirror: Mirror {
        Mirror(self, children: ["accessKeyID": accessKeyID, "hasSessionToken": hasSessionToken], displayStyle: .struct)
    }
}
