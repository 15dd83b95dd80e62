import TelegramBotAPI

/// `sendPhoto` and `sendDocument`: uploads become files with `file_id`s the bot can send again.
extension SimulatorWorld {
    mutating func sendPhoto(_ call: SendPhoto, parameters: RequestParameters, at moment: Moment) throws(BotAPIFailure) -> Message {
        let keyboard = try Self.inlineKeyboard(in: call.replyMarkup)
        let chatID = try writableChat(call.chatID)
        try Self.validateCaption(call.caption)
        let replyTo = try repliedMessage(call.replyParameters, in: chatID)
        let source = try fileSource(call.photo, parameters: parameters)
        var sizes: [PhotoSize]
        switch source {
        case .upload(let upload):
            // Checked before the rate limit is charged, so a refused photo costs nothing.
            guard let dimensions = ImageDimensions(of: upload.bytes) else { throw .badRequest("IMAGE_PROCESS_FAILED") }
            sizes = []
            for size in dimensions.photoSizes() {
                sizes.append(PhotoSize(fileID: "", fileUniqueID: "", width: size.width, height: size.height, fileSize: upload.bytes.count))
            }
            try admitMessage(to: chatID, at: moment)
            sizes = storePhoto(upload, sizes: sizes)
        case .fileID(let fileID):
            guard let known = photos[fileID] else { throw .badRequest("wrong file identifier/HTTP URL specified") }
            try admitMessage(to: chatID, at: moment)
            sizes = known
        }

        var message = botMessage(in: chatID, at: moment)
        message.messageThreadID = call.messageThreadID
        message.photo = sizes
        message.caption = call.caption
        message.captionEntities = call.captionEntities
        message.showCaptionAboveMedia = call.showCaptionAboveMedia
        message.hasMediaSpoiler = call.hasSpoiler
        message.hasProtectedContent = call.protectContent == true ? true : nil
        message.replyToMessage = replyTo
        message.replyMarkup = keyboard
        return deliver(message, to: chatID)
    }

    mutating func sendDocument(_ call: SendDocument, parameters: RequestParameters, at moment: Moment) throws(BotAPIFailure) -> Message {
        let keyboard = try Self.inlineKeyboard(in: call.replyMarkup)
        let chatID = try writableChat(call.chatID)
        try Self.validateCaption(call.caption)
        let replyTo = try repliedMessage(call.replyParameters, in: chatID)
        let document: Document
        switch try fileSource(call.document, parameters: parameters) {
        case .upload(let upload):
            try admitMessage(to: chatID, at: moment)
            document = storeDocument(upload)
        case .fileID(let fileID):
            guard let known = documents[fileID] else { throw .badRequest("wrong file identifier/HTTP URL specified") }
            try admitMessage(to: chatID, at: moment)
            document = known
        }

        var message = botMessage(in: chatID, at: moment)
        message.messageThreadID = call.messageThreadID
        message.document = document
        message.caption = call.caption
        message.captionEntities = call.captionEntities
        message.hasProtectedContent = call.protectContent == true ? true : nil
        message.replyToMessage = replyTo
        message.replyMarkup = keyboard
        return deliver(message, to: chatID)
    }

    /// Where a file parameter's content comes from.
    enum FileSource {
        case upload(UploadedFile)
        case fileID(String)
    }

    func fileSource(_ file: InputFile, parameters: RequestParameters) throws(BotAPIFailure) -> FileSource {
        switch file {
        case .fileID(let value) where value.hasPrefix(RequestParameters.attachPrefix):
            guard let upload = parameters.upload(referencedBy: value) else {
                throw .badRequest("wrong file identifier/HTTP URL specified")
            }
            return .upload(upload)
        case .fileID(let fileID):
            return .fileID(fileID)
        case .url:
            // The simulator works offline: it cannot fetch the URL as Telegram would.
            throw .badRequest("failed to get HTTP URL content")
        case .upload(let upload):
            // Decoding a request never yields this; kept for completeness of the switch.
            guard case .bytes(let bytes) = upload.source else { throw .badRequest("wrong file identifier/HTTP URL specified") }
            return .upload(UploadedFile(filename: upload.filename, contentType: upload.contentType, bytes: bytes))
        }
    }

    /// Files every size of a new photo under its own `file_id`, all standing for the same upload.
    private mutating func storePhoto(_ upload: UploadedFile, sizes: [PhotoSize]) -> [PhotoSize] {
        let stored = sizes.map { size in
            var size = size
            let number = takeFileNumber()
            // Telegram's photo ids start "AgAC"; the prefix lets a reader of a dump tell photos apart.
            size.fileID = "AgACsim\(number)"
            size.fileUniqueID = "AQADsim\(number)"
            return size
        }
        for size in stored { photos[size.fileID] = stored }
        rememberUpload(upload, ids: stored.map { ($0.fileID, $0.fileUniqueID) })
        return stored
    }

    private mutating func storeDocument(_ upload: UploadedFile) -> Document {
        let number = takeFileNumber()
        let document = Document(
            fileID: "BQACsim\(number)",
            fileUniqueID: "AgADsim\(number)",
            fileName: upload.filename,
            mimeType: upload.contentType ?? "application/octet-stream",
            fileSize: upload.bytes.count
        )
        documents[document.fileID] = document
        rememberUpload(upload, ids: [(document.fileID, document.fileUniqueID)])
        return document
    }

    private mutating func takeFileNumber() -> Int {
        defer { nextFileNumber += 1 }
        return nextFileNumber
    }
}
