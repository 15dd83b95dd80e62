import ArgumentParser
import FerryDeploy
import FerryPlayground
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `dev`: the everyday loop. Builds the bot, runs it as `serve` (the playground without a token), and on
/// every saved change to the package's sources builds again and restarts it on the same port and data
/// directory. A failed build keeps the last good one running and shows its errors in the terminal and as a
/// banner in the playground.
struct DevCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev",
        abstract: "Run the bot, rebuild it when a source file changes, and restart it on the same port and data directory.",
        discussion: """
            Run it from the package's directory: `swift run MyBot dev`. It watches the package's .swift files \
            (Tests excepted), builds with `swift build --product MyBot` when one \
            changes, and restarts the bot once the build succeeds. Without TELEGRAM_BOT_TOKEN the bot runs the \
            offline playground at http://127.0.0.1:PORT/playground: the page reconnects by itself, keeps the \
            conversation, and shows build errors as a banner. Updates that arrive during a restart wait in the \
            queue and are handled after it. Stop with Ctrl-C.
            """
    )

    @Option(help: "Port the bot listens on, the same across restarts.")
    var port: Int = 8080

    @Option(help: "Directory of the bot's SQLite file and the playground's world, the same across restarts.")
    var dataDir: String = "./data"

    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "The package to watch and build (default: the current directory).")
    var packagePath: String = "."

    @Option(help: "The executable product to build (default: this binary's name).")
    var product: String?

    @Option(help: "How often the sources are checked for changes, in milliseconds.")
    var pollInterval: Int = 300

    func validate() throws {
        guard FileManager.default.fileExists(atPath: packagePath + "/Package.swift") else {
            throw ValidationError(
                "no Package.swift in \(packagePath): run `dev` from the bot package's directory, or pass --package-path"
            )
        }
        guard (1...10_000).contains(pollInterval) else { throw ValidationError("--poll-interval is 1 to 10000 milliseconds") }
    }

    func run() async throws {
        let product = product ?? DevLoop.executableName()
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        let loop = DevLoop(
            packagePath: packagePath, product: product, dataDirectory: dataDir,
            serveArguments: ["serve", "--port", String(port), "--host", host, "--data-dir", dataDir],
            pollInterval: .milliseconds(pollInterval)
        )
        try await loop.run()
    }
}

/// The loop behind `dev`: watch, build, restart.
struct DevLoop: Sendable {
    let packagePath: String
    let product: String
    let dataDirectory: String
    let serveArguments: [String]
    let pollInterval: Duration

    /// The bot runs from a copy of the built binary, so the next build can replace the original while it runs.
    private var runningCopy: String { dataDirectory + "/.dev/" + product }
    private var status: DevStatusFile { DevStatusFile(path: dataDirectory + "/" + DevStatusFile.name) }

    static func executableName() -> String {
        let path = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return String(path.split(separator: "/").last ?? "bot")
    }

    func run() async throws {
        let stop = DevStopSignal()
        // Tests do not go into the bot's binary; their changes need no restart.
        let watcher = SourceWatcher(root: packagePath, excluding: [dataDirectory, packagePath + "/Tests"])
        var sources = watcher.snapshot()
        var bot: DevBot?
        var reportedExit = false
        say("dev: watching \(sources.count) source files under \(packagePath); Ctrl-C stops")

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await stop.waitForSignal() }
            if try await build() { bot = try start() }
            while !stop.requested {
                try? await Task.sleep(for: pollInterval)
                if let running = bot, !reportedExit, let exit = running.exitStatus {
                    reportedExit = true
                    say("dev: the bot stopped (\(exit)); save a file to build and start it again")
                    status.write(DevStatus(state: .stopped, message: "The bot stopped (\(exit)); the terminal shows why."))
                }
                var current = watcher.snapshot()
                guard current != sources, !stop.requested else { continue }
                // Editors save in several steps: wait until the files hold still before building.
                while true {
                    try? await Task.sleep(for: .milliseconds(100))
                    let settled = watcher.snapshot()
                    if settled == current { break }
                    current = settled
                }
                sources = current
                say("dev: sources changed; building \(product)")
                guard try await build(), !stop.requested else { continue }
                await bot?.stop()
                bot = try start()
                reportedExit = false
            }
            group.cancelAll()
        }
        await bot?.stop()
        status.remove()
        say("dev: stopped")
    }

    /// `swift build --product`, its output streamed to the terminal. On failure the errors go to the status
    /// file for the playground's banner, and the running bot is left alone.
    private func build() async throws -> Bool {
        status.write(DevStatus(state: .building, message: "Building \(product)…"))
        let clock = ContinuousClock()
        let started = clock.now
        let result = try await swift(["build", "--package-path", packagePath, "--product", product], streaming: true)
        guard result.succeeded else {
            if !result.standardError.isEmpty { say(result.standardError) }
            say("dev: the build failed; the last good build keeps running. Fix the errors above and save.")
            status.write(DevStatus(state: .failed, message: DevLoop.errorLines(result.standardOutput + "\n" + result.standardError)))
            return false
        }
        say("dev: built in \(DevLoop.seconds(clock.now - started))")
        let binPath = try await swift(["build", "--package-path", packagePath, "--show-bin-path"], streaming: false)
        let built = binPath.standardOutput.trimmed + "/" + product
        try FileManager.default.createDirectory(atPath: dataDirectory + "/.dev", withIntermediateDirectories: true)
        try? FileManager.default.removeItem(atPath: runningCopy)
        try FileManager.default.copyItem(atPath: built, toPath: runningCopy)
        return true
    }

    private func swift(_ arguments: [String], streaming: Bool) async throws -> CommandResult {
        var echo: (@Sendable (String) -> Void)?
        if streaming { echo = { (line: String) in say(line) } }
        do {
            return try await ProcessCommandRunner().run(
                Command(executable: "swift", arguments: arguments, timeout: .seconds(3600), onOutputLine: echo)
            )
        } catch {
            status.write(DevStatus(state: .failed, message: "swift could not run: \(error)"))
            throw CommandError("swift could not run: \(error). Put the Swift toolchain on PATH and start `dev` again.")
        }
    }

    private func start() throws -> DevBot {
        status.write(DevStatus(state: .running, message: nil))
        return DevBot.start(
            executable: runningCopy, arguments: serveArguments,
            environment: [DevStatusFile.environmentVariable: status.path]
        )
    }

    /// The compiler's errors for the banner: each distinct error line (swift build reports most twice) with the
    /// line of code it quotes; at most 20 errors.
    static func errorLines(_ output: String) -> String {
        let lines = output.split(separator: "\n").map(String.init)
        var seen: Set<String> = []
        var kept: [String] = []
        for (index, line) in lines.enumerated() where line.contains("error:") && !line.contains("`-") && seen.count < 20 {
            guard seen.insert(line.trimmed).inserted else { continue }
            kept.append(line.trimmed)
            if index + 1 < lines.count, lines[index + 1].contains(" | ") { kept.append(lines[index + 1]) }
        }
        let text = (kept.isEmpty ? Array(lines.suffix(20)) : kept).joined(separator: "\n")
        return text.trimmed.isEmpty ? "The build failed; the terminal shows why." : text
    }

    static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return "\(seconds).\(attoseconds / 100_000_000_000_000_000) s"
    }
}

/// Prints a line at once: `dev`'s output is often a pipe (an editor, a test), which would hold it back.
func say(_ line: String) {
    print(line)
    fflush(nil)
}

extension String {
    var trimmed: String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
