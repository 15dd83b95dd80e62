import Ferry
import FerryTesting
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
