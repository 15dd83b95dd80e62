/// The instruction set a Lambda function runs on.
public enum LambdaArchitecture: String, Sendable, Hashable, CaseIterable {
    case x86_64
    case arm64

    /// The architecture of the machine running this code: a bootstrap binary built here without
    /// cross-compiling runs on it.
    public static var buildMachine: Self {
        #if arch(arm64)
        .arm64
        #else
        .x86_64
        #endif
    }
}
