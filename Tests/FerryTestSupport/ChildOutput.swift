public import Foundation
import Synchronization

/// What a child process writes to one pipe, read while it runs: a pipe that nobody reads fills at 64 KiB
/// and stalls the writer, so reading only after the exit can hang a test on a chatty child.
public final class ChildOutput: Sendable {
    /// Give it to the process as its standard output or error.
    public let pipe = Pipe()
    private let collected = Mutex("")

    /// - Parameter limit: keeps the first `limit` bytes or so and reads and drops the rest (a server that logs
    ///   every request).
    public init(keepingAtMost limit: Int = .max) {
        pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let chunk = String(decoding: handle.availableData, as: UTF8.self)
            self?.collected.withLock { if $0.utf8.count < limit { $0 += chunk } }
        }
    }

    /// The end a child writes to.
    var writeDescriptor: Int32 { pipe.fileHandleForWriting.fileDescriptor }
    private let writeEndClosed = Mutex(false)

    /// Once the child has its copy: the parent's would keep the pipe open after the child ends. Once only, as
    /// one output may be a child's standard output and error both.
    func closeWriteEnd() {
        let first = writeEndClosed.withLock { closed in
            defer { closed = true }
            return !closed
        }
        if first { try? pipe.fileHandleForWriting.close() }
    }

    /// What arrived so far.
    public var text: String { collected.withLock { $0 } }

    /// Once the process has exited: takes what is still in the pipe, and returns everything. It reads what the
    /// pipe holds rather than up to end of file: another child spawned at the same moment may have inherited
    /// the pipe's write end, and end of file would then wait for that child too.
    public func finish() -> String {
        pipe.fileHandleForReading.readabilityHandler = nil
        let descriptor = pipe.fileHandleForReading.fileDescriptor
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        var rest = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                rest += buffer[..<count]
            } else if count < 0, errno == EINTR {
                continue
            } else {
                break  // end of file, or nothing more to read
            }
        }
        return collected.withLock { text in
            text += String(decoding: rest, as: UTF8.self)
            return text
        }
    }
}
