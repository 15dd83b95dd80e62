/// How `deploy` builds a bot binary into the Lambda bootstrap; the README gives the same command for building
/// on another machine or in a container.
public enum BootstrapBuild {
    /// The arguments after `swift build`:
    /// - release, with the Swift standard library and Foundation linked in statically, since `provided.al2023`
    ///   has no Swift runtime;
    /// - FoundationEssentials' own support libraries named for the linker: a static link of FoundationEssentials
    ///   without full Foundation (which would add ICU's 34 MB of data) otherwise misses their symbols;
    /// - stripped as it is linked: the symbol table and debug sections are most of an unstripped binary, and
    ///   Lambda neither needs them nor shows them in its crash reports.
    public static func arguments(product: String) -> [String] {
        [
            "-c", "release", "--product", product, "--static-swift-stdlib",
            "-Xlinker", "-l_FoundationCollections", "-Xlinker", "-l_FoundationCShims",
            "-Xlinker", "--strip-all",
        ]
    }
}
