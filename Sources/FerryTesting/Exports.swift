// A bot's tests need two imports, `Testing` and `FerryTesting`: the test kit brings the framework and the
// Bot API types with it.
@_exported public import Ferry
@_exported public import TelegramBotAPI
