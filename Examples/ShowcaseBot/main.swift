import ExampleBots
import FerryCLI

// ShowcaseBot: inline keyboards with typed callback data, a session counter and a conversation.
// `ShowcaseBot serve --port 8080 --data-dir data`; its sessions live in the data directory.
await FerryApp(name: "ShowcaseBot") { bot, resources in
    ShowcaseBotExample.register(on: bot, sessions: resources.sessions)
}.main()
