import Foundation

/// The project's shared test data lives beside the repository (`../shared`); tests read it in place.
enum SharedData {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let awsRoot = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/aws")

    static let sigV4Directory = awsRoot.appendingPathComponent("sigv4/v4")
    static let lambdaEventsDirectory = awsRoot.appendingPathComponent("lambda-events")

    /// Every SigV4 case directory name, sorted.
    static func sigV4CaseNames() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: sigV4Directory.path).sorted()
    }

    static func sigV4File(_ caseName: String, _ file: String) throws -> String {
        try String(contentsOf: sigV4Directory.appendingPathComponent(caseName).appendingPathComponent(file), encoding: .utf8)
    }

    static func lambdaEvent(_ name: String) throws -> Data {
        try Data(contentsOf: lambdaEventsDirectory.appendingPathComponent(name))
    }
}
