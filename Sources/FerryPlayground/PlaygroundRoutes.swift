import FerryServer
import FerrySimulator
import HTTPTypes
import Hummingbird
import NIOCore
import TelegramBotAPI

/// The playground's HTTP surface under `/playground`: the page, its JSON endpoints and its event stream.
struct PlaygroundRoutes: Sendable {
    let playground: Playground

    private var simulator: BotAPISimulator { playground.simulator }

    func add(to router: Router<HostRequestContext>) {
        let playgroundGroup = router.group("/playground").add(middleware: LoopbackHostCheck())
        playgroundGroup.get { _, _ in page() }
        let api = playgroundGroup.group("api")
        api.get("world") { _, _ in answer { try world() } }
        api.get("pipeline") { _, _ in await answer { try await pipeline() } }
        api.get("dev") { _, _ in answer { try devStatus() } }
        api.get("events") { request, context in eventStream(request, context) }
        api.get("chats/:chatID/messages") { _, context in answer { try history(context) } }
        api.post("users") { request, _ in await answer { try createUser(try await decode(PlaygroundAPI.NewUser.self, request)) } }
        api.post("groups") { request, _ in await answer { try createGroup(try await decode(PlaygroundAPI.NewGroup.self, request)) } }
        api.post("messages") { request, _ in await answer { try send(try await decode(PlaygroundAPI.UserMessage.self, request)) } }
        api.post("buttons") { request, _ in await answer { try press(try await decode(PlaygroundAPI.ButtonPress.self, request)) } }
    }

    // MARK: Endpoints

