public import Ferry

/// The smallest useful bot: two commands and an echo.
public enum EchoBotExample {
    public static func register(on bot: Bot) {
        bot.command("start") { ctx, _ in try await ctx.reply("Welcome to my bot!") }
        bot.command("help") { ctx, _ in try await ctx.reply("How can I help you?") }
        // Registered last, so it takes only the text the commands above did not. A message near Telegram's
        // 4,096-character limit makes an echo over it: `split` sends that in parts.
        bot.on(.text) { ctx, text in try await ctx.reply("You said: \(text)", split: true) }
    }
}
