import TelegramBotAPI

/// `setMyCommands` and friends, and the answers to callback and inline queries.
extension SimulatorWorld {
    static let maximumCommandCount = 100
    static let maximumInlineResultCount = 50

    mutating func setMyCommands(_ call: SetMyCommands) throws(BotAPIFailure) -> Bool {
        guard call.commands.count <= Self.maximumCommandCount else { throw .badRequest("too many commands") }
        for command in call.commands {
            let validName = (1...32).contains(command.command.utf8.count) && command.command.utf8.allSatisfy { byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                    || byte == UInt8(ascii: "_")
            }
            guard validName else { throw .badRequest("BOT_COMMAND_INVALID") }
            guard (1...256).contains(command.description.count) else { throw .badRequest("command description is empty") }
        }
        commands[try Self.commandListKey(scope: call.scope, languageCode: call.languageCode)] = call.commands
        log.record(.setCommands(call.commands))
        return true
    }

    func getMyCommands(_ call: GetMyCommands) throws(BotAPIFailure) -> [BotCommand] {
        commands[try Self.commandListKey(scope: call.scope, languageCode: call.languageCode)] ?? []
    }

    mutating func deleteMyCommands(_ call: DeleteMyCommands) throws(BotAPIFailure) -> Bool {
        commands[try Self.commandListKey(scope: call.scope, languageCode: call.languageCode)] = nil
        return true
    }

    private static func commandListKey(scope: BotCommandScope?, languageCode: String?) throws(BotAPIFailure) -> CommandListKey {
        // The default scope and no scope are the same list.
        guard let scope, case .object(let members) = try? JSONValue.encoding(scope), members["type"] != "default" else {
            return CommandListKey(scope: nil, languageCode: languageCode?.nilIfEmpty)
        }
        return CommandListKey(scope: .object(members), languageCode: languageCode?.nilIfEmpty)
    }

    /// A file the bot uploaded, with the path it is downloaded from (`/file/bot<token>/<path>`).
    func getFile(_ call: GetFile) throws(BotAPIFailure) -> File {
        guard let stored = files[call.fileID] else { throw .badRequest("invalid file_id") }
        return File(fileID: stored.fileID, fileUniqueID: stored.fileUniqueID, fileSize: stored.upload.bytes.count, filePath: Self.filePathPrefix + stored.fileID)
    }

    /// The file `getFile` gave `path` for.
    func file(atPath path: String) -> StoredFile? {
        guard path.hasPrefix(Self.filePathPrefix) else { return nil }
        return files[String(path.dropFirst(Self.filePathPrefix.count))]
    }

    static let filePathPrefix = "files/"

    mutating func answerCallbackQuery(_ call: AnswerCallbackQuery) throws(BotAPIFailure) -> Bool {
        guard callbackQueries.remove(call.callbackQueryID) != nil else { throw .queryIsTooOld }
        log.record(.answeredCallbackQuery(call))
        return true
    }

    mutating func answerInlineQuery(_ call: AnswerInlineQuery) throws(BotAPIFailure) -> Bool {
        guard inlineQueries.contains(call.inlineQueryID) else { throw .queryIsTooOld }
        guard call.results.count <= Self.maximumInlineResultCount else { throw .badRequest("RESULTS_TOO_MUCH") }
        var ids: Set<String> = []
        for result in call.results {
            guard let id = (try? JSONValue.encoding(result))?["id"]?.stringValue, !id.isEmpty, id.utf8.count <= 64 else {
                throw .badRequest("RESULT_ID_INVALID")
            }
            guard ids.insert(id).inserted else { throw .badRequest("RESULT_ID_DUPLICATE") }
        }
        inlineQueries.remove(call.inlineQueryID)
        log.record(.answeredInlineQuery(call))
        return true
    }
}

extension JSONValue {
    /// `value` as the JSON it encodes to.
    static func encoding(_ value: some Encodable) throws -> JSONValue {
        try BotAPIDecoder().decode(JSONValue.self, from: BotAPIAnswer.encode(value))
    }
}

extension String {
    fileprivate var nilIfEmpty: String? { isEmpty ? nil : self }
}
