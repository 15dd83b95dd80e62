public import Testing
import Foundation

/// A program some tests need that Swift does not provide: moto, the AWS CLI, cfn-lint, checkov, Chromium.
///
/// A test that needs one declares it with the ``Testing/Trait/needs(_:)`` trait. When a tool is missing the
/// test is skipped with one line saying how to install it, unless `CI` is set: in CI a missing tool is a
/// failure, so a green run never means "skipped". The install commands are the ones `.ci/run` uses.
public struct OutsideTool: Sendable, CustomStringConvertible {
    /// What the tool is called in messages.
    public let name: String
    /// How `.ci/run` installs it.
    public let install: String
    private let candidates: @Sendable () -> [String]

    /// - Parameter candidates: where the tool may be: absolute paths, or names looked up on `PATH`.
    init(name: String, install: String, candidates: @escaping @Sendable () -> [String]) {
        self.name = name
        self.install = install
        self.candidates = candidates
    }

    public var description: String { name }

    /// The executable, if it is installed.
    public var path: String? {
        candidates().lazy.compactMap(Self.locate).first
    }

    public var isInstalled: Bool { path != nil }

    /// The executable; throws what to install when it is missing.
    public func require() throws -> String {
        guard let path else { throw OutsideToolMissing(tool: self) }
        return path
    }

    public static let moto = OutsideTool(name: "moto_server", install: "pip install 'moto[server]==5.2.1'") { ["moto_server"] }
    public static let awsCLI = OutsideTool(
        name: "the AWS CLI (aws)", install: "pip install 'awscli==1.45.11' 'boto3==1.43.11' 'botocore==1.43.11'"
    ) { ["aws"] }
    public static let cfnLint = OutsideTool(name: "cfn-lint", install: "pip install 'cfn-lint==1.51.0'") { ["cfn-lint"] }
    /// checkov pins an older botocore that breaks the AWS CLI, so it lives in a virtual environment of its
    /// own, named by `CHECKOV`.
    public static let checkov = OutsideTool(
        name: "checkov",
        install: "python3 -m venv .build-checkov-venv && .build-checkov-venv/bin/pip install 'checkov==3.3.30' && "
            + "export CHECKOV=$PWD/.build-checkov-venv/bin/checkov (a virtualenv of its own: it breaks the AWS CLI beside it)"
    ) {
        [ProcessInfo.processInfo.environment["CHECKOV"], "checkov"].compactMap { $0 }
    }
    public static let chromium = OutsideTool(
        name: "chromium and chromedriver", install: "apt-get install chromium chromium-driver"
    ) {
        // Both or neither: the browser test drives one with the other.
        FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver") ? ["/usr/bin/chromium"] : []
    }
    /// Every tool some test needs, for looking one up by its executable's name.
    public static let all: [OutsideTool] = [moto, awsCLI, cfnLint, checkov, chromium]

    /// Whether `CI` is set: then a missing tool fails the test instead of skipping it.
    public static var isCI: Bool {
        !(ProcessInfo.processInfo.environment["CI"] ?? "").isEmpty
    }

    /// The line a skipped test shows, or a failing one in CI.
    static func missingNote(_ tools: [OutsideTool]) -> String {
        let missing = tools.filter { !$0.isInstalled }
        return "needs " + missing.map { "\($0.name) (\($0.install))" }.joined(separator: " and ")
            + (isCI ? "" : "; skipped because CI is unset")
    }

    private static func locate(_ candidate: String) -> String? {
        if candidate.contains("/") {
            return FileManager.default.isExecutableFile(atPath: candidate) ? candidate : nil
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        return path.split(separator: ":").map { "\($0)/\(candidate)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

extension Trait where Self == ConditionTrait {
    /// The test (or every test of the suite) runs these tools: skipped with one line saying what to install
    /// when one is missing, unless `CI` is set; then it runs, and fails at ``OutsideTool/require()``.
    public static func needs(_ tools: OutsideTool..., sourceLocation: SourceLocation = #_sourceLocation) -> Self {
        .enabled(
            if: OutsideTool.isCI || tools.allSatisfy(\.isInstalled),
            Comment(rawValue: OutsideTool.missingNote(tools)),
            sourceLocation: sourceLocation
        )
    }
}

/// An outside tool a test needed was not installed (in CI, where that fails rather than skips).
public struct OutsideToolMissing: Error, CustomStringConvertible {
    public let tool: OutsideTool

    public init(tool: OutsideTool) {
        self.tool = tool
    }
    public var description: String { "\(tool.name) is not installed; install it with: \(tool.install)" }
}
