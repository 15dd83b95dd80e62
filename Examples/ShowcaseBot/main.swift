import ExampleBots
import FerryCLI

// ShowcaseBot: inline keyboards with typed callback data, a session counter, a conversation, formatted text
// and a command menu. `ShowcaseBot serve --port 8080 --data-dir data`; its sessions live in the data directory.
// Its replies go through the throttle, which holds each back until Telegram's flood limits allow it.
await FerryApp(name: "ShowcaseBot", api: { $0.throttled() }) { bot, resources in
    ShowcaseBotExample.register(on: bot, sessions: resources.sessions)
}.main()
