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
        .library(name: "FerryTesting", targets: ["FerryTesting"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
    ],
    targets: [
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
        // The bot framework: Bot, router, filters, commands, Context, middleware, sessions.
        .target(
            name: "Ferry",
            dependencies: ["TelegramBotAPI", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictness
        ),
        // Lets bot authors test their bots without network: a recording Bot API and update builders.
        .target(name: "FerryTesting", dependencies: ["Ferry", "TelegramBotAPI"], swiftSettings: strictness),
        .executableTarget(
            name: "FerryBenchmarks",
            dependencies: ["TelegramBotAPI", "Ferry", "FerryTesting"],
            swiftSettings: strictness
        ),
        .testTarget(
            name: "TelegramBotAPITests",
            dependencies: ["TelegramBotAPI", "BotAPIGenerator"],
            swiftSettings: strictness
        ),
        .testTarget(
            name: "TelegramClientTests",
            dependencies: [
                "TelegramClient",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictness
        ),
        .testTarget(name: "FerryTests", dependencies: ["Ferry", "FerryTesting"], swiftSettings: strictness),
    ]
)
