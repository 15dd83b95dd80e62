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
