/// Where sessions live between updates: encoded bytes by key. Stores know nothing of session
/// types, so one store serves every session a bot keeps.
public protocol SessionStore: Sendable {
    func load(key: String) async throws -> [UInt8]?
    func save(_ data: [UInt8], key: String) async throws
    func delete(key: String) async throws
}
