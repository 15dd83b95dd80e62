import Ferry

/// A document sent to the bot is downloaded (up to 1 MB) and described: its name, size and line count.
enum DocumentFeature {
    static let maximumSize = 1024 * 1024

    static func register(on bot: Bot) {
        bot.on(.document) { ctx, document in
            let name = document.fileName ?? "your file"
            if let size = document.fileSize, size > maximumSize {
                try await ctx.reply("\(name) is over 1 MB; send a smaller one.")
                return
            }
            let bytes = try await ctx.downloadFile(id: document.fileID, maxBytes: maximumSize)
            let lines = bytes.isEmpty ? 0 : bytes.count(where: { $0 == UInt8(ascii: "\n") }) + (bytes.last == UInt8(ascii: "\n") ? 0 : 1)
            try await ctx.reply("\(name): \(bytes.count) bytes, \(lines) lines.")
        }
    }
}
