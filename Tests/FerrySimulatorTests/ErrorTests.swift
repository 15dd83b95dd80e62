import FerryTesting
import TelegramBotAPI
import TelegramClient
import Testing

/// A method the simulator (and Telegram) does not have.
private struct SummonDragon: TelegramMethod {
    typealias Result = Bool
    static let name = "summonDragon"
}

@Suite("Simulator: Telegram's errors")
struct ErrorTests {
    @Test("a wrong token gets 401 Unauthorized, whatever the method")
    func wrongToken() async throws {
        try await withSimulator(unlimited()) { simulator, _ in
            let intruder = TelegramClient(
                token: "5550001111:AAH-someone-elses-token-0000000000000",
                configuration: .init(baseURL: try #require(simulator.baseURL), retryPolicy: .none)
            )
            let errors = try await using(intruder) {
                [
                    try await apiError { try await intruder.getMe() },
                    try await apiError { try await intruder.send(SummonDragon()) },
                ]
            }
            for error in errors {
                #expect(error.errorCode == 401)
                #expect(error.description == "Unauthorized")
            }
        }
    }

    @Test("an unknown method gets 404 Not Found")
    func unknownMethod() async throws {
        try await withSimulator(unlimited()) { _, client in
            let error = try await apiError { try await client.send(SummonDragon()) }
            #expect(error.errorCode == 404)
            #expect(error.description == "Not Found")
        }
    }

    @Test("a chat the bot cannot reach: unknown, never opened, or blocked")
    func unreachableChats() async throws {
        try await withSimulator(unlimited()) { simulator, client in
            let unknown = try await apiError { try await client.sendMessage(chatID: .id(42), text: "hi") }
            #expect(unknown.errorCode == 400)
            #expect(unknown.description == "Bad Request: chat not found")
            #expect(unknown.isPermanent)
            let byName = try await apiError { try await client.sendMessage(chatID: .username("@nowhere"), text: "hi") }
            #expect(byName.description == "Bad Request: chat not found")

            let ada = simulator.createUser(firstName: "Ada")
            let stranger = try await apiError { try await client.sendMessage(chatID: .id(ada.id), text: "hi") }
            #expect(stranger.errorCode == 403)
            #expect(stranger.description == "Forbidden: bot can't initiate conversation with a user")

            try simulator.sendText(from: ada, "hi bot")
            try simulator.block(by: ada)
            let blocked = try await apiError { try await client.sendMessage(chatID: .id(ada.id), text: "still there?") }
            #expect(blocked.errorCode == 403)
            #expect(blocked.description == "Forbidden: bot was blocked by the user")

            try simulator.sendText(from: ada, "I'm back")
            _ = try await client.sendMessage(chatID: .id(ada.id), text: "welcome back")
        }
    }

    @Test("a public group is reachable by its username")
    func groupByUsername() async throws {
        try await withSimulator(unlimited()) { simulator, client in
            let ada = simulator.createUser(firstName: "Ada")
            let group = try simulator.createGroup(title: "Swift", members: [ada], username: "swift_chat")
            let sent = try await client.sendMessage(chatID: .username("@swift_chat"), text: "hello group")
            #expect(sent.chat == group)
            #expect(group.id < -1_000_000_000_000, "supergroup ids start with -100")
        }
    }

    @Test("error answers are exactly Telegram's JSON, with the HTTP status of the error code")
    func rawErrorShape() async throws {
        try await withSimulator(unlimited()) { simulator, _ in
            let notFound = try await rawCall(try simulator.url("sendMessage"), contentType: "application/json", body: Array(#"{"chat_id":42,"text":"hi"}"#.utf8))
            #expect(notFound.status == 400)
            #expect(notFound.body == #"{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}"#)

            let unauthorized = try await rawCall(try simulator.url("getMe", token: "1:wrong"))
            #expect(unauthorized.status == 401)
            #expect(unauthorized.body == #"{"ok":false,"error_code":401,"description":"Unauthorized"}"#)

            let noMethod = try await rawCall(try simulator.url("fly"))
            #expect(noMethod.status == 404)
            #expect(noMethod.body == #"{"ok":false,"error_code":404,"description":"Not Found"}"#)

            let notABotPath = try await rawCall(try #require(simulator.baseURL) + "/index.html", get: true)
            #expect(notABotPath.status == 404)
        }
    }

    @Test("a body beyond the size limit gets 413 without being read whole")
    func oversizedBody() async throws {
        try await withSimulator(unlimited { $0.maximumRequestSize = 1024 }) { simulator, _ in
            let answer = try await rawCall(try simulator.url("sendMessage"), contentType: "application/json", body: Array(repeating: 0x20, count: 4096))
            #expect(answer.status == 413)
            #expect(answer.body == #"{"ok":false,"error_code":413,"description":"Request Entity Too Large"}"#)
        }
    }

    @Test("a missing or malformed parameter is a 400 naming it")
    func badParameters() async throws {
        try await withSimulator(unlimited()) { simulator, _ in
            let noText = try await rawCall(try simulator.url("sendMessage"), contentType: "application/json", body: Array(#"{"chat_id":1}"#.utf8))
            #expect(noText.status == 400)
            #expect(try noText.json()["description"] == "Bad Request: message text is empty")

            let notJSON = try await rawCall(try simulator.url("sendMessage"), contentType: "application/json", body: Array("{chat_id".utf8))
            #expect(notJSON.status == 400)

            let badMarkup = try await rawCall(
                try simulator.url("sendMessage"),
                contentType: "application/x-www-form-urlencoded",
                body: Array("chat_id=1&text=hi&reply_markup=%7Bnot-json".utf8)
            )
            #expect(try badMarkup.json()["description"] == "Bad Request: can't parse reply keyboard markup JSON object")
        }
    }
}
