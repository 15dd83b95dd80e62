import ArgumentParser
import FerryQueue
import FerrySQLite
import FoundationEssentials
import TelegramBotAPI
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `dlq list | show | redrive | purge`: inspect and recover dead letters, also while `serve`
/// runs on the same data directory; with `--stage`, those a deployed stage parked in DynamoDB.
struct DeadLetterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlq",
        abstract: "Inspect, redrive and purge updates that failed every attempt.",
        subcommands: [List.self, Show.self, Redrive.self, Purge.self]
    )

    struct StorageOptions: ParsableArguments {
        @Option(help: "The bot's data directory (the local dead letters).")
        var dataDir: String?

        @Option(help: "A deployed stage instead: its DynamoDB dead-letter table and SQS queue (AWS_REGION, AWS_ENDPOINT_URL and the AWS_* credentials apply).")
        var stage: String?

        @Option(help: "With --stage: the bot's name in resource names (default: the binary's name, lowercased).")
        var bot: String?

        @Option(help: "With --stage: the AWS region (default: AWS_REGION).")
        var region: String?

        func validate() throws {
            guard (dataDir == nil) != (stage == nil) else { throw ValidationError("give --data-dir or --stage, not both or neither") }
            if stage == nil, bot != nil || region != nil { throw ValidationError("--bot and --region go with --stage") }
        }

        func withStore<T>(_ body: (any DeadLetterStore) async throws -> T) async throws -> T {
            if let stage {
                return try await StageDeadLetters(stage: stage, bot: bot, region: region).withStore(body)
            }
            guard let dataDir else { throw ValidationError("give --data-dir or --stage") }
            let storage = try await SQLiteStorage.open(directory: dataDir)
            do {
                let result = try await body(storage.queue)
                try await storage.close()
                return result
            } catch {
                try? await storage.close()
                throw error
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List dead letters, oldest first.")
        @OptionGroup var storage: StorageOptions
        @Flag(help: "One JSON object per line.") var json = false
        @Option(help: "At most this many.") var limit = 1_000

        func run() async throws {
            let records = try await storage.withStore { try await $0.deadLetters(limit: limit) }
            if json {
                for record in records { print(try DeadLetterJSON(record).line()) }
            } else if records.isEmpty {
                print("No dead letters.")
            } else {
                print("ID\tUPDATE_ID\tGROUP_ID\tATTEMPTS\tDEAD_LETTERED_AT\tREASON")
                for record in records {
                    print([
                        record.id, "\(record.update.updateID)", record.update.groupID, "\(record.attempts)",
                        isoTime(record.deadLetteredAt), oneLine(record.reason, limit: 120),
                    ].joined(separator: "\t"))
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one dead letter with its update.")
        @OptionGroup var storage: StorageOptions
        @Argument(help: "The dead letter's id (from `dlq list`).") var id: String

        func run() async throws {
            guard let record = try await storage.withStore({ try await $0.deadLetter(id: id) }) else {
                throw CommandError("no dead letter with id \(id): `dlq list` shows the ids there are")
            }
            print(try DeadLetterJSON(record, includingUpdate: true).line(pretty: true))
        }
    }

    struct Redrive: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Put dead letters back at the end of their chats' queues, with fresh attempts."
        )
        @OptionGroup var storage: StorageOptions
        @Flag(help: "Every dead letter.") var all = false
        @Argument(help: "Dead letter ids.") var ids: [String] = []

        func validate() throws {
            guard all != !ids.isEmpty else { throw ValidationError("give dead letter ids or --all, not both or neither") }
        }

        func run() async throws {
            let moved = try await storage.withStore { queue in
                all ? try await queue.redriveAll() : try await queue.redrive(ids: ids)
            }
            print("Redrove \(moved) dead letter\(moved == 1 ? "" : "s").")
            if !all && moved < ids.count {
                throw CommandError("\(ids.count - moved) of the ids were not found: `dlq list` shows the ids there are")
            }
        }
    }

    struct Purge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete every dead letter, after asking (they cannot be recovered).",
            discussion: "Asks for confirmation on the terminal; --yes deletes without asking, for scripts."
        )
        @OptionGroup var storage: StorageOptions
        @Flag(help: "Delete without asking for confirmation.") var yes = false

        func run() async throws {
            let purged = try await storage.withStore { store -> Int in
                let waiting = try await store.deadLetters(limit: Self.countLimit).count
                guard waiting > 0 else { return 0 }
                if !yes { try confirm(waiting) }
                return try await store.purgeDeadLetters()
            }
            print("Purged \(purged) dead letter\(purged == 1 ? "" : "s").")
        }

        /// Past this many the question says "at least"; counting every dead letter of a stage reads the whole table.
        private static let countLimit = 10_000

        private func confirm(_ count: Int) throws {
            let amount = count >= Self.countLimit ? "at least \(count)" : "\(count)"
            let place = storage.stage.map { "of stage \($0)" } ?? "in \(storage.dataDir ?? "")"
            print("Delete \(amount) dead letter\(count == 1 ? "" : "s") \(place)? They cannot be recovered. [y/N] ", terminator: "")
            fflush(nil)  // the question shows before the answer is read, also when stdout is a pipe
            guard let answer = readLine(strippingNewline: true) else {
                print("")
                throw CommandError("nothing deleted: no answer on standard input. Pass --yes to purge without asking")
            }
            guard ["y", "yes"].contains(answer.lowercased()) else { throw CommandError("nothing deleted") }
        }
    }
}

/// A dead letter as `dlq list --json` prints it.
struct DeadLetterJSON: Encodable {
    var id: String
    var updateID: Int
    var groupID: String
    var attempts: Int
    var reason: String
    var enqueuedAt: String
    var deadLetteredAt: String
    var update: JSONFragment?

    init(_ record: DeadLetterRecord, includingUpdate: Bool = false) {
        id = record.id
        updateID = record.update.updateID
        groupID = record.update.groupID
        attempts = record.attempts
        reason = record.reason
        enqueuedAt = isoTime(record.enqueuedAt)
        deadLetteredAt = isoTime(record.deadLetteredAt)
        update = includingUpdate ? JSONFragment(bytes: record.update.body) : nil
    }

    enum CodingKeys: String, CodingKey {
        case id, attempts, reason, update
        case updateID = "update_id", groupID = "group_id"
        case enqueuedAt = "enqueued_at", deadLetteredAt = "dead_lettered_at"
    }

    func line(pretty: Bool = false) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}

/// The stored update, re-emitted as JSON (it was valid JSON when queued).
struct JSONFragment: Encodable {
    var bytes: [UInt8]

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let value = try? BotAPIDecoder().decode(JSONValue.self, from: bytes) {
            try container.encode(value)
        } else {
            try container.encode(String(decoding: bytes, as: UTF8.self))
        }
    }
}

func isoTime(_ milliseconds: Int64) -> String {
    Date(timeIntervalSince1970: Double(milliseconds) / 1000).formatted(.iso8601)
}

func oneLine(_ text: String, limit: Int) -> String {
    let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
    return flat.count > limit ? String(flat.prefix(limit - 1)) + "…" : flat
}
