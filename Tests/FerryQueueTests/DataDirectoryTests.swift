import FerryQueue
@testable import FerrySQLite
import Foundation
import Testing
import FerryTestSupport

/// Another user of the machine must not read the bot's users' messages out of its data directory.
@Suite(.serialized) struct DataDirectoryTests {
    @Test("the directory is 0700 and every file in it 0600 (database, log, shared memory, lock), even with umask 000")
    func privateWhateverTheUmask() async throws {
        let root = temporaryDirectory()
        let directory = root + "/nested/data"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let previous = umask(0)
        defer { umask(previous) }
        let lock = try DataDirectoryLock(directory: directory)
        let storage = try await SQLiteStorage.open(directory: directory)
        _ = try await storage.queue.enqueue([QueuedUpdate(updateID: 1, groupID: "chat:1", body: Array(#"{"text":"private"}"#.utf8))])
        _ = try await storage.queue.receive(maximumCount: 1, visibilityTimeout: .seconds(30))
        try await storage.sessions.save(Array("state".utf8), key: "chat:1")

        #expect(try mode(directory) == 0o700)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        #expect(Set(files).isSuperset(of: ["ferry.sqlite", "ferry.sqlite-wal", "ferry.sqlite-shm", "serve.lock"]))
        for file in files {
            #expect(try mode(directory + "/" + file) == 0o600, "\(file)")
        }
        try await storage.close()
        withExtendedLifetime(lock) {}
    }

    @Test("a directory and files an earlier version left readable to all are made private when opened")
    func looserModesAreTightened() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try await SQLiteStorage.open(directory: directory)
        _ = try await first.queue.enqueue([QueuedUpdate(updateID: 1, groupID: "chat:1", body: [])])
        try await first.close()
        chmod(directory, 0o755)
        for file in try FileManager.default.contentsOfDirectory(atPath: directory) { chmod(directory + "/" + file, 0o644) }
        FileManager.default.createFile(atPath: directory + "/ferry.sqlite-wal", contents: nil, attributes: [.posixPermissions: 0o644])

        let second = try await SQLiteStorage.open(directory: directory)
        #expect(try mode(directory) == 0o700)
        for file in try FileManager.default.contentsOfDirectory(atPath: directory) {
            #expect(try mode(directory + "/" + file) == 0o600, "\(file)")
        }
        try await second.close()
    }

    @Test("a data directory reached through a symbolic link is refused, saying what to give instead")
    func symbolicLinkRefused() async throws {
        let real = temporaryDirectory()
        let link = temporaryDirectory()
        defer {
            try? FileManager.default.removeItem(atPath: real)
            try? FileManager.default.removeItem(atPath: link)
        }
        try FileManager.default.createDirectory(atPath: real, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: real)

        for path in [link, link + "/"] {
            let error = try #require(throws: DataDirectoryError.self) { try DataDirectoryLock(directory: path) }
            #expect(error == .symbolicLink(link))
            await #expect(throws: DataDirectoryError.symbolicLink(link)) { try await SQLiteStorage.open(directory: path) }
        }
        #expect(String(describing: DataDirectoryError.symbolicLink(link)).contains("realpath \(link)"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: real).isEmpty, "nothing written through the link")
    }

    @Test("the webhook secret is kept under the same rules: not through a link, not in another user's directory")
    func webhookSecretFileFollowsTheRules() throws {
        let real = temporaryDirectory()
        let link = temporaryDirectory()
        defer {
            try? FileManager.default.removeItem(atPath: real)
            try? FileManager.default.removeItem(atPath: link)
        }
        try FileManager.default.createDirectory(atPath: real, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: real)
        #expect(throws: WebhookSecretFileError.dataDirectory(.symbolicLink(link))) { try WebhookSecretFile.loadOrCreate(in: link) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: real).isEmpty)

        let secret = try WebhookSecretFile.loadOrCreate(in: real)
        #expect(try WebhookSecretFile.loadOrCreate(in: real) == secret)
        #expect(try mode(real) == 0o700 && mode(WebhookSecretFile.path(in: real)) == 0o600)
    }

    @Test("a database file that is a symbolic link is refused: nothing is written where it points")
    func linkedDatabaseRefused() async throws {
        let directory = temporaryDirectory()
        let elsewhere = temporaryDirectory()
        defer {
            try? FileManager.default.removeItem(atPath: directory)
            try? FileManager.default.removeItem(atPath: elsewhere)
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: directory + "/ferry.sqlite", withDestinationPath: elsewhere + "/stolen")
        try FileManager.default.createSymbolicLink(atPath: directory + "/serve.lock", withDestinationPath: elsewhere + "/lock")

        await #expect(throws: DataDirectoryError.symbolicLink(directory + "/ferry.sqlite")) {
            try await SQLiteStorage.open(directory: directory)
        }
        #expect(throws: DataDirectoryError.symbolicLink(directory + "/serve.lock")) { try DataDirectoryLock(directory: directory) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere).isEmpty)
    }

    @Test("a data directory another user owns is refused, saying what to do")
    func anotherUsersDirectoryRefused() async throws {
        // As root, a directory handed to `nobody`; as anyone else, one that root owns.
        let directory: String
        if geteuid() == 0 {
            directory = temporaryDirectory()
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            #expect(chown(directory, 65534, 65534) == 0)
        } else {
            directory = "/"
        }
        defer { if directory != "/" { try? FileManager.default.removeItem(atPath: directory) } }
        let owner: UInt32 = geteuid() == 0 ? 65534 : 0

        let error = try #require(throws: DataDirectoryError.self) { try DataDirectoryLock(directory: directory) }
        #expect(error == .ownedByAnotherUser(directory, owner: owner, user: UInt32(geteuid())))
        #expect(String(describing: error).contains("give --data-dir a directory of your own"))
        await #expect(throws: DataDirectoryError.ownedByAnotherUser(directory, owner: owner, user: UInt32(geteuid()))) {
            try await SQLiteStorage.open(directory: directory)
        }
    }

    @Test("handled updates and purged dead letters leave no trace of the message in the file (secure_delete)")
    func deletedMessagesAreOverwritten() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let storage = try await SQLiteStorage.open(directory: directory)
        #expect(try await storage.pragma("secure_delete") == 1)
        let secrets = ["my card is 4111-1111-1111-1111", "my password is hunter2-hunter2"]
        _ = try await storage.queue.enqueue(secrets.enumerated().map { index, text in
            QueuedUpdate(updateID: index, groupID: "chat:\(index)", body: Array(#"{"text":"\#(text)"}"#.utf8))
        })
        let received = try await storage.queue.receive(maximumCount: 2, visibilityTimeout: .seconds(30))
        try await storage.queue.acknowledge([received[0].receipt])
        try await storage.queue.deadLetter(received[1].receipt, reason: "failed")
        #expect(try await storage.queue.purgeDeadLetters() == 1)
        try await storage.close()  // the last connection copies the log back into the file and removes the log

        let bytes = try Data(contentsOf: URL(fileURLWithPath: directory + "/ferry.sqlite"))
        for text in secrets {
            #expect(bytes.range(of: Data(text.utf8)) == nil, "\(text) is still in the file")
        }
    }

    private func mode(_ path: String) throws -> Int {
        var status = stat()
        guard lstat(path, &status) == 0 else { throw CocoaError(.fileNoSuchFile) }
        return Int(status.st_mode & 0o7777)
    }
}

@Suite struct DeadLetterRetentionTests {
    static let day: Int64 = 24 * 60 * 60 * 1000

    @Test("dead letters are deleted once older than the retention, 30 days unless set otherwise")
    func expireAfterRetention() async throws {
        #expect(SQLiteStorage.defaultDeadLetterRetention == .seconds(30 * 24 * 60 * 60))
        try await withStorage { storage, clock in
            #expect(storage.queue.deadLetterRetentionMilliseconds == 30 * Self.day)
            try await deadLetter(ids: [1], in: storage)
            clock.advance(byMilliseconds: 30 * Self.day - 1)
            _ = try await storage.queue.receive(maximumCount: 1, visibilityTimeout: .seconds(30))
            #expect(try await storage.queue.deadLetterCount() == 1, "not yet expired")
            try await deadLetter(ids: [2], in: storage)
            clock.advance(byMilliseconds: 1_000)
            // The dispatcher's next round a second later, with nothing to receive, deletes only the expired one.
            _ = try await storage.queue.receive(maximumCount: 1, visibilityTimeout: .seconds(30))
            #expect(try await storage.queue.deadLetters(limit: 10).map(\.update.updateID) == [2])
        }
    }

    @Test("a retention of a few days deletes after those days; expired letters go a bounded number per round")
    func configuredRetentionInBoundedRounds() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let clock = ManualClock()
        let retention: Duration = .seconds(7 * 24 * 60 * 60)
        let first = try await SQLiteStorage.open(directory: directory, deadLetterRetention: retention, now: { clock.now() })
        try await deadLetter(ids: Array(0..<600), in: first)
        try await first.close()

        clock.advance(byMilliseconds: 7 * Self.day + 1)
        let second = try await SQLiteStorage.open(directory: directory, deadLetterRetention: retention, now: { clock.now() })
        // A fresh process has seen no dead letter arrive: its rounds delete 256 at most, once a second.
        _ = try await second.queue.receive(maximumCount: 1, visibilityTimeout: .seconds(30))
        #expect(try await second.queue.deadLetterCount() == 600 - 256)
        _ = try await second.queue.receive(maximumCount: 1, visibilityTimeout: .seconds(30))
        #expect(try await second.queue.deadLetterCount() == 600 - 256, "at most one round a second")
        clock.advance(byMilliseconds: 1_000)
        _ = try await second.queue.receive(maximumCount: 1, visibilityTimeout: .seconds(30))
        #expect(try await second.queue.deadLetterCount() == 600 - 512)
        clock.advance(byMilliseconds: 1_000)
        _ = try await second.queue.receive(maximumCount: 1, visibilityTimeout: .seconds(30))
        #expect(try await second.queue.deadLetterCount() == 0)
        try await second.close()
    }

    /// Enqueues, receives and dead-letters one update per id, each in a chat of its own.
    private func deadLetter(ids: [Int], in storage: SQLiteStorage) async throws {
        _ = try await storage.queue.enqueue(ids.map { QueuedUpdate(updateID: $0, groupID: "chat:\($0)", body: []) })
        let received = try await storage.queue.receive(maximumCount: ids.count, visibilityTimeout: .seconds(30))
        #expect(received.count == ids.count)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for item in received { group.addTask { try await storage.queue.deadLetter(item.receipt, reason: "failed") } }
            try await group.waitForAll()
        }
    }
}
