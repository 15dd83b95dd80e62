public import Ferry

/// The design's example bot: greets on /start, offers help on /help, echoes any other text.
public enum EchoBotExample {
    public static func register(on bot: Bot) {
        bot.command("start") { ctx, _ in try await ctx.reply("Welcome to my bot!") }
        bot.command("help") { ctx, _ in try await ctx.reply("How can I help you?") }
        bot.on(.text) { ctx, text in try await ctx.reply("You said: \(text)") }
    }
}
