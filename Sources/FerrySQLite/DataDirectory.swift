#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Keeps a bot's data directory private to the user the bot runs as: the directory mode 0700 and each
/// file in it 0600, whatever the umask, since the files hold users' messages (the queue, dead letters,
/// sessions, and SQLite's log of recent writes).
///
/// Only the directory's own user may have it: another user who owns it, or who could swap in a symbolic
/// link, could read everything the bot stores or redirect its writes. Every check works on an open
/// descriptor opened without following links, so nothing can be swapped between a check and its use.
public enum DataDirectory {
    /// Creates `path` (mode 0700) when missing, its parents as `mkdir -p` does, or checks the one there:
    /// refuses a symbolic link, anything but a directory and a directory another user owns, and takes
    /// away every permission of the group and others.
    public static func prepare(_ path: String) throws(DataDirectoryError) {
        let path = withoutTrailingSlashes(path)
        if mkdir(path, 0o700) != 0 {
            let code = errno
            if code == ENOENT {
                try createParents(of: path)
                if mkdir(path, 0o700) != 0, errno != EEXIST { throw .cannotCreate(path, reason: reason(errno)) }
            } else if code != EEXIST {
                throw .cannotCreate(path, reason: reason(code))
            }
        }
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            if isLink(path) { throw .symbolicLink(path) }
            throw code == ENOTDIR ? .notADirectory(path) : .cannotOpen(path, reason: reason(code))
        }
        defer { close(descriptor) }
        try makePrivate(descriptor, path: path, mode: 0o700)
    }

    /// Opens `path` (creating it, mode 0600, when `creating` and missing) without following a symbolic
    /// link, checks that the running user owns it and takes away every permission of the group and others.
    /// Returns the open descriptor, which the caller closes.
    static func openPrivateFile(_ path: String, flags: Int32 = O_RDWR, creating: Bool) throws(DataDirectoryError) -> Int32 {
        let descriptor = open(path, flags | (creating ? O_CREAT : 0) | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            let code = errno
            throw isLink(path) ? .symbolicLink(path) : .cannotOpen(path, reason: reason(code))
        }
        do {
            try makePrivate(descriptor, path: path, mode: 0o600)
        } catch {
            close(descriptor)
            throw error
        }
        return descriptor
    }

    /// Creates `path` (mode 0600) when missing, or makes the one there private, as ``openPrivateFile(_:flags:creating:)`` does.
    static func createPrivateFile(_ path: String) throws(DataDirectoryError) {
        close(try openPrivateFile(path, creating: true))
    }

    /// Makes a file private when it exists: one an earlier version created with the umask's mode, say.
    static func protectFileIfPresent(_ path: String) throws(DataDirectoryError) {
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            if code == ENOENT { return }
            throw isLink(path) ? .symbolicLink(path) : .cannotOpen(path, reason: reason(code))
        }
        defer { close(descriptor) }
        try makePrivate(descriptor, path: path, mode: 0o600)
    }

    /// Checks the owner of what `descriptor` has open and sets its permission bits to exactly `mode`
    /// (`fchmod` ignores the umask).
    private static func makePrivate(_ descriptor: Int32, path: String, mode: mode_t) throws(DataDirectoryError) {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .cannotOpen(path, reason: reason(errno)) }
        guard status.st_uid == geteuid() else { throw .ownedByAnotherUser(path, owner: UInt32(status.st_uid), user: UInt32(geteuid())) }
        guard status.st_mode & 0o7777 != mode else { return }
        guard fchmod(descriptor, mode) == 0 else { throw .cannotProtect(path, reason: reason(errno)) }
    }

    private static func createParents(of path: String) throws(DataDirectoryError) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        let components = path.split(separator: "/").dropLast()
        for component in components {
            prefix += component
            // Parents are ordinary directories (as `mkdir -p` makes them); only the data directory is private.
            if mkdir(prefix, 0o755) != 0, errno != EEXIST { throw .cannotCreate(prefix, reason: reason(errno)) }
            prefix += "/"
        }
    }

    private static func isLink(_ path: String) -> Bool {
        var status = stat()
        // S_IFMT and S_IFLNK, which the C library's headers define as macros Swift does not import everywhere.
        return lstat(path, &status) == 0 && status.st_mode & 0o170000 == 0o120000
    }

    /// A trailing slash would make the kernel follow a symbolic link that `O_NOFOLLOW` is meant to refuse.
    private static func withoutTrailingSlashes(_ path: String) -> String {
        var path = path
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        return path
    }

    private static func reason(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}

public enum DataDirectoryError: Error, Sendable, Hashable, CustomStringConvertible {
    case cannotCreate(String, reason: String)
    case cannotOpen(String, reason: String)
    case cannotProtect(String, reason: String)
    case notADirectory(String)
    case symbolicLink(String)
    case ownedByAnotherUser(String, owner: UInt32, user: UInt32)

    public var description: String {
        switch self {
        case .cannotCreate(let path, let reason):
            "cannot create the data directory \(path): \(reason)"
        case .cannotOpen(let path, let reason):
            "cannot open \(path): \(reason)"
        case .cannotProtect(let path, let reason):
            "cannot make \(path) private to its owner (chmod): \(reason)"
        case .notADirectory(let path):
            "the data directory \(path) is not a directory: give --data-dir a directory (it is created when missing)"
        case .symbolicLink(let path):
            "\(path) is a symbolic link, which Ferry does not follow in a data directory (whoever can change the link "
                + "could redirect the bot's files): give --data-dir the real path (`realpath \(path)`), and keep no links inside it"
        case .ownedByAnotherUser(let path, let owner, let user):
            "\(path) belongs to user \(owner), not to the user running the bot (\(user)): its owner could read and change "
                + "what the bot stores; give --data-dir a directory of your own, or `chown -R` it to the bot's user"
        }
    }
}
