import FerryPlayground
import FerryTestSupport
import FerryTesting
import Foundation
import Testing

/// `dev` against a real (tiny) package and a real `swift build`: it starts the product as `serve` on the
/// given port and data directory, restarts it when a source changes, keeps the last good build running
/// when a build fails, and says so in the terminal and in the status file the playground shows.
@Suite struct DevLoopTests {
    @Test func rebuildsOnSaveKeepsTheLastGoodBuildAndStopsCleanly() async throws {
        let package = temporaryDirectory()
        let dataDir = temporaryDirectory()
        try FileManager.default.createDirectory(atPath: package + "/Sources/Tiny", withIntermediateDirectories: true)
        try Self.manifest.write(toFile: package + "/Package.swift", atomically: true, encoding: .utf8)
        try Self.source(version: 1).write(toFile: package + "/Sources/Tiny/main.swift", atomically: true, encoding: .utf8)
        let status = DevStatusFile(path: dataDir + "/" + DevStatusFile.name)

        let environment = ProcessInfo.processInfo.environment
        let dev = try BotProcess.start(
            ["dev", "--package-path", package, "--product", "Tiny", "--data-dir", dataDir, "--port", "0", "--poll-interval", "100"],
            environment: ["PATH": environment["PATH"] ?? "/usr/bin:/bin", "HOME": environment["HOME"] ?? NSTemporaryDirectory()]
        )
        try await dev.stoppedOnFailure {
            // A build needs minutes on a busy machine; each wait returns as soon as the line is there.
            _ = try await dev.waitForLog("version 1 to run", within: .seconds(600)) { $0.contains("tiny 1 serving: serve --port 0") ? true : nil }
            #expect(dev.log.contains("--data-dir \(dataDir)"), "the same data directory is passed on")
            #expect(status.read()?.state == .running)

            try "let broken = \n".write(toFile: package + "/Sources/Tiny/main.swift", atomically: true, encoding: .utf8)
            _ = try await dev.waitForLog("the failed build", within: .seconds(600)) { $0.contains("the build failed") ? true : nil }
            // The status file follows the log line; a save seen twice may start one more (failing) build first.
            var latest = status.read()
            for _ in 0..<1200 where latest?.state != .failed {
                try await Task.sleep(for: .milliseconds(100))
                latest = status.read()
            }
            let failed = try #require(latest)
            #expect(failed.state == .failed)
            #expect(failed.message?.contains("error:") == true, "the banner shows the compiler's error")
            #expect(!dev.log.contains("tiny 1 stopping"), "the last good build keeps running")

            try Self.source(version: 2).write(toFile: package + "/Sources/Tiny/main.swift", atomically: true, encoding: .utf8)
            _ = try await dev.waitForLog("version 2 to run", within: .seconds(600)) { $0.contains("tiny 2 serving") ? true : nil }
            #expect(dev.log.contains("tiny 1 stopping"), "the old build was stopped with SIGTERM before the new one started")
            #expect(status.read()?.state == .running)
        }
        dev.signal(SIGINT)
        try await dev.waitForExit(within: .seconds(60))
        #expect(dev.exitStatus == 0, "\(dev.log)")
        #expect(dev.log.contains("dev: stopped"))
        #expect(status.read() == nil, "no banner is left behind")
    }

    static let manifest = """
        // swift-tools-version:5.9
        import PackageDescription
        let package = Package(name: "Tiny", targets: [.executableTarget(name: "Tiny")])
        """

    /// A stand-in for a bot: says which version serves with which arguments, and says when it is stopped.
    static func source(version: Int) -> String {
        """
        #if canImport(Glibc)
        import Glibc
        #else
        import Darwin
        #endif
        setvbuf(stdout, nil, _IOLBF, 0)
        signal(SIGTERM) { _ in
            let line = "tiny \(version) stopping\\n"
            _ = write(1, line, line.utf8.count)
            _exit(0)
        }
        print("tiny \(version) serving: " + CommandLine.arguments.dropFirst().joined(separator: " "))
        while true { sleep(1) }
        """
    }
}
