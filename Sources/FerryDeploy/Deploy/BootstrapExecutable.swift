#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Checks that a file can be a Lambda `bootstrap` for a function's architecture, from its first bytes: the
/// `provided.al2023` runtime starts only a 64-bit little-endian Linux ELF executable built for the function's
/// processor. Anything else (a macOS binary, an arm64 binary on an x86_64 function, a zip, a script) is
/// accepted by every deploy step and fails only at the first cold start, with `Runtime.InvalidEntrypoint`.
public enum BootstrapExecutable {
    /// The ELF header's fields the check reads (ELF-64 object file format, version 1.5).
    enum ELF {
        static let magic: [UInt8] = [0x7F, 0x45, 0x4C, 0x46]
        static let headerSize = 64
        /// `EI_CLASS`: 2 is 64-bit.
        static let classOffset = 4
        /// `EI_DATA`: 1 is little-endian.
        static let dataOffset = 5
        /// `EI_OSABI`: 0 (System V) or 3 (GNU/Linux) for a Linux binary.
        static let osABIOffset = 7
        /// `e_type`: 2 an executable, 3 a position-independent executable (or a shared library).
        static let typeOffset = 16
        /// `e_machine`: the processor.
        static let machineOffset = 18
    }

    /// `e_machine` of each architecture Lambda offers.
    static func machine(of architecture: LambdaArchitecture) -> UInt16 {
        switch architecture {
        case .x86_64: 62  // EM_X86_64
        case .arm64: 183  // EM_AARCH64
        }
    }

    /// Reads the start of the file at `path` and checks it.
    public static func check(path: String, architecture: LambdaArchitecture) throws(BootstrapExecutableError) {
        let contents: Data
        do {
            // Mapped, so only the pages of the header are read from a bootstrap of tens of megabytes.
            contents = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw .unreadable(path: path, reason: String(describing: error))
        }
        try check(header: Array(contents.prefix(ELF.headerSize)), path: path, architecture: architecture)
    }

    /// Checks the first bytes of a file (at least the 64 of an ELF-64 header; fewer is refused).
    public static func check(header: [UInt8], path: String, architecture: LambdaArchitecture) throws(BootstrapExecutableError) {
        guard header.starts(with: ELF.magic) else {
            throw .notLinuxExecutable(path: path, what: describeNonELF(header))
        }
        guard header.count >= ELF.headerSize else {
            throw .notLinuxExecutable(path: path, what: "a truncated ELF file (\(header.count) bytes)")
        }
        guard header[ELF.classOffset] == 2, header[ELF.dataOffset] == 1 else {
            throw .notLinuxExecutable(path: path, what: "a 32-bit or big-endian ELF file; Lambda runs 64-bit little-endian code")
        }
        let osABI = header[ELF.osABIOffset]
        guard osABI == 0 || osABI == 3 else {
            throw .notLinuxExecutable(path: path, what: "an ELF file for another operating system (OS ABI \(osABI)), not Linux")
        }
        let type = littleEndian(header, at: ELF.typeOffset)
        guard type == 2 || type == 3 else {
            let kind = type == 1 ? "an object file (not linked)" : type == 4 ? "a core dump" : "an ELF file of type \(type)"
            throw .notLinuxExecutable(path: path, what: kind)
        }
        let machine = littleEndian(header, at: ELF.machineOffset)
        guard machine == Self.machine(of: architecture) else {
            throw .wrongArchitecture(path: path, machine: machine, expected: architecture)
        }
    }

    private static func littleEndian(_ bytes: [UInt8], at offset: Int) -> UInt16 {
        UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
    }

    /// What a processor is called, for the error: Lambda's name where it has one.
    static func machineName(_ machine: UInt16) -> String {
        switch machine {
        case 62: LambdaArchitecture.x86_64.rawValue
        case 183: LambdaArchitecture.arm64.rawValue
        case 3: "32-bit x86 (i386)"
        case 40: "32-bit ARM"
        case 243: "RISC-V"
        default: "processor \(machine) (ELF e_machine)"
        }
    }

    /// The common things handed over instead of a Linux binary, named so the fix is obvious.
    private static func describeNonELF(_ header: [UInt8]) -> String {
        let machO: [[UInt8]] = [
            [0xFE, 0xED, 0xFA, 0xCE], [0xCE, 0xFA, 0xED, 0xFE], [0xFE, 0xED, 0xFA, 0xCF], [0xCF, 0xFA, 0xED, 0xFE],
            [0xCA, 0xFE, 0xBA, 0xBE],
        ]
        if header.isEmpty { return "an empty file" }
        if machO.contains(where: { header.starts(with: $0) }) {
            return "a macOS (Mach-O) binary; Lambda runs Linux binaries: build in a Linux container or with the Static Linux SDK"
        }
        if header.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return "a zip archive; give the bootstrap binary itself, deploy zips it" }
        if header.starts(with: [0x23, 0x21]) { return "a script; give the compiled bot binary" }
        if header.starts(with: [0x4D, 0x5A]) { return "a Windows executable" }
        return "not an executable (no ELF header)"
    }
}

/// Why a file cannot be the bootstrap of the stack's functions.
public enum BootstrapExecutableError: Error, Hashable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    /// Not a 64-bit Linux ELF executable at all; `what` says what it is.
    case notLinuxExecutable(path: String, what: String)
    /// A Linux executable for another processor than the functions'.
    /// `machine` is the ELF header's `e_machine`.
    case wrongArchitecture(path: String, machine: UInt16, expected: LambdaArchitecture)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "cannot read the bootstrap \(path): \(reason)"
        case .notLinuxExecutable(let path, let what):
            "\(path) cannot be a Lambda bootstrap: it is \(what). Lambda's provided.al2023 runtime starts a 64-bit Linux executable."
        case .wrongArchitecture(let path, let machine, let expected):
            "\(path) is a Linux executable for \(BootstrapExecutable.machineName(machine)), but the functions run on "
                + "\(expected.rawValue): build the bootstrap for \(expected.rawValue) (docs/deploy.md, \"Building the bootstrap\")"
                + (LambdaArchitecture.allCases.first { BootstrapExecutable.machine(of: $0) == machine }.map {
                    ", or deploy with --architecture \($0.rawValue) if that is what you meant"
                } ?? "")
        }
    }
}
