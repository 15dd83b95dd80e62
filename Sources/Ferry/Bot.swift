public import Logging
public import TelegramBotAPI
import Synchronization

/// A Telegram bot: the middleware and handlers registered on it, the client they answer with,
/// and what happens on errors and dead letters.
///
/// ```swift
/// let bot = Bot(api: client, username: "OurBot")
/// bot.command("start") { ctx, command in try await ctx.reply("Hello!") }
/// bot.on(.photo) { ctx, sizes in try await ctx.reply("Nice photo") }
/// ```
///
/// The runtime calls ``handle(_:)`` for each update. It hands one chat's updates over strictly in
/// order, one at a time, while different chats run in parallel; handlers can therefore
/// read-modify-write per-chat state (the session) without locks.
public final class Bot: Composing {
    public typealias ErrorHandler = @Sendable (any Error, Context) async throws -> Void
    public typealias DeadLetterHook = @Sendable (Context, DeadLetter) async throws -> Void

    public let api: any BotAPI
    public let logger: Logger
    private let root = Composer()
    /// The composer everything registered on the bot goes to, for what is gathered from it (command descriptions).
    var rootComposer: Composer { root }
    private let state: Mutex<State>

    private struct State {
        var username: String?
        var errorHandler: ErrorHandler?
        var deadLetterHook: DeadLetterHook = Bot.apologize
    }

    /// - Parameter username: the bot's username (without "@"). When `nil`, it is fetched with
    ///   `getMe` the first time a command mentions a bot, since only then does it matter.
    public init(api: any BotAPI, username: String? = nil, logger: Logger = Logger(label: "ferry.bot")) {
        self.api = api
        self.logger = logger
        self.state = Mutex(State(username: username))
    }

    public var username: String? { state.withLock { $0.username } }

    public func use(_ middleware: any Middleware) {
        root.use(middleware)
    }

    /// The update kinds the registered middleware and handlers can take, by Telegram's names in
    /// the order of the Bot API docs: the `allowed_updates` of `setWebhook` and `getUpdates`.
    /// `command`, `hears` and `on(.text)` take messages, channel posts and business messages;
    /// `callbackQuery` takes `callback_query`; `onAny`, or middleware Ferry cannot look into,
    /// takes every kind, including those Telegram leaves out unless asked (`chat_member`,
    /// `message_reaction`, `message_reaction_count`). Read it after registering the handlers.
    public var allowedUpdates: [String] {
        root.updateKinds.names
    }

    /// Handles errors thrown by middleware and handlers. Rethrowing (or throwing another error)
    /// makes `handle` fail, so the runtime retries the update and, in the end, dead-letters it.
    public func `catch`(_ handler: @escaping ErrorHandler) {
        state.withLock { $0.errorHandler = handler }
    }

    /// Replaces what happens when an update is dead-lettered; the default apologizes in its chat.
    public func onDeadLetter(_ hook: @escaping DeadLetterHook) {
        state.withLock { $0.deadLetterHook = hook }
    }

    /// Runs one update through the middleware and handlers. An error no error handler absorbs is
    /// thrown as is, so the runtime can tell a rate limit (`TelegramAPIError.isRateLimit`) from a failure.
    public func handle(_ update: Update) async throws {
        let ctx = try await context(for: update)
        do {
            try await root.handle(ctx) {}
        } catch {
            guard let errorHandler = state.withLock({ $0.errorHandler }) else { throw error }
            try await errorHandler(error, ctx)
        }
    }

    /// Runs the dead-letter hook once for an update that failed `attempts` times.
    public func runDeadLetterHook(update: Update, reason: String, attempts: Int) async throws {
        let ctx = Context(update: update, api: api, botUsername: username, logger: logger)
        let hook = state.withLock { $0.deadLetterHook }
        try await hook(ctx, DeadLetter(update: update, reason: reason, attempts: attempts))
    }

    /// The bot's username, asking Telegram (`getMe`) the first time when it was not configured.
    @discardableResult
    public func resolveUsername() async throws -> String {
        if let username { return username }
        let me = try await api.getMe()
        let username = me.username ?? ""
        state.withLock { $0.username = username }
        return username
    }

    private func context(for update: Update) async throws -> Context {
        var username = self.username
        if username == nil, let text = update.message?.text ?? update.channelPost?.text ?? update.businessMessage?.text,
           Command(parsing: text)?.mention != nil
        {
            username = try await resolveUsername()
        }
        return Context(update: update, api: api, botUsername: username, logger: logger)
    }

    /// The default dead-letter hook: tells the chat its message was lost. A chat that blocked the
    /// bot or no longer exists cannot be told; that is logged, not retried.
    @Sendable
    static func apologize(_ ctx: Context, _ deadLetter: DeadLetter) async throws {
        ctx.logger.error("update dead-lettered", metadata: [
            "attempts": "\(deadLetter.attempts)", "reason": "\(deadLetter.reason)",
        ])
        guard ctx.chat != nil else { return }
        do {
            try await ctx.reply(DeadLetter.defaultApology)
        } catch let error as TelegramAPIError where error.isPermanent {
            ctx.logger.warning("could not tell the chat about the dead letter", metadata: ["error": "\(error)"])
        }
    }
}
