#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What `dev` is doing, for the playground's banner: building, a failed build's errors, running.
public struct DevStatus: Codable, Sendable, Hashable {
    public enum State: String, Codable, Sendable {
        case building, failed, running, stopped
    }

    public var state: State
    /// The build's errors when it failed; what to show otherwise.
    public var message: String?

    public init(state: State, message: String?) {
        self.state = state
        self.message = message
    }
}

/// The file `dev` keeps its status in, in the data directory. `dev` writes it; the bot it runs reads it (its
/// path in ``environmentVariable``) whenever a page asks, so a build that fails while the last good one
/// serves still shows in the page.
public struct DevStatusFile: Sendable {
    public static let name = "dev-status.json"
    public static let environmentVariable = "FERRY_DEV_STATUS_FILE"
    /// A status file is a few kilobytes at most (40 lines of errors); a larger one is not read.
    static let maximumSize = 256 * 1024

    public let path: String

    public init(path: String) {
        self.path = path
    }

    public func write(_ status: DevStatus) {
        // Written whole and renamed into place, so a reader never sees half of it.
        try? JSONEncoder().encode(status).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    public func read() -> DevStatus? {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path)), data.count <= Self.maximumSize else { return nil }
        return try? JSONDecoder().decode(DevStatus.self, from: data)
    }

    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
