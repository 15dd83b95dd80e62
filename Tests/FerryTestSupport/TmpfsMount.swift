public import Foundation

/// A small disk for a test to fill: a tmpfs of a given size mounted on a fresh directory (root only, as CI
/// runs), unmounted and removed on every path out of ``with(mebibytes:_:)``.
public struct TmpfsMount: Sendable {
    public let path: String

    /// Mounts a tmpfs of `mebibytes`, runs `body` with it, then unmounts it, whatever `body` did.
    public static func with<T>(mebibytes: Int, _ body: (TmpfsMount) async throws -> T) async throws -> T {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-tmpfs-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        do {
            try run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(mebibytes)m,mode=0700", "tmpfs", path])
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw TestFailure("cannot mount a \(mebibytes) MiB tmpfs on \(path) (this test needs root, as CI has): \(error)")
        }
        let mount = TmpfsMount(path: path)
        do {
            let result = try await body(mount)
            mount.unmount()
            return result
        } catch {
            mount.unmount()
            throw error
        }
    }

    /// Grows (or shrinks) the filesystem in place, its files kept: space returning to a full disk.
    public func resize(mebibytes: Int) throws {
        try Self.run("/bin/mount", ["-o", "remount,size=\(mebibytes)m", path])
    }

    /// Unmounts; lazily when something still holds a file open (a process the test failed to stop), so no
    /// mount outlives the test either way.
    private func unmount() {
        if (try? Self.run("/bin/umount", [path])) == nil { _ = try? Self.run("/bin/umount", ["-l", path]) }
        try? FileManager.default.removeItem(atPath: path)
    }

    private static func run(_ executable: String, _ arguments: [String]) throws {
        // mount's messages are a line or two: they fit the pipe, so reading after the exit cannot stall it.
        let errors = ChildOutput()
        let process = try ChildProcess(executable: executable, arguments: arguments, environment: ["PATH": "/usr/bin:/bin"], standardError: errors)
        let status = process.waitUntilExit()
        let message = errors.finish()
        guard status == 0 else {
            throw TestFailure("\(executable) \(arguments.joined(separator: " ")) failed (\(status)): \(message)")
        }
    }
}
