public import Foundation

/// The project's shared test data lives beside the repository (`../shared`); tests read it in place.
public enum SharedData {
    /// The package root: this file is `Tests/FerryTestSupport/SharedData.swift`.
    public static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static let sharedRoot = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared")

    public static let updatesDirectory = sharedRoot.appendingPathComponent("telegram/updates")
    public static let sigV4Directory = sharedRoot.appendingPathComponent("aws/sigv4/v4")
    public static let lambdaEventsDirectory = sharedRoot.appendingPathComponent("aws/lambda-events")

    /// Every sample update, by file name.
    public static func updateSamples() throws -> [(name: String, data: Data)] {
        let names = try FileManager.default.contentsOfDirectory(atPath: updatesDirectory.path)
            .filter { $0.hasSuffix(".json") }
            .sorted()
        return try names.map { ($0, try Data(contentsOf: updatesDirectory.appendingPathComponent($0))) }
    }

    public static func updateSample(_ name: String) throws -> Data {
        try Data(contentsOf: updatesDirectory.appendingPathComponent(name))
    }

    /// Every SigV4 case directory name, sorted.
    public static func sigV4CaseNames() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: sigV4Directory.path).sorted()
    }

    public static func sigV4File(_ caseName: String, _ file: String) throws -> String {
        try String(contentsOf: sigV4Directory.appendingPathComponent(caseName).appendingPathComponent(file), encoding: .utf8)
    }

    public static func lambdaEvent(_ name: String) throws -> Data {
        try Data(contentsOf: lambdaEventsDirectory.appendingPathComponent(name))
    }
}

/// A fresh path under the system's temporary directory; nothing is created there until the caller does.
public func temporaryDirectory() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("ferry-tests-\(UUID().uuidString)").path
}

/// A text message update exactly as Telegram posts it, from a user whose id is the private chat's.
public func textUpdate(updateID: Int, chatID: Int, messageID: Int? = nil, text: String, chatType: String = "private") -> String {
    let escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    let entities = text.hasPrefix("/")
        ? #","entities":[{"offset":0,"length":\#(text.split(separator: " ")[0].count),"type":"bot_command"}]"#
        : ""
    return """
    {"update_id":\(updateID),"message":{"message_id":\(messageID ?? updateID),"from":{"id":\(chatID),"is_bot":false,"first_name":"User \(chatID)"},\
    "chat":{"id":\(chatID),"first_name":"User \(chatID)","type":"\(chatType)"},"date":1700000000,"text":"\(escaped)"\(entities)}}
    """
}
