// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "StarterBot",
    platforms: [.macOS(.v15)],
    dependencies: [
        // In your own package: .package(url: "https://github.com/<org>/ferry.git", branch: "main")
        // Here, inside Ferry's repository, the package two folders up:
        .package(name: "Ferry", path: "../.."),
    ],
    targets: [
        // The handlers, in a library so the tests can drive them without starting a process.
        .target(name: "StarterBotHandlers", dependencies: [.product(name: "Ferry", package: "Ferry")]),
        // The bot binary: `swift run StarterBot serve`, `dev`, `poll`, `deploy` ...
        .executableTarget(
            name: "StarterBot",
            dependencies: ["StarterBotHandlers", .product(name: "FerryCLI", package: "Ferry")]
        ),
        .testTarget(
            name: "StarterBotTests",
            dependencies: ["StarterBotHandlers", .product(name: "FerryTesting", package: "Ferry")]
        ),
    ]
)
