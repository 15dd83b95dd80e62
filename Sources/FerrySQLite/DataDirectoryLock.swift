#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive lock on a data directory, held while a host consumes its queue: a second `serve`
/// on the same directory would take updates the first has in flight. The kernel drops the lock
/// when the process ends, however it ends, so a crash never leaves it stale.
public final class DataDirectoryLock: Sendable {
    private let descriptor: Int32

    /// Takes the lock (creating the directory when missing, see ``DataDirectory/prepare(_:)``) or throws at
    /// once when another process holds it.
    public init(directory: String) throws {
        try DataDirectory.prepare(directory)
        let path = directory + "/serve.lock"
        let descriptor = try DataDirectory.openPrivateFile(path, creating: true)
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw DataDirectoryLockError.held(directory)
        }
        self.descriptor = descriptor
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}

public enum DataDirectoryLockError: Error, Sendable, Hashable, CustomStringConvertible {
    case held(String)

    public var description: String {
        switch self {
        case .held(let directory): "another process is serving from \(directory); one host per data directory"
        }
    }
}
