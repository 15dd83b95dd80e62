import ExampleBots
import Ferry
import FerryCLI

// The EchoBot with one handler that traps the process, as a bug in a bot's handler would: the fault
// tests run it to show that an update which kills the bot is set aside instead of killing it at every
// start. `/overflow N` adds N (1 without one) to Int.max.
await FerryApp(name: "TrapBot") { bot, _ in
    bot.command("overflow") { _, command in
        let addend = command.argumentList.first.flatMap { Int($0) } ?? 1
        _ = Int.max + addend
    }
    EchoBotExample.register(on: bot)
}.main()
