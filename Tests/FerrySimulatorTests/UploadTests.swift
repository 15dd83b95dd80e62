import FerryTesting
import Foundation
import TelegramBotAPI
import TelegramClient
import Testing

@Suite("Simulator: uploads")
struct UploadTests {
    @Test("sendPhoto uploads a real PNG file by multipart; the sizes follow the image and the file can be sent again")
    func photoUpload() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appending(path: "chart.png")
            let png = PNGImage.solid(width: 1000, height: 500)
            try Data(png).write(to: path)

            try await withSimulator(unlimited()) { simulator, client in
                let ada = simulator.createUser(firstName: "Ada")
                try simulator.openPrivateChat(with: ada)
                let sent = try await client.sendPhoto(chatID: .id(ada.id), photo: .file(atPath: path.path), caption: "Sales")

                let sizes = try #require(sent.photo)
                #expect(sizes.map(\.width) == [90, 320, 800, 1000])
                #expect(sizes.map(\.height) == [45, 160, 400, 500])
                #expect(Set(sizes.map(\.fileID)).count == sizes.count, "every size has its own file_id")
                #expect(sent.caption == "Sales")
                let largest = try #require(sizes.last)
                let stored = try #require(simulator.file(id: largest.fileID))
                #expect(stored.upload.bytes == png, "the simulator received the file byte for byte")
                #expect(stored.upload.filename == "chart.png")
                #expect(stored.upload.contentType == "image/png")

                let again = try await client.sendPhoto(chatID: .id(ada.id), photo: .fileID(largest.fileID))
                #expect(again.photo == sizes)
            }
        }
    }

    @Test("sendPhoto refuses what is not an image, and unknown file ids")
    func photoRefusals() async throws {
        try await withSimulator(unlimited()) { simulator, client in
            let ada = simulator.createUser(firstName: "Ada")
            try simulator.openPrivateChat(with: ada)
            let notAnImage = try await apiError {
                try await client.sendPhoto(chatID: .id(ada.id), photo: .bytes(Array("plain text".utf8), filename: "cat.jpg"))
            }
            #expect(notAnImage.description == "Bad Request: IMAGE_PROCESS_FAILED")
            let unknown = try await apiError { try await client.sendPhoto(chatID: .id(ada.id), photo: .fileID("AgACnothing")) }
            #expect(unknown.description == "Bad Request: wrong file identifier/HTTP URL specified")
            #expect(simulator.sentMessages(in: try simulator.openPrivateChat(with: ada)).isEmpty)
        }
    }

    @Test("sendDocument uploads a file from disk and reuses it by file_id")
    func documentUpload() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appending(path: "report.pdf")
            let contents = Array("%PDF-1.4\n".utf8) + (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            try Data(contents).write(to: path)

            try await withSimulator(unlimited()) { simulator, client in
                let ada = simulator.createUser(firstName: "Ada")
                try simulator.openPrivateChat(with: ada)
                let sent = try await client.sendDocument(chatID: .id(ada.id), document: .file(atPath: path.path), caption: "Q3")

                let document = try #require(sent.document)
                #expect(document.fileName == "report.pdf")
                #expect(document.mimeType == "application/pdf")
                #expect(document.fileSize == contents.count)
                #expect(simulator.file(id: document.fileID)?.upload.bytes == contents)

                let again = try await client.sendDocument(chatID: .id(ada.id), document: .fileID(document.fileID))
                #expect(again.document == document)
                #expect(again.messageID == sent.messageID + 1)
            }
        }
    }

    @Test("a multipart body that names the file part after the parameter, as curl -F photo=@file does")
    func fileAsParameter() async throws {
        try await withSimulator(unlimited()) { simulator, _ in
            let ada = simulator.createUser(firstName: "Ada")
            try simulator.openPrivateChat(with: ada)
            let boundary = "XyZ-boundary"
            var body = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"chat_id\"\r\n\r\n\(ada.id)\r\n".utf8)
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"dot.png\"\r\nContent-Type: image/png\r\n\r\n".utf8)
            body += PNGImage.solid(width: 2, height: 3)
            body += Array("\r\n--\(boundary)--\r\n".utf8)

            let answer = try await rawCall(try simulator.url("sendPhoto"), contentType: "multipart/form-data; boundary=\(boundary)", body: body)
            #expect(answer.status == 200)
            guard case .array(let sizes)? = try answer.json()["result"]?["photo"] else {
                Issue.record("the answer carries the photo's sizes")
                return
            }
            #expect(sizes.map { $0["width"] } == [2])
            #expect(sizes.map { $0["height"] } == [3])
        }
    }
}
