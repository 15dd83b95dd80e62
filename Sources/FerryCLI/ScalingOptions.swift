import ArgumentParser
import FerryDeploy

/// The scaling settings of `template` and `deploy`, each overriding ``BotStack``'s default (which the help
/// shows; docs/scaling.md says what to set at 100, 1,000 and 10,000 updates a second). Out-of-range values
/// are refused when the command line is read, before anything is built or deployed.
struct ScalingOptions: ParsableArguments {
    /// A stack with every setting at its default, to show the defaults in the help.
    static let defaults = BotStack(bot: "defaults", stage: "defaults")

    @Option(help: "Most consumer instances at once (the event source's MaximumConcurrency), 2 to 1000 (default: \(defaults.maximumConcurrency), which leaves room for the webhook in a new account's 10).")
    var maxConcurrency: Int?

    @Option(help: "Updates per consumer invocation, 1 to 10 (default: \(defaults.batchSize)).")
    var batchSize: Int?

    @Option(help: "Chats of one batch the consumer handles at once, 1 to 10; each chat's updates stay in order (default: \(defaults.consumerConcurrency)).")
    var consumerConcurrency: Int?

    @Option(help: "Memory of each function in MB, 128 to 10240; CPU grows with it (default: \(defaults.memory)).")
    var memory: Int?

    @Option(help: "Seconds a consumer invocation may run, 1 to 900; the queues' visibility timeout is 6 times this (default: \(defaults.timeout.components.seconds)).")
    var timeout: Int?

    @Option(help: "Failed attempts before an update is dead-lettered, 1 to 1000 (default: \(defaults.attempts)).")
    var maxAttempts: Int?

    @Option(
        help: "The functions' processor, arm64 or x86_64; the bootstrap must be built for it (default: this machine's, \(defaults.architecture.rawValue)).",
        transform: { text in
            guard let architecture = LambdaArchitecture(rawValue: text) else {
                let names = LambdaArchitecture.allCases.map(\.rawValue).joined(separator: " or ")
                throw ValidationError("--architecture is \"\(text)\"; Lambda runs \(names)")
            }
            return architecture
        }
    )
    var architecture: LambdaArchitecture?

    @Option(help: "Most connections Telegram opens to the webhook at once (setWebhook's max_connections), 1 to 100 (default: \(defaults.webhookMaxConnections)).")
    var maxConnections: Int?

    /// `stack` with the settings given on the command line, checked against what AWS and Telegram accept: a
    /// value out of range is a usage error, reported before anything is built.
    func applied(to stack: BotStack) throws -> BotStack {
        var stack = stack
        if let maxConcurrency { stack.maximumConcurrency = maxConcurrency }
        if let batchSize { stack.batchSize = batchSize }
        if let consumerConcurrency { stack.consumerConcurrency = consumerConcurrency }
        if let memory { stack.memory = memory }
        if let timeout { stack.timeout = .seconds(timeout) }
        if let maxAttempts { stack.attempts = maxAttempts }
        if let architecture { stack.architecture = architecture }
        if let maxConnections { stack.webhookMaxConnections = maxConnections }
        do {
            try stack.validate()
        } catch {
            throw ValidationError(error.description)
        }
        return stack
    }
}
