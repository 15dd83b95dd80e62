public import Foundation
import Synchronization

/// What a child process writes to one pipe, read while it runs: a pipe that nobody reads fills at 64 KiB
/// and stalls the writer, so reading only after the exit can hang a test on a chatty child.
public final class ChildOutput: Sendable {
    /// Give it to the process as its standard output or error.
    public let pipe = Pipe()
    private let collected = Mutex("")

    public init() {
        pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let chunk = String(decoding: handle.availableData, as: UTF8.self)
            self?.collected.withLock { $0 += chunk }
        }
    }

    /// What arrived so far.
    public var text: String { collected.withLock { $0 } }

    /// Once the process has exited: takes what is still in the pipe, and returns everything.
    public func finish() -> String {
        pipe.fileHandleForReading.readabilityHandler = nil
        let rest = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return collected.withLock { text in
            text += rest
            return text
        }
    }
}
