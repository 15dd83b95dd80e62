public import FerrySQLite

/// Where the playground reads how the pipeline is doing: the host's queue.
public protocol PipelineStateSource: Sendable {
    /// Updates waiting or in flight.
    func depth() async throws -> Int
    func deadLetterCount() async throws -> Int
}

extension SQLiteUpdateQueue: PipelineStateSource {}

/// The pipeline at one moment, as the page's status panel shows it.
public struct PipelineState: Sendable, Hashable, Codable {
    /// Updates the simulated Telegram holds for the bot: not yet accepted by its webhook.
    public var awaitingDelivery: Int
    /// Updates in the bot's queue, waiting or being handled.
    public var queueDepth: Int
    public var deadLetters: Int

    public init(awaitingDelivery: Int, queueDepth: Int, deadLetters: Int) {
        self.awaitingDelivery = awaitingDelivery
        self.queueDepth = queueDepth
        self.deadLetters = deadLetters
    }
}
