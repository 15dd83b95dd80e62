import FerryDeploy
import Synchronization
import Testing

@Suite("Command runner")
struct CommandRunnerTests {
    let runner = ProcessCommandRunner()

    @Test("standard input reaches the program; output, errors and the exit code come back")
    func roundTrip() async throws {
        let lines = Mutex<[String]>([])
        let result = try await runner.run(
            Command(
                executable: "sh",
                arguments: ["-c", "read secret; echo \"got $secret\"; echo second; echo oops >&2; exit 3"],
                input: "hunter2\n",
                onOutputLine: { line in lines.withLock { $0.append(line) } }
            )
        )
        #expect(result.exitCode == 3)
        #expect(!result.succeeded)
        #expect(result.standardOutput == "got hunter2\nsecond")
        #expect(result.standardError == "oops\n")
        #expect(lines.withLock { $0 } == ["got hunter2", "second"])
    }

    @Test("environment changes: set one variable, remove another")
    func environment() async throws {
        let result = try await runner.run(
            Command(
                executable: "sh",
                arguments: ["-c", "echo \"${FERRY_SET:-unset} ${HOME:-removed}\""],
                environment: ["FERRY_SET": "set", "HOME": nil]
            )
        )
        #expect(result.standardOutput == "set removed")
    }

    @Test("a child never sees TELEGRAM_* secrets, and AWS_* only when it calls AWS")
    func secretsKeptFromChildren() async throws {
        let parent = [
            "PATH": "/usr/bin:/bin", "HOME": "/home/bot", "LANG": "C.UTF-8",
            "TELEGRAM_BOT_TOKEN": "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11", "TELEGRAM_WEBHOOK_SECRET": "webhook-secret",
            "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "aws-secret", "AWS_SESSION_TOKEN": "aws-session",
            "AWS_PROFILE": "deploy",
        ]
        let runner = ProcessCommandRunner(parentEnvironment: parent)
        func childVariables(_ command: Command) async throws -> [String: String] {
            let output = try await runner.run(command).standardOutput
            return Dictionary(output.split(separator: "\n").map { line in
                let pair = line.split(separator: "=", maxSplits: 1)
                return (String(pair[0]), pair.count > 1 ? String(pair[1]) : "")
            }, uniquingKeysWith: { $1 })
        }

        // A build runs every dependency's plugins and scripts: nothing secret reaches it.
        let build = try await childVariables(Command(executable: "/usr/bin/env", arguments: []))
        #expect(build == ["PATH": "/usr/bin:/bin", "HOME": "/home/bot", "LANG": "C.UTF-8"])

        // The AWS CLI needs the credentials, never the bot token.
        let cli = try await childVariables(Command(executable: "/usr/bin/env", arguments: [], callsAWS: true))
        #expect(Set(cli.keys) == ["PATH", "HOME", "LANG", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"])

        // A variable the caller names on purpose is passed on.
        let named = try await childVariables(Command(executable: "/usr/bin/env", arguments: [], environment: ["AWS_PAGER": ""]))
        #expect(named["AWS_PAGER"] == "" && named["AWS_PROFILE"] == nil)
    }

    @Test("deploy's swift build and AWS CLI commands declare what they need")
    func deployCommandsDeclareAWS() async throws {
        #expect(!BootstrapBuild.command(product: "EchoBot").callsAWS)
        #expect(BootstrapBuild.command(product: "EchoBot").arguments.prefix(2) == ["swift", "build"])
        let runner = ScriptedRunner(answers: [:])
        try await AWSCommandLine(runner: runner).run("sts", "get-caller-identity")
        #expect(runner.commands.map(\.callsAWS) == [true])
    }

    @Test("a program that outlives its timeout is killed")
    func timeout() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        await #expect(throws: CommandError.timedOut(executable: "sleep", after: .milliseconds(500))) {
            try await runner.run(Command(executable: "sleep", arguments: ["120"], timeout: .milliseconds(500)))
        }
        // Far below the program's own 120 s, with room for a loaded machine.
        #expect(clock.now - start < .seconds(60))
    }

    @Test("a program that does not exist cannot be launched")
    func missing() async throws {
        let error = await #expect(throws: CommandError.self) {
            try await runner.run(Command(executable: "ferry-no-such-program", arguments: []))
        }
        guard case .launchFailed = error else {
            Issue.record("expected launchFailed, got \(String(describing: error))")
            return
        }
    }
}
