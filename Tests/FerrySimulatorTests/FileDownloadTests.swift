import FerryTesting
import Foundation
import TelegramClient
import Testing

/// `ctx.downloadFile`: getFile, then the file from `/file/bot<token>/<path>`, over HTTP from the simulator.
@Suite("Files: downloads by file id, capped, the token kept out")
struct FileDownloadTests {
    /// A document the bot uploaded, so the simulator has its bytes under a file id.
    func uploadedDocument(_ simulator: BotAPISimulator, _ client: TelegramClient, bytes: [UInt8]) async throws -> (fileID: String, ctx: Context) {
        let ada = simulator.createUser(firstName: "Ada")
        let chat = try simulator.openPrivateChat(with: ada)
        let sent = try await client.sendDocument(chatID: .id(chat.id), document: .bytes(bytes, filename: "report.bin"))
        let fileID = try #require(sent.document?.fileID)
        let ctx = Context(update: UpdateFactory.message(text: "report", chatID: chat.id, from: ada), api: client.throttled())
        return (fileID, ctx)
    }

    @Test("a file comes whole into memory or onto disk")
    func downloads() async throws {
        let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try await withSimulator(BotAPISimulator.Configuration(rateLimits: .off)) { simulator, client in
            let (fileID, ctx) = try await uploadedDocument(simulator, client, bytes: bytes)
            #expect(try await ctx.downloadFile(id: fileID) == bytes)

            let path = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-download-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            #expect(try await ctx.downloadFile(id: fileID, to: path) == bytes.count)
            #expect(FileManager.default.contents(atPath: path).map(Array.init) == bytes)
            #expect(!FileManager.default.fileExists(atPath: path + ".part"))
        }
    }

    @Test("past the cap a download stops, from getFile's size or while streaming, and leaves no file")
    func capped() async throws {
        try await withSimulator(BotAPISimulator.Configuration(rateLimits: .off)) { simulator, client in
            let (fileID, ctx) = try await uploadedDocument(simulator, client, bytes: Array(repeating: 7, count: 10_000))
            await #expect(throws: FileDownloadError.tooLarge(maximum: 9_999)) { try await ctx.downloadFile(id: fileID, maxBytes: 9_999) }
            let file = try await client.getFile(fileID: fileID)
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-download-\(UUID().uuidString)").path
            await #expect(throws: FileDownloadError.tooLarge(maximum: 100)) {
                try await client.downloadFile(atPath: try #require(file.filePath), to: path, maxBytes: 100)
            }
            #expect(!FileManager.default.fileExists(atPath: path) && !FileManager.default.fileExists(atPath: path + ".part"))
        }
    }

    @Test("an unknown file is Telegram's error, and no error carries the token")
    func unknownFiles() async throws {
        try await withSimulator(BotAPISimulator.Configuration(rateLimits: .off)) { simulator, client in
            let ctx = Context(update: UpdateFactory.message(text: "x"), api: client)
            let refused = try await #require(throws: TelegramAPIError.self) { try await ctx.downloadFile(id: "no-such-file") }
            #expect(refused.description.contains("invalid file_id"))
            let missing = try await #require(throws: TelegramClientError.self) { try await client.downloadFile(atPath: "files/gone", maxBytes: 100) }
            guard case .invalidResponse(_, 404, _) = missing else {
                Issue.record("expected a 404, got \(missing)")
                return
            }
            #expect(!"\(missing)".contains(simulator.token) && !"\(refused)".contains(simulator.token))
            let recorder = Context(update: UpdateFactory.message(text: "x"), api: BotAPIRecorder())
            await #expect(throws: FileDownloadError.unsupported(api: "BotAPIRecorder")) { try await recorder.downloadFile(id: "f") }
        }
    }
}
