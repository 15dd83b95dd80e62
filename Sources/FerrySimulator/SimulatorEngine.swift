import Synchronization
import TelegramBotAPI

/// The simulated Telegram behind the HTTP server: the world behind its lock, the method table, faults,
/// and the signals that wake long polls, the webhook deliverer and tests waiting for the bot.
///
/// Every change goes through ``mutate(_:)``, which announces the bot's new actions (in order, under the
/// lock) and wakes every waiter, so there is one path from a change to everyone who cares about it.
final class SimulatorEngine: Sendable {
    let configuration: BotAPISimulator.Configuration
    let changes = ChangeSignal()
    let observers: ActionObservers
    private let world: Mutex<SimulatorWorld>
    private let faults = Mutex(FaultPlan())
    private let token: [UInt8]

    init(configuration: BotAPISimulator.Configuration) {
        self.configuration = configuration
        self.token = Array(configuration.token.utf8)
        self.observers = ActionObservers(bufferLimit: configuration.historyLimit)
        self.world = Mutex(
            SimulatorWorld(
                bot: configuration.botUser,
                rateLimits: configuration.rateLimits,
                groupPrivacy: configuration.groupPrivacy,
                historyLimit: configuration.historyLimit,
                firstUpdateID: configuration.firstUpdateID
            )
        )
    }

    /// Compares in time independent of where the tokens differ, so response timing reveals nothing of the token.
    func accepts(token candidate: some StringProtocol) -> Bool {
        let bytes = Array(candidate.utf8)
        guard bytes.count == token.count else { return false }
        var difference: UInt8 = 0
        for (left, right) in zip(bytes, token) { difference |= left ^ right }
        return difference == 0
    }

    // MARK: The world

    func mutate<Result: Sendable>(_ body: (inout SimulatorWorld) throws -> Result) rethrows -> Result {
        let result = try world.withLock { world in
            let result = try body(&world)
            world.revision &+= 1
            observers.publish(world.log.takeUnannounced())
            return result
        }
        changes.notify()
        return result
    }

    func read<Result: Sendable>(_ body: (SimulatorWorld) throws -> Result) rethrows -> Result {
        try world.withLock { try body($0) }
    }

    /// Waits until `check` finds what it looks for in the world, re-checking after every change.
    func wait<Result: Sendable>(until deadline: ContinuousClock.Instant?, for check: (SimulatorWorld) -> Result?) async -> Result? {
        await changes.wait(until: deadline) { read(check) }
    }

    /// Ends every wait: long polls answer at once, waits in tests give up, the deliverer stops.
    func close() {
        changes.close()
        observers.finish()
    }

    // MARK: Faults

    func inject(_ fault: SimulatedFault, into method: String, times: Int) {
        faults.withLock { $0.add(fault, method: method, times: times) }
    }

    func removeFaults() {
        faults.withLock { $0.removeAll() }
    }

    // MARK: Calls

    /// Answers one Bot API call as Telegram would.
    func call(_ method: String, parameters: RequestParameters) async -> BotAPIAnswer {
        let name = method.lowercased()
        guard let handler = Self.methods[name] else { return .failure(.notFound) }
        let fault = faults.withLock { $0.next(for: name) }
        if case .failure(let failure) = fault { return .failure(failure) }

        let answer: BotAPIAnswer
        do {
            switch handler {
            case .immediate(let perform):
                let moment = Moment.now
                let (result, description) = try mutate { world in try perform(&world, parameters, moment) }
                answer = .success(result, description: description)
            case .longPoll:
                answer = try await getUpdates(parameters)
            }
        } catch let failure as BotAPIFailure {
            answer = .failure(failure)
        } catch {
            answer = .failure(.internalServerError)
        }

        if case .delay(let delay) = fault {
            // A pause that shutdown cuts short, so a scripted delay never holds up the server's shutdown.
            _ = await changes.wait(until: .now + delay) { nil as Never? }
        }
        return answer
    }

