import FerryCLI
import StarterBotHandlers

await FerryApp(name: "StarterBot") { bot, resources in
    registerHandlers(on: bot, sessions: resources.sessions)
}.main()
