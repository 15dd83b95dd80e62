/// How `deploy` builds a bot binary into the Lambda bootstrap; docs/deploy.md gives the same command for building
/// on another machine or in a container.
public enum BootstrapBuild {
    /// A build directory of its own: the bootstrap is compiled with other settings than an ordinary release
    /// build, and sharing `.build` would make each kind of build recompile everything the other compiled.
    public static let scratchPath = ".build-bootstrap"

    /// The arguments after `swift build`:
    /// - release, with the Swift standard library and Foundation linked in statically, since `provided.al2023`
    ///   has no Swift runtime;
    /// - optimized for size (`-Osize`): a smaller code package and a faster cold start (fewer pages to map), at
    ///   no measured cost in CPU per record (docs/performance.md, "Lambda");
    /// - FoundationEssentials' own support libraries named for the linker: a static link of FoundationEssentials
    ///   without full Foundation (which would add ICU's 34 MB of data) otherwise misses their symbols;
    /// - no exported symbol table (`--no-export-dynamic`): nothing loads the bootstrap as a library, and at
    ///   every cold start `dladdr` scanned that table's 100,000 symbols (a fifth of the start's CPU);
    /// - stripped as it is linked: the symbol table and debug sections are most of an unstripped binary, and
    ///   Lambda neither needs them nor shows them in its crash reports.
    public static func arguments(product: String) -> [String] {
        [
            "-c", "release", "--product", product, "--scratch-path", scratchPath, "--static-swift-stdlib",
            "-Xswiftc", "-Osize",
            "-Xlinker", "-l_FoundationCollections", "-Xlinker", "-l_FoundationCShims",
            "-Xlinker", "--no-export-dynamic", "-Xlinker", "--strip-all",
        ]
    }

    /// `swift build` with ``arguments(product:)``: without AWS's variables (and, as every child, without
    /// Telegram's), since a build runs plugins and scripts of every dependency and needs no credential.
    public static func command(product: String, onOutputLine: (@Sendable (String) -> Void)? = nil) -> Command {
        Command(
            executable: "/usr/bin/env", arguments: ["swift", "build"] + arguments(product: product),
            callsAWS: false, timeout: .seconds(3600), onOutputLine: onOutputLine
        )
    }

    /// Where the build leaves the bootstrap.
    public static func binaryPath(product: String) -> String {
        "\(scratchPath)/release/\(product)"
    }
}
