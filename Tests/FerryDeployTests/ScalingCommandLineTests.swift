import FerryDeploy
import FerryTestSupport
import Foundation
import Testing

/// The scaling flags of a bot binary's `template` and `deploy`, run as an operator runs them: values reach the
/// template, and bad ones are refused with a clear message before anything is built, uploaded or deployed.
@Suite("Scaling flags on the command line")
struct ScalingCommandLineTests {
    typealias ID = BotStack.LogicalID

    @Test("template renders every scaling flag")
    func templateFlags() async throws {
        let result = try await BotProcess.run([
            "template", "--stage", "dev", "--max-concurrency", "1000", "--batch-size", "1", "--memory", "1024",
            "--timeout", "900", "--max-attempts", "7", "--architecture", "arm64", "--max-connections", "1",
            "--consumer-concurrency", "4",
        ])
        #expect(result.status == 0, "\(result.output)")
        let json = try TemplateJSON(text: result.output)
        let source = try json.properties(ID.eventSource(.consumer))
        #expect(jsonEqual(source["ScalingConfig"], ["MaximumConcurrency": 1000]))
        #expect(source["BatchSize"] as? Int == 1)
        let consumer = try json.properties(ID.function(.consumer))
        #expect(consumer["MemorySize"] as? Int == 1024)
        #expect(consumer["Timeout"] as? Int == 900)
        #expect(jsonEqual(consumer["Architectures"], ["arm64"]))
        #expect(try json.properties(ID.queue)["VisibilityTimeout"] as? Int == 5400)
        let variables = (consumer["Environment"] as? [String: Any])?["Variables"] as? [String: Any]
        #expect(variables?["FERRY_MAX_ATTEMPTS"] as? String == "7")
        #expect(variables?["FERRY_CONSUMER_CONCURRENCY"] as? String == "4")
    }

    @Test(
        "an out-of-range flag is refused before anything is rendered or built",
        arguments: [
            (["--max-concurrency", "1"], "maximum concurrency is 1; it must be between 2 and 1000"),
            (["--max-concurrency", "1001"], "maximum concurrency is 1001; it must be between 2 and 1000"),
            (["--batch-size", "11"], "batch size is 11; it must be between 1 and 10"),
            (["--consumer-concurrency", "0"], "consumer concurrency is 0; it must be between 1 and 10"),
            (["--memory", "64"], "memory (MB) is 64; it must be between 128 and 10240"),
            (["--timeout", "901"], "between 1 and 900"),
            (["--max-attempts", "0"], "attempts is 0; it must be between 1 and 1000"),
            (["--max-connections", "101"], "webhook max connections is 101; it must be between 1 and 100"),
            (["--architecture", "sparc"], "arm64"),
        ]
    )
    func refused(flags: [String], message: String) async throws {
        for command in ["template", "deploy"] {
            // No AWS credentials and no AWS_ENDPOINT_URL: had deploy gone on, it would build and then fail on AWS.
            let result = try await BotProcess.run([command, "--stage", "dev"] + flags)
            #expect(result.status != 0)
            #expect(result.output.contains(message), "\(command): \(result.output)")
            #expect(!result.output.contains("building"), "\(command) started a build: \(result.output)")
            #expect(!result.output.contains("\"Resources\""), "\(command) rendered a template")
        }
    }

    @Test("deploy refuses a bootstrap for the wrong architecture, or a file that is none, before building or uploading")
    func deployChecksTheBootstrap() async throws {
        let directory = try TemporaryDirectory()
        let script = try directory.write("#!/bin/sh\n", to: "bootstrap")
        let binary = BotProcess.builtExecutable("EchoBot").path
        let other = LambdaArchitecture.buildMachine == .x86_64 ? "arm64" : "x86_64"

        let wrong = try await BotProcess.run(["deploy", "--stage", "dev", "--executable", binary, "--architecture", other])
        #expect(wrong.status != 0)
        #expect(wrong.output.contains("but the functions run on \(other)"), "\(wrong.output)")

        let notBinary = try await BotProcess.run(["deploy", "--stage", "dev", "--executable", script])
        #expect(notBinary.status != 0)
        #expect(notBinary.output.contains("it is a script"), "\(notBinary.output)")

        // Without --executable, deploy builds for this machine, so another architecture is refused up front.
        let cross = try await BotProcess.run(["deploy", "--stage", "dev", "--architecture", other])
        #expect(cross.status != 0)
        #expect(cross.output.contains("pass it with --executable"), "\(cross.output)")
        for result in [wrong, notBinary, cross] {
            #expect(!result.output.contains("building") && !result.output.contains("uploading"), "\(result.output)")
        }
    }
}
