import Foundation
import NIOCore
import TelegramBotAPI
import Testing

@testable import TelegramClient

@Suite("Uploads")
struct UploadTests {
    /// Several 64 KiB chunks and a ragged end, so chunk boundaries are exercised.
    static let fileBytes: [UInt8] = (0..<200_003).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 / 251) }

    @Test("a file from disk goes as multipart/form-data, with the other parameters as form fields")
    func multipartUpload() async throws {
        try await withTemporaryFile(named: "report.pdf", contents: Self.fileBytes) { path in
            let method = UploadDocument(
                chatID: 42,
                document: .file(atPath: path),
                thumbnail: .bytes([0xFF, 0xD8, 0xFF], filename: "thumb.jpg"),
                caption: "Quarterly \"report\" / 2025",
                disableNotification: true,
                replyMarkup: ["inline_keyboard": [[["text": "Open", "url": "https://example.com/a"]]]]
            )
            try await withClient(replies: [.ok(#"{"message_id":7}"#)]) { client, server in
                #expect(try await client.send(method) == ["message_id": 7])

                let request = try #require(server.requests.first)
                #expect(request.path == "/bot\(token)/sendDocument")
                #expect(request.contentType?.hasPrefix("multipart/form-data; boundary=") == true)
                #expect(request.contentLength == request.body.count, "sent with a precomputed Content-Length")
                #expect(request.transferEncoding == nil)

                let parts = try request.formParts()
                let byName = Dictionary(uniqueKeysWithValues: parts.map { ($0.name, $0) })
                #expect(byName["chat_id"]?.text == "42")
                #expect(byName["caption"]?.text == "Quarterly \"report\" / 2025")
                #expect(byName["disable_notification"]?.text == "true")
                #expect(byName["document"]?.text == "attach://file0")
                #expect(byName["thumbnail"]?.text == "attach://file1")
                let markup = try JSONDecoder().decode(JSONValue.self, from: Data(byName["reply_markup"]?.body ?? []))
                #expect(markup == method.replyMarkup)
                for field in ["chat_id", "caption", "disable_notification", "document", "thumbnail", "reply_markup"] {
                    #expect(byName[field]?.filename == nil)
                }

                let document = try #require(byName["file0"])
                #expect(document.filename == "report.pdf")
                #expect(document.contentType == "application/pdf")
                #expect(document.body == Self.fileBytes)

                let thumbnail = try #require(byName["file1"])
                #expect(thumbnail.filename == "thumb.jpg")
                #expect(thumbnail.contentType == "image/jpeg")
                #expect(thumbnail.body == [0xFF, 0xD8, 0xFF])
                #expect(parts.count == 8)
            }
        }
    }

    @Test("a retried upload sends the whole file again")
    func retriedUpload() async throws {
        try await withTemporaryFile(named: "data.bin", contents: Self.fileBytes) { path in
            let method = UploadDocument(chatID: 1, document: .file(atPath: path, contentType: "application/x-test"))
            try await withClient(replies: [.error(500, "Internal Server Error"), .ok("true")]) { client, server in
                _ = try await client.send(method)
                let requests = server.requests
                try #require(requests.count == 2)
                for request in requests {
                    let file = try #require(try request.formParts().first { $0.name == "file0" })
                    #expect(file.body == Self.fileBytes)
                    #expect(file.contentType == "application/x-test")
                }
            }
        }
    }

    @Test("a missing file fails the call as an upload error before anything is sent")
    func missingFile() async throws {
        let method = UploadDocument(chatID: 1, document: .file(atPath: "/nonexistent/ferry/missing.pdf"))
        try await withClient(replies: [.ok("true")]) { client, server in
            let error = try await #require(throws: TelegramClientError.self) { try await client.send(method) }
            guard case .upload(let name, let description) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(name == "sendDocument")
            #expect(description.contains("missing.pdf"))
            #expect(server.requests.isEmpty)
            expectNoToken(error)
        }
    }

    @Test("the body is read from disk in chunks no larger than the chunk size, and its length is exact")
    func streamsInChunks() async throws {
        try await withTemporaryFile(named: "big.bin", contents: Self.fileBytes) { path in
            let uploads: [(name: String, upload: InputFile.Upload)] = [
                ("file0", InputFile.Upload(source: .path(path), filename: "big.bin"))
            ]
            try await MultipartBody.withOpenFiles(for: uploads) { files in
                let body = try MultipartBody(parameters: ["chat_id": 1], uploads: uploads, files: files, boundary: "B")
                var total = 0
                var largest = 0
                var chunks = 0
                for try await chunk in body.stream(chunkSize: 64 * 1024) {
                    total += chunk.readableBytes
                    largest = max(largest, chunk.readableBytes)
                    chunks += 1
                }
                #expect(Int64(total) == body.contentLength)
                #expect(largest <= 64 * 1024)
                #expect(chunks >= Self.fileBytes.count / (64 * 1024))
            }
        }
    }

    @Test("quotes and line breaks in a filename cannot break out of its header")
    func filenameEscaping() throws {
        let uploads: [(name: String, upload: InputFile.Upload)] = [
            ("file0", InputFile.Upload(source: .bytes([1]), filename: "a\"b\r\nX-Evil: 1.txt", contentType: "text/plain\r\nX: y"))
        ]
        let body = try MultipartBody(parameters: [:], uploads: uploads, files: [:], boundary: "B")
        guard case .bytes(let buffer) = try #require(body.parts.first) else {
            Issue.record("expected in-memory bytes")
            return
        }
        let text = String(buffer: buffer)
        #expect(text.contains(#"filename="a%22b%0D%0AX-Evil: 1.txt""#))
        #expect(text.contains("Content-Type: text/plainX: y\r\n"))
        #expect(Int64(buffer.readableBytes) == body.contentLength)
    }
}

/// Writes `contents` to a file in a fresh temporary directory, and removes the directory afterwards.
func withTemporaryFile<T>(named name: String, contents: [UInt8], _ body: (String) async throws -> T) async throws -> T {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent(name)
    try Data(contents).write(to: file)
    return try await body(file.path)
}
