import Synchronization

/// Keeps sessions in memory: for tests and single-process bots that may forget on restart.
public final class InMemorySessionStore: SessionStore {
    private let sessions = Mutex<[String: [UInt8]]>([:])

    public init() {}

    public func load(key: String) async throws -> [UInt8]? {
        sessions.withLock { $0[key] }
    }

    public func save(_ data: [UInt8], key: String) async throws {
        sessions.withLock { $0[key] = data }
    }

    public func delete(key: String) async throws {
        sessions.withLock { $0[key] = nil }
    }

    /// The keys stored, for tests.
    public var keys: [String] { sessions.withLock { Array($0.keys) } }
}
