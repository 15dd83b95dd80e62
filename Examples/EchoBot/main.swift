import ExampleBots
import FerryCLI

// EchoBot: /start, /help, and an echo of any other text. `EchoBot serve --port 8080 --data-dir data`
await FerryApp(name: "EchoBot") { bot, _ in
    EchoBotExample.register(on: bot)
}.main()
