import TelegramBotAPI

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The webhook secret a data directory's `serve` checks when none is given: generated on first use and
/// kept in `webhook-secret` (mode 0600, readable by its owner only), so `webhook set --data-dir` hands
/// Telegram the same one and restarts keep it.
public enum WebhookSecretFile {
    public static let fileName = "webhook-secret"

    public static func path(in directory: String) -> String { directory + "/" + fileName }

    /// The directory's secret, created (with the directory, mode 0700) when there is none yet. Two
    /// processes creating it at once end up with the same secret: the file is created exclusively,
    /// and the one that loses reads the winner's.
    public static func loadOrCreate(in directory: String) throws(WebhookSecretFileError) -> String {
        // The directory's own checks first (its owner, no symbolic link): the secret is as private as the queue.
        do {
            try DataDirectory.prepare(directory)
        } catch {
            throw .dataDirectory(error)
        }
        if let existing = try load(in: directory) { return existing }
        let secret = WebhookSecretToken.generate()
        let file = path(in: directory)
        let descriptor = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            let code = errno
            if code == EEXIST, let existing = try load(in: directory) { return existing }
            throw .cannotWrite(file, reason: String(cString: strerror(code)))
        }
        let bytes = Array((secret + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard written == bytes.count, synced else {
            unlink(file)
            throw .cannotWrite(file, reason: "the disk did not take the whole file")
        }
        return secret
    }

    /// The directory's secret, or `nil` when it has none yet.
    public static func load(in directory: String) throws(WebhookSecretFileError) -> String? {
        let file = path(in: directory)
        let descriptor = open(file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { return nil }
            throw .cannotRead(file, reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 512)
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        guard count >= 0 else { throw .cannotRead(file, reason: String(cString: strerror(errno))) }
        let secret = String(String(decoding: buffer[..<count], as: UTF8.self).filter { !$0.isWhitespace })
        guard WebhookSecretToken.isValid(secret) else { throw .invalid(file) }
        return secret
    }
}

public enum WebhookSecretFileError: Error, Sendable, Hashable, CustomStringConvertible {
    case cannotRead(String, reason: String)
    case cannotWrite(String, reason: String)
    case invalid(String)
    /// The data directory is not one the secret may be kept in (see ``DataDirectory``).
    case dataDirectory(DataDirectoryError)

    public var description: String {
        switch self {
        case .cannotRead(let path, let reason):
            "cannot read the webhook secret \(path) (\(reason)): give the data directory's owner read access, or set TELEGRAM_WEBHOOK_SECRET"
        case .cannotWrite(let path, let reason):
            "cannot keep a webhook secret in \(path) (\(reason)): make the data directory writable, or set TELEGRAM_WEBHOOK_SECRET"
        case .dataDirectory(let error):
            error.description
        case .invalid(let path):
            "\(path) does not hold a webhook secret (1-256 of A-Z a-z 0-9 _ -): delete it to have a new one made, then run `webhook set --data-dir` again"
        }
    }
}
