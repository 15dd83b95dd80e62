// A bot's tests need two imports, `Testing` and `FerryTesting`: the test kit brings the framework, the
// Bot API types and the Bot API simulator with it.
@_exported public import Ferry
@_exported public import FerrySimulator
@_exported public import TelegramBotAPI