    /// `getUpdates`: answers at once when updates are pending, else holds the call until one arrives,
    /// the long-poll timeout passes, or a newer call or a webhook takes over.
    private func getUpdates(_ parameters: RequestParameters) async throws -> BotAPIAnswer {
        let call = try parameters.decode(GetUpdates.self)
        let limit = min(max(call.limit ?? 100, 1), 100)
        let timeout = min(Duration.seconds(max(call.timeout ?? 0, 0)), configuration.maximumLongPollTimeout)
        let generation = try mutate { world in
            let generation = try world.beginPoll(call)
            world.waitingPolls += 1
            return generation
        }
        defer { mutate { $0.waitingPolls -= 1 } }

        let outcome = await wait(until: .now + timeout) { world in world.pollOutcome(generation: generation, limit: limit) }
        switch outcome ?? read({ $0.pollOutcome(generation: generation, limit: limit) }) {
        case .updates(let updates): return .success(updates)
        case .superseded(let failure): return .failure(failure)
        case nil: return .success([Update]())
        }
    }

    // MARK: Method table

    enum Handler: Sendable {
        /// Performed at once under the world's lock: the result and Telegram's optional description.
        case immediate(@Sendable (inout SimulatorWorld, RequestParameters, Moment) throws -> (any Encodable & Sendable, String?))
        case longPoll
    }

    /// The methods the simulator implements, by lowercased name: Telegram's method names are case-insensitive.
    static let methods: [String: Handler] = {
        var table: [String: Handler] = [:]
        func on<Method: TelegramMethod & Decodable>(
            _ method: Method.Type,
            _ perform: @escaping @Sendable (inout SimulatorWorld, Method, RequestParameters, Moment) throws -> any Encodable & Sendable
        ) {
            table[Method.name.lowercased()] = .immediate { world, parameters, moment in
                (try perform(&world, try parameters.decode(Method.self), parameters, moment), nil)
            }
        }
        on(GetMe.self) { world, _, _, _ in world.bot }
        on(SendMessage.self) { world, call, _, moment in try world.sendMessage(call, at: moment) }
        on(SendPhoto.self) { world, call, parameters, moment in try world.sendPhoto(call, parameters: parameters, at: moment) }
        on(SendDocument.self) { world, call, parameters, moment in try world.sendDocument(call, parameters: parameters, at: moment) }
        on(EditMessageText.self) { world, call, _, moment in try world.editMessageText(call, at: moment) }
        on(DeleteMessage.self) { world, call, _, _ in try world.deleteMessage(call) }
        on(SendChatAction.self) { world, call, _, _ in try world.sendChatAction(call) }
        on(AnswerCallbackQuery.self) { world, call, _, _ in try world.answerCallbackQuery(call) }
        on(AnswerInlineQuery.self) { world, call, _, _ in try world.answerInlineQuery(call) }
        on(SetMyCommands.self) { world, call, _, _ in try world.setMyCommands(call) }
        on(GetMyCommands.self) { world, call, _, _ in try world.getMyCommands(call) }
        on(DeleteMyCommands.self) { world, call, _, _ in try world.deleteMyCommands(call) }
        on(GetWebhookInfo.self) { world, _, _, _ in world.webhookInfo() }
        on(GetFile.self) { world, call, _, _ in try world.getFile(call) }
        // These two also say what they did, as Telegram does: "Webhook was set".
        table[SetWebhook.name.lowercased()] = .immediate { world, parameters, _ in
            let (result, description) = try world.setWebhook(try parameters.decode(SetWebhook.self))
            return (result, description)
        }
        table[DeleteWebhook.name.lowercased()] = .immediate { world, parameters, _ in
            let (result, description) = world.deleteWebhook(try parameters.decode(DeleteWebhook.self))
            return (result, description)
        }
        table[GetUpdates.name.lowercased()] = .longPoll
        return table
    }()
}