    private func page() -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        headers[.xContentTypeOptions] = "nosniff"
        // The page is one self-contained file: nothing may load from elsewhere, and no other site may frame it.
        headers[.contentSecurityPolicy] =
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: PlaygroundPage.html)))
    }

    private func world() throws -> PlaygroundAPI.World {
        PlaygroundAPI.World(
            bot: simulator.bot,
            commandName: playground.configuration.commandName,
            dev: playground.configuration.devStatusFile != nil,
            users: simulator.users,
            chats: simulator.chats.map { chat in
                PlaygroundAPI.ChatEntry(chat: chat, memberIDs: simulator.members(of: chat).map(\.id))
            }
        )
    }

    /// What `dev` is doing; 404 when the bot does not run under `dev`.
    private func devStatus() throws -> DevStatus {
        guard let path = playground.configuration.devStatusFile else {
            throw PlaygroundFailure(status: 404, message: "the bot does not run under `dev`")
        }
        return DevStatusFile(path: path).read() ?? DevStatus(state: .running, message: nil)
    }

    private func pipeline() async throws -> PipelineState {
        do {
            return try await playground.pipelineState()
        } catch {
            throw PlaygroundFailure(status: 503, message: "the queue cannot be read right now")
        }
    }

    private func history(_ context: HostRequestContext) throws -> [Message] {
        guard let chatID = context.parameters.get("chatID", as: Int.self) else { throw PlaygroundFailure.badRequest("a chat id is a number") }
        guard let chat = simulator.chat(id: chatID) else { throw PlaygroundFailure(status: 404, message: "there is no chat \(chatID)") }
        return Array(simulator.messages(in: chat).suffix(PlaygroundAPI.historyLimit))
    }

    private func createUser(_ request: PlaygroundAPI.NewUser) throws -> PlaygroundAPI.NewUserAnswer {
        try request.validate()
        let answer = try playground.creation.withLock { _ throws(PlaygroundFailure) -> PlaygroundAPI.NewUserAnswer in
            guard simulator.users.count < playground.configuration.maximumUsers else {
                throw PlaygroundFailure(status: 409, message: "the playground has its \(playground.configuration.maximumUsers) users already")
            }
            let user = simulator.createUser(firstName: String(request.firstName.trimmed))
            let chat = try simulated { try simulator.openPrivateChat(with: user) }
            return PlaygroundAPI.NewUserAnswer(user: user, chat: chat)
        }
        playground.events.publish(.worldChanged)
        return answer
    }

    private func createGroup(_ request: PlaygroundAPI.NewGroup) throws -> PlaygroundAPI.ChatEntry {
        try request.validate()
        let members = try Set(request.memberIDs).sorted().map { id throws(PlaygroundFailure) in try user(id) }
        let entry = try playground.creation.withLock { _ throws(PlaygroundFailure) -> PlaygroundAPI.ChatEntry in
            let groups = simulator.chats.count { $0.type != "private" }
            guard groups < playground.configuration.maximumGroups else {
                throw PlaygroundFailure(status: 409, message: "the playground has its \(playground.configuration.maximumGroups) groups already")
            }
            let chat = try simulated { try simulator.createGroup(title: String(request.title.trimmed), members: members) }
            return PlaygroundAPI.ChatEntry(chat: chat, memberIDs: members.map(\.id))
        }
        playground.events.publish(.worldChanged)
        return entry
    }

    /// The user writes; the bot receives it through its webhook like any update, and the page sees it at once.
    private func send(_ request: PlaygroundAPI.UserMessage) throws -> Message {
        try request.validate()
        let sender = try user(request.userID)
        let chat = try chat(request.chatID)
        let message = try simulated { try simulator.sendText(from: sender, in: chat.type == "private" ? nil : chat, request.text) }
        playground.events.publish(.message(message))
        return message
    }

    private func press(_ request: PlaygroundAPI.ButtonPress) throws -> Bool {
        try request.validate()
        let presser = try user(request.userID)
        let chat = try chat(request.chatID)
        guard let message = simulator.message(request.messageID, in: chat) else {
            throw PlaygroundFailure(status: 404, message: "chat \(chat.id) has no message \(request.messageID)")
        }
        _ = try simulated { try simulator.pressButton(withCallbackData: request.callbackData, on: message, by: presser) }
        return true
    }

    /// Server-sent events: the bot's actions, users' messages and the pipeline's figures as they happen.
    ///
    /// Only for the playground's own page: another site's page may open an `EventSource` here (a browser
    /// sends such a request without asking), and each one it keeps open would hold one of the streams.
    private func eventStream(_ request: Request, _ context: HostRequestContext) -> Response {
        if let refusal = CrossSiteRequest.refusal(request) { return failure(refusal) }
        let stream: AsyncStream<String>
        switch playground.events.subscribe(client: context.remoteAddress?.ipAddress ?? "unknown") {
        case .events(let events):
            stream = events
        case .full:
            return failure(PlaygroundFailure(status: 503, message: "too many playground pages are open"))
        case .clientFull:
            let limit = playground.configuration.maximumEventStreamsPerClient
            return failure(PlaygroundFailure(
                status: 429, message: "this address has \(limit) playground pages open already: close one (a closed page is noticed within seconds)"
            ))
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-store"
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                // Tells the browser how soon to reconnect, and flushes the headers so the page knows it is connected.
                try await writer.write(ByteBuffer(string: "retry: 1000\n\n"))
                for await event in stream {
                    try await writer.write(ByteBuffer(string: event))
                }
                try await writer.finish(nil)
            }
        )
    }

    // MARK: Helpers

    private func user(_ id: Int) throws(PlaygroundFailure) -> User {
        guard let user = simulator.user(id: id) else { throw PlaygroundFailure(status: 404, message: "there is no user \(id)") }
        return user
    }

    private func chat(_ id: Int) throws(PlaygroundFailure) -> Chat {
        guard let chat = simulator.chat(id: id) else { throw PlaygroundFailure(status: 404, message: "there is no chat \(id)") }
        return chat
    }

    /// Runs a user action, turning the simulator's refusal into the page's error.
    private func simulated<Result>(_ action: () throws -> Result) throws(PlaygroundFailure) -> Result {
        do {
            return try action()
        } catch let error as SimulatorError {
            let status =
                switch error {
                case .notAMember: 403
                case .unknownUser, .unknownChat, .messageNotFound, .buttonNotFound: 404
                default: 503
                }
            throw PlaygroundFailure(status: status, message: error.description)
        } catch {
            throw PlaygroundFailure(status: 500, message: "the simulator failed: \(error)")
        }
    }

    /// Reads a JSON body of at most ``PlaygroundAPI/maximumBodySize`` bytes. Requiring the JSON content
    /// type also keeps other web sites out: a browser will not send it cross-site without asking first.
    private func decode<Body: Decodable>(_ type: Body.Type, _ request: Request) async throws -> Body {
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/json") == true else {
            throw PlaygroundFailure(status: 415, message: "send JSON (Content-Type: application/json)")
        }
        let limit = PlaygroundAPI.maximumBodySize
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw PlaygroundFailure(status: 413, message: "the body is larger than \(limit) bytes")
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw PlaygroundFailure(status: 413, message: "the body is larger than \(limit) bytes")
        } catch is NIOTooManyBytesError {
            // A chunked body has no length to check beforehand: it is cut off as it passes the limit.
            throw PlaygroundFailure(status: 413, message: "the body is larger than \(limit) bytes")
        }
        do {
            return try PlaygroundJSON.decode(type, from: Array(buffer: body))
        } catch {
            throw PlaygroundFailure.badRequest("the body is not the JSON this endpoint takes")
        }
    }

    private func answer(_ body: () throws -> some Encodable) -> Response {
        do {
            return json(200, try body())
        } catch let failure as PlaygroundFailure {
            return self.failure(failure)
        } catch {
            return self.failure(PlaygroundFailure(status: 500, message: "\(error)"))
        }
    }

    private func answer(_ body: () async throws -> some Encodable) async -> Response {
        do {
            return json(200, try await body())
        } catch let failure as PlaygroundFailure {
            return self.failure(failure)
        } catch {
            return self.failure(PlaygroundFailure(status: 500, message: "\(error)"))
        }
    }

    private func failure(_ failure: PlaygroundFailure) -> Response {
        json(failure.status, PlaygroundAPI.Failure(error: failure.message))
    }

    private func json(_ status: Int, _ value: some Encodable) -> Response {
        guard let bytes = try? PlaygroundJSON.encode(value) else {
            return Response(status: .internalServerError)
        }
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.cacheControl] = "no-store"
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
