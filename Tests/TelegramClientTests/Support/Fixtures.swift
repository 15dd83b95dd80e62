import AsyncHTTPClient
import FerryTestSupport
import Logging
import TelegramBotAPI
import TelegramClient
import Testing

/// The token format of Telegram's documentation; the part after the colon is what must never leak.
let token = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"
let tokenSecret = "ABC-DEF1234ghIkl-zyx57W2v1u123ew11"

/// Retries as the default policy does, without making the tests wait.
let fastRetry = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(1), maxDelay: .milliseconds(5))

/// A method that sends its parameters and accepts any result, so the tests do not depend on generated names.
struct Echo: TelegramMethod {
    typealias Result = JSONValue
    static let name = "echo"
    var text: String
    var count: Int = 1
    var timeout: Int?
}

/// A method whose result cannot hold what the fake server answers.
struct CountSomething: TelegramMethod {
    typealias Result = Int
    static let name = "countSomething"
}

/// Long polling as `getUpdates` does it: Telegram holds the call open for `timeout` seconds.
struct LongPoll: TelegramMethod {
    typealias Result = JSONValue
    static let name = "getUpdates"
    var timeout: Int
}

/// A document upload shaped like `sendDocument`, with an uploaded thumbnail and nested markup.
struct UploadDocument: TelegramMethod {
    typealias Result = JSONValue
    static let name = "sendDocument"
    var chatID: Int
    var document: InputFile
    var thumbnail: InputFile?
    var caption: String?
    var disableNotification: Bool?
    var replyMarkup: JSONValue?

    enum CodingKeys: String, CodingKey {
        case chatID = "chat_id", document, thumbnail, caption
        case disableNotification = "disable_notification", replyMarkup = "reply_markup"
    }
}

/// Runs `body` with a fake Bot API and a client of its own pointed at it; shuts the client down afterwards.
/// The default timeout is far above what a loaded machine needs for an answer that is not delayed on purpose.
@discardableResult
func withClient<T: Sendable>(
    replies: [ScriptedReply],
    basePath: String = "",
    timeout: Duration = .seconds(30),
    retry: RetryPolicy = fastRetry,
    logger: Logger? = nil,
    sharedHTTPClient: Bool = false,
    _ body: (TelegramClient, FakeHTTPServer) async throws -> T
) async throws -> T {
    precondition(!replies.isEmpty, "script at least one reply")
    return try await FakeHTTPServer.withServer(respond: { index, request in
        replies[min(index, replies.count - 1)].echoingPath(of: request)
    }) { server in
        let configuration = TelegramClient.Configuration(baseURL: server.baseURL + basePath, timeout: timeout, retryPolicy: retry)
        // As the Lambda roles do: one HTTPClient for the Bot API and other services, owned by the caller.
        let shared = sharedHTTPClient
            ? HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: TelegramClient.httpClientConfiguration())
            : nil
        let client =
            if let shared {
                TelegramClient(token: token, configuration: configuration, httpClient: shared, logger: logger ?? Logger(label: "test"))
            } else if let logger {
                TelegramClient(token: token, configuration: configuration, logger: logger)
            } else {
                TelegramClient(token: token, configuration: configuration)
            }
        do {
            let result = try await body(client, server)
            try await client.shutdown()
            try await shared?.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            try? await shared?.shutdown()
            throw error
        }
    }
}

/// Every way a value is commonly turned into text must leave the token out.
func expectNoToken(_ value: Any, sourceLocation: SourceLocation = #_sourceLocation) {
    var dumped = ""
    dump(value, to: &dumped)
    for text in [String(describing: value), String(reflecting: value), dumped] {
        #expect(!text.contains(tokenSecret), "token leaked: \(text)", sourceLocation: sourceLocation)
    }
}
