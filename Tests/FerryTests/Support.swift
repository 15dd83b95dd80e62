import Ferry
import FerryTesting
import Foundation
import Synchronization

/// Collects what handlers saw, in order, across the tasks that run them.
final class Trace: Sendable {
    private let entries = Mutex<[String]>([])
    func record(_ entry: String) { entries.withLock { $0.append(entry) } }
    var all: [String] { entries.withLock { $0 } }
}

func makeBot(username: String? = "OurBot") -> (Bot, BotAPIRecorder) {
    let api = BotAPIRecorder()
    return (Bot(api: api, username: username), api)
}

struct Boom: Error, Equatable {}

/// The project's shared test data beside the repository (`../shared`), read in place.
enum SharedData {
    static let updatesDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("shared/telegram/updates")

    static func updateSamples() throws -> [(name: String, data: Data)] {
        let names = try FileManager.default.contentsOfDirectory(atPath: updatesDirectory.path).filter { $0.hasSuffix(".json") }.sorted()
        return try names.map { ($0, try Data(contentsOf: updatesDirectory.appendingPathComponent($0))) }
    }
}
