import AsyncHTTPClient
import Ferry
import FerryTesting

/// Shared by the tests that post to a bot process, as `HTTPClient.shared` is shared: a global lives as long
/// as the process, so it is never deinitialized and needs no shutdown.
let patientHTTPClient = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: .patient)

/// The handlers of the example EchoBot, written here so these tests do not depend on the examples.
enum EchoBotHandlers {
    @Sendable static func register(on bot: Bot) {
        bot.command("start") { ctx, _ in try await ctx.reply("Welcome to my bot!") }
        bot.on(.text) { ctx, text in try await ctx.reply("You said: \(text)") }
    }
}
