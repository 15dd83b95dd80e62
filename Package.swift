// swift-tools-version:6.1
import PackageDescription

let strictness: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Ferry",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "TelegramBotAPI", targets: ["TelegramBotAPI"]),
        .library(name: "TelegramClient", targets: ["TelegramClient"]),
        .executable(name: "generate-bot-api", targets: ["generate-bot-api"]),
        .library(name: "Ferry", targets: ["Ferry"]),
        .library(name: "FerryQueue", targets: ["FerryQueue"]),
        .library(name: "FerrySQLite", targets: ["FerrySQLite"]),
        .library(name: "FerryRuntime", targets: ["FerryRuntime"]),
        .library(name: "FerryServer", targets: ["FerryServer"]),
        .library(name: "AWSClients", targets: ["AWSClients"]),
        .library(name: "FerryAWS", targets: ["FerryAWS"]),
        .library(name: "FerryDeploy", targets: ["FerryDeploy"]),
        .library(name: "FerryCLI", targets: ["FerryCLI"]),
        .library(name: "FerryTesting", targets: ["FerryTesting"]),
        .library(name: "FerrySimulator", targets: ["FerrySimulator"]),
        .executable(name: "EchoBot", targets: ["EchoBot"]),
        .executable(name: "ShowcaseBot", targets: ["ShowcaseBot"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        // Without Hummingbird's default traits: `FullFoundation` links full Foundation and ICU's data (34 MB) into
        // every bot binary, which is also the Lambda bootstrap; FoundationEssentials is all Ferry needs.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
        // Already in the graph through swift-nio; FerrySQLite's in-memory queue order uses its Deque and Heap.
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.1.0"),
        // Already in the graph through Hummingbird; FerryServer's connection guard reads its HTTP request parts.
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.20.0"),
    ],
    targets: [
        // MARK: Bot API

        // Every Bot API type and method, generated from Spec/bot-api.json; no dependencies beyond FoundationEssentials.
        .target(name: "TelegramBotAPI", swiftSettings: strictness),
        // Reads the Bot API spec and writes Sources/TelegramBotAPI/Generated.
        .target(name: "BotAPIGenerator", swiftSettings: strictness),
        .executableTarget(name: "generate-bot-api", dependencies: ["BotAPIGenerator"], swiftSettings: strictness),
        // HTTP transport for the Bot API.
        .target(
            name: "TelegramClient",
            dependencies: [
                "TelegramBotAPI",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "_NIOFileSystem", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictness
        ),

        // MARK: Framework

        // The bot framework: Bot, router, filters, commands, Context, middleware, sessions, conversations.
        .target(
            name: "Ferry",
            dependencies: ["TelegramBotAPI", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictness
        ),

        // MARK: Pipeline

        // The UpdateQueue protocol (SQS FIFO semantics) and the envelope it carries.
        .target(name: "FerryQueue", dependencies: ["TelegramBotAPI"], swiftSettings: strictness),
        // Embedded storage on an SQLite file: the durable update queue and the session store.
        .target(
            name: "FerrySQLite",
            dependencies: [
                "FerryQueue", "Ferry",
                // For the SQLite library it compiles in (VaporCSQLite), which FerrySQLite calls directly.
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "HeapModule", package: "swift-collections"),
            ],
            swiftSettings: strictness
        ),
        // Ingress, dispatcher and dead-letter processing: the pipeline, independent of its host.
        .target(
            name: "FerryRuntime",
            dependencies: [
                "Ferry", "FerryQueue", "TelegramBotAPI",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strictness
        ),
        // The local host: HTTP ingress, long polling, lifecycle, health, metrics.
        .target(
            name: "FerryServer",
            dependencies: [
                "Ferry", "FerryRuntime", "FerrySQLite",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictness
        ),

        // MARK: AWS

        // What a deployed stage's parts must agree on: the functions' roles and handler names, the environment
        // each role reads, the tables' attribute names. Without dependencies, so both FerryDeploy (which
        // writes the template) and FerryAWS (in the Lambda bootstrap) can use it without depending on each other.
        .target(name: "FerryStageContract", swiftSettings: strictness),
        // SHA-256 and HMAC-SHA256 for SigV4 and code packages, without a second BoringSSL in the bootstrap.
        .target(name: "FerryHashing", swiftSettings: strictness),
        // Plain AWS clients, with nothing of Ferry in them: SigV4 and the credential chain, the SQS, SSM,
        // DynamoDB, CloudWatch and CloudWatch Logs clients, the Lambda Runtime API loop and its events.
        .target(
            name: "AWSClients",
            dependencies: [
                "FerryHashing",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictness
        ),
        // Ferry on AWS, built on those clients: the SQS update queue, DynamoDB sessions, idempotency records
        // and dead letters, and the bot's three Lambda roles (webhook, consumer, dead-letter).
        .target(
            name: "FerryAWS",
            dependencies: [
                "AWSClients", "Ferry", "FerryQueue", "FerryRuntime", "FerryStageContract", "TelegramBotAPI", "TelegramClient",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictness
        ),
        // The system zlib: code packages are deflated, as Lambda's size limits and upload times want.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"]), .yum(["zlib-devel"])]),
        // The infrastructure model, its CloudFormation rendering, packaging and deploy.
        .target(
            name: "FerryDeploy",
            dependencies: [
                "CZlib", "FerryHashing", "FerryStageContract", "TelegramBotAPI",
                .product(name: "Logging", package: "swift-log"),
                // Runs the AWS CLI without Foundation's Process: FerryDeploy is linked into every bot binary
                // (through FerryCLI), which is also the Lambda bootstrap, and Process would drag full Foundation
                // and ICU into it. Subprocess needs only FoundationEssentials on Linux.
                .product(name: "Subprocess", package: "swift-subprocess"),
            ],
            swiftSettings: strictness
        ),

        // MARK: Playground

        // `serve` without a token: the Bot API simulator in-process and a page at /playground to play its users.
        .target(
            name: "FerryPlayground",
            dependencies: [
                "FerryServer", "FerrySQLite", "FerrySimulator", "TelegramBotAPI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictness
        ),

        // MARK: Bot binaries

        // Pins glibc symbols the static Swift standard library would take from glibc 2.35 to their older
        // versions, so a bot binary built here runs on Amazon Linux 2023 (glibc 2.34). Linked into every bot
        // binary through FerryCLI; it has no API.
        .target(name: "FerryGlibcCompat"),
        // The commands every bot binary gets: serve, poll, dlq, lambda, webhook, template, deploy.
        .target(
            name: "FerryCLI",
            dependencies: [
                "Ferry", "FerryQueue", "FerryRuntime", "FerryServer", "FerrySQLite", "AWSClients", "FerryAWS", "FerryDeploy",
                "FerryStageContract", "TelegramBotAPI", "TelegramClient", "FerryPlayground", "FerrySimulator",
                "FerryGlibcCompat",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                // `dev`: Ctrl-C stops its loop; it builds the bot and runs it as a child process.
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictness
        ),
        // The example bots' handlers, as a library so tests drive them without a process.
        .target(name: "ExampleBots", dependencies: ["Ferry"], path: "Examples/ExampleBots", swiftSettings: strictness),
        .executableTarget(
            name: "EchoBot", dependencies: ["ExampleBots", "FerryCLI"], path: "Examples/EchoBot",
            swiftSettings: strictness
        ),
        .executableTarget(
            name: "ShowcaseBot", dependencies: ["ExampleBots", "FerryCLI"], path: "Examples/ShowcaseBot",
            swiftSettings: strictness
        ),

        // MARK: Testing

        // A simulated Telegram: the Bot API over HTTP with users, chats, long polling, webhooks, flood limits
        // and faults. Apart from the test kit because the playground (and so every bot binary) runs it.
        .target(
            name: "FerrySimulator",
            dependencies: [
                "TelegramBotAPI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                // It runs as a service and delivers webhooks over HTTP, as Telegram does.
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictness
        ),
        // Lets bot authors test their bots without network: a recording Bot API, update builders, the
        // UpdateQueue conformance suite, the pipeline harness (a bot's tests run in memory or through the
        // local host); it brings the simulator with it. Only test targets link it, never a bot binary.
        .target(
            name: "FerryTesting",
            dependencies: [
                "Ferry", "TelegramBotAPI", "FerryQueue", "FerrySimulator",
                // The pipeline harness: the local host on an embedded queue, and an HTTP client to post to it.
                "FerryRuntime", "FerryServer", "FerrySQLite",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                // `serving(_:while:)` stops a fake peer with the service group's graceful shutdown.
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictness
        ),
        // A bot whose `/overflow` handler traps the process: the fault tests' crashing bot.
        .executableTarget(
            name: "TrapBot", dependencies: ["ExampleBots", "FerryCLI", "Ferry"], path: "Tests/TrapBot",
            swiftSettings: strictness
        ),
        // What several test targets need: the shared data beside the repository, scratch directories, update
        // JSON, running a bot binary as a process, capturing logs, outside tools.
        .target(
            name: "FerryTestSupport",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                // The fake HTTP server: Hummingbird, stopped through FerryTesting's `serving(_:while:)`.
                "FerryTesting", .product(name: "Hummingbird", package: "hummingbird"),
            ],
            path: "Tests/FerryTestSupport",
            swiftSettings: strictness
        ),
        .testTarget(
            name: "TelegramBotAPITests",
            dependencies: ["TelegramBotAPI", "BotAPIGenerator", "FerryTestSupport"],
            swiftSettings: strictness
        ),
        .testTarget(
            name: "TelegramClientTests",
            dependencies: [
                "TelegramClient", "FerryTestSupport",
                // `serving(_:while:)`: fake servers stop gracefully.
                "FerryTesting",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictness
        ),
        .testTarget(name: "FerryTests", dependencies: ["Ferry", "FerryTesting", "FerryTestSupport"], swiftSettings: strictness),
        .testTarget(name: "ExampleBotsTests", dependencies: ["ExampleBots", "Ferry", "FerryTesting"], swiftSettings: strictness),
        .testTarget(
            name: "FerryQueueTests",
            dependencies: ["FerryQueue", "FerrySQLite", "FerryTesting", "FerryTestSupport", "Ferry"],
            swiftSettings: strictness
        ),
        .testTarget(
            name: "FerryRuntimeTests",
            dependencies: [
                "FerryRuntime", "FerryServer", "FerrySQLite", "FerryQueue", "FerryTesting", "FerryTestSupport", "Ferry", "ExampleBots",
                "TelegramClient",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictness
        ),
        .testTarget(
            name: "FerryAWSTests",
            dependencies: [
                "AWSClients", "FerryAWS", "Ferry", "FerryQueue", "FerryRuntime", "FerryTesting", "FerryTestSupport", "TelegramBotAPI",
                "TelegramClient",
                // The stage's resource names, as `deploy` gives them, for the `dlq --stage` tests.
                "FerryDeploy", "FerryStageContract",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictness
        ),
        .testTarget(
            name: "FerryHashingTests",
            dependencies: ["FerryHashing", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictness
        ),
        .testTarget(
            name: "FerryDeployTests", dependencies: ["FerryDeploy", "FerryStageContract", "FerryTestSupport"], swiftSettings: strictness
        ),
        .testTarget(
            name: "FerryPlaygroundTests",
            dependencies: [
                "FerryPlayground", "FerryServer", "FerryRuntime", "FerrySQLite", "FerrySimulator", "FerryTesting", "FerryTestSupport", "Ferry",
                "ExampleBots", "TelegramClient", "TelegramBotAPI",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictness
        ),
        .testTarget(
            name: "FerrySimulatorTests",
            dependencies: [
                "FerrySimulator", "FerryTesting", "TelegramClient",
                // A webhook endpoint for the simulator to deliver to.
                "FerryTestSupport",
                // Raw HTTP calls against the simulator.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictness
        ),
    ]
)
