import FerryTestSupport
import TelegramBotAPI

/// The fake HTTP server as a bot's webhook endpoint, for the simulator to deliver to.
extension FakeHTTPServer {
    var webhookURL: String { baseURL + "/webhook" }
}

/// A request the simulator made as a webhook delivery.
extension ReceivedRequest {
    var secretToken: String? { header("X-Telegram-Bot-Api-Secret-Token") }

    func update() throws -> Update {
        try BotAPIDecoder().decode(Update.self, from: body)
    }
}
