// swift-tools-version:6.1
import PackageDescription

let strictness: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

// The benchmark executables, kept out of the main package so that `swift build` and `swift test` do not
// build them; they use Ferry's public products only, as a bot would. The scripts beside this file build
// them with `swift build --package-path Benchmarks` and run them from Benchmarks/.build.
let package = Package(
    name: "FerryBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Ferry", path: ".."),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        // As the main package takes it, without the default traits: with `FullFoundation` on, the Ferry
        // modules the servers link would not be the ones a bot binary has.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
    ],
    targets: [
        // Routing and decoding per update, and the throttled broadcast: Benchmarks/run.sh, broadcast.sh.
        .executableTarget(
            name: "FerryBenchmarks",
            dependencies: [
                .product(name: "TelegramBotAPI", package: "Ferry"), .product(name: "Ferry", package: "Ferry"),
                .product(name: "FerryTesting", package: "Ferry"),
            ],
            swiftSettings: strictness
        ),
        // The HTTP peers of Benchmarks/http.sh, soak.sh, lambda.sh and aws-scale.sh: a bare Hummingbird route,
        // the webhook ingress alone, a minimal Bot API, a Lambda Runtime API emulator.
        .executableTarget(
            name: "FerryBenchServers",
            dependencies: [
                .product(name: "FerryRuntime", package: "Ferry"), .product(name: "FerrySQLite", package: "Ferry"),
                .product(name: "TelegramBotAPI", package: "Ferry"), .product(name: "TelegramClient", package: "Ferry"),
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictness
        ),
    ]
)
