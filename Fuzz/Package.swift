// swift-tools-version:6.1
import PackageDescription

// libFuzzer targets for the parsers that face the internet, kept out of the main package so that neither
// `swift build` nor `swift test` builds them: they link libFuzzer's `main` and need
// `-sanitize=fuzzer,address`. Build and run one with `Benchmarks/fuzz.sh TARGET MINUTES` (scratch path
// `.build-fuzz`).
let package = Package(
    name: "FerryFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "Ferry", path: "..")],
    targets: [
        // libFuzzer's driver, started from the entry point SwiftPM gives each executable.
        .target(name: "FuzzDriver"),
        .executableTarget(name: "routing-keys", dependencies: ["FuzzDriver", .product(name: "TelegramBotAPI", package: "Ferry")]),
        .executableTarget(name: "update-decoding", dependencies: ["FuzzDriver", .product(name: "TelegramBotAPI", package: "Ferry")]),
        .executableTarget(
            name: "webhook-ingress",
            dependencies: ["FuzzDriver", .product(name: "FerryRuntime", package: "Ferry"), .product(name: "FerryQueue", package: "Ferry")]
        ),
        .executableTarget(name: "lambda-events", dependencies: ["FuzzDriver", .product(name: "AWSClients", package: "Ferry")]),
        .executableTarget(name: "sigv4", dependencies: ["FuzzDriver", .product(name: "AWSClients", package: "Ferry")]),
        .executableTarget(name: "simulator-forms", dependencies: ["FuzzDriver", .product(name: "FerrySimulator", package: "Ferry")]),
    ],
    swiftLanguageModes: [.v6]
)
