import Foundation

/// The project's shared test data lives beside the repository (`../shared`); tests read it in place.
enum SharedData {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let sharedRoot = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared")

    static let updatesDirectory = sharedRoot.appendingPathComponent("telegram/updates")

    /// Every sample update, by file name.
    static func updateSamples() throws -> [(name: String, data: Data)] {
        let names = try FileManager.default.contentsOfDirectory(atPath: updatesDirectory.path)
            .filter { $0.hasSuffix(".json") }
            .sorted()
        return try names.map { ($0, try Data(contentsOf: updatesDirectory.appendingPathComponent($0))) }
    }

    static func updateSample(_ name: String) throws -> Data {
        try Data(contentsOf: updatesDirectory.appendingPathComponent(name))
    }
}
