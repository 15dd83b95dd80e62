// A bot's main.swift needs one import: `import FerryCLI` brings the framework (`Bot`, `Context`, filters,
// sessions) and the Bot API types with it.
@_exported public import Ferry
@_exported public import TelegramBotAPI
