import FerryDeploy
import FerryTestSupport
import Foundation
import Testing

/// `deploy` refuses a bootstrap Lambda could not start on the stack's architecture, reading the ELF header of
/// real files: the bot binary this build produced, files that are not executables, and crafted headers.
@Suite("Bootstrap executable check")
struct BootstrapExecutableTests {
    /// The architecture this machine is not.
    static let otherArchitecture: LambdaArchitecture = LambdaArchitecture.buildMachine == .x86_64 ? .arm64 : .x86_64

    /// An ELF-64 little-endian header: `e_type` executable (2) or PIE (3), `e_machine` 62 (x86_64) or 183 (aarch64).
    static func elfHeader(class elfClass: UInt8 = 2, osABI: UInt8 = 0, type: UInt16 = 3, machine: UInt16) -> [UInt8] {
        var header = [UInt8](repeating: 0, count: 64)
        header[0...3] = [0x7F, 0x45, 0x4C, 0x46]
        header[4] = elfClass
        header[5] = 1  // little-endian
        header[6] = 1  // ELF version
        header[7] = osABI
        header[16] = UInt8(type & 0xFF)
        header[17] = UInt8(type >> 8)
        header[18] = UInt8(machine & 0xFF)
        header[19] = UInt8(machine >> 8)
        return header
    }

    @Test("the bot binary this build made is accepted for this machine's architecture and refused for the other")
    func builtBinary() throws {
        let binary = BotProcess.builtExecutable("EchoBot").path
        #expect(throws: Never.self) { try BootstrapExecutable.check(path: binary, architecture: .buildMachine) }
        let error = try #require(throws: BootstrapExecutableError.self) {
            try BootstrapExecutable.check(path: binary, architecture: Self.otherArchitecture)
        }
        let message = error.description
        #expect(message.contains("for \(LambdaArchitecture.buildMachine.rawValue)"), "\(message)")
        #expect(message.contains("the functions run on \(Self.otherArchitecture.rawValue)"), "\(message)")
        #expect(message.contains("--architecture \(LambdaArchitecture.buildMachine.rawValue)"), "names the flag that fits: \(message)")
    }

    @Test("files that are not executables are refused, each saying what it is")
    func notExecutables() throws {
        let directory = try TemporaryDirectory()
        let script = try directory.write("#!/bin/sh\nexec ./EchoBot \"$@\"\n", to: "bootstrap.sh")
        let text = try directory.write("hello", to: "notes.txt")
        let empty = try directory.write("", to: "empty")
        let zip = directory.url.appendingPathComponent("package.zip").path
        try CodePackage.write(executable: script, to: zip)
        let expectations = [(script, "a script"), (text, "no ELF header"), (empty, "an empty file"), (zip, "a zip archive")]
        for (path, what) in expectations {
            let error = try #require(throws: BootstrapExecutableError.self) {
                try BootstrapExecutable.check(path: path, architecture: .x86_64)
            }
            #expect(error.description.contains(what), "\(error)")
            #expect(error.description.contains(path))
        }
        let missing = directory.url.appendingPathComponent("missing").path
        #expect(throws: BootstrapExecutableError.self) { try BootstrapExecutable.check(path: missing, architecture: .x86_64) }
    }

    @Test("crafted headers: either architecture, PIE or not, is accepted only for its own")
    func craftedArchitectures() throws {
        for type: UInt16 in [2, 3] {
            let x86 = Self.elfHeader(type: type, machine: 62)
            let arm = Self.elfHeader(osABI: 3, type: type, machine: 183)
            #expect(throws: Never.self) { try BootstrapExecutable.check(header: x86, path: "x86", architecture: .x86_64) }
            #expect(throws: Never.self) { try BootstrapExecutable.check(header: arm, path: "arm", architecture: .arm64) }
            #expect(throws: BootstrapExecutableError.wrongArchitecture(path: "x86", machine: 62, expected: .arm64)) {
                try BootstrapExecutable.check(header: x86, path: "x86", architecture: .arm64)
            }
            #expect(throws: BootstrapExecutableError.wrongArchitecture(path: "arm", machine: 183, expected: .x86_64)) {
                try BootstrapExecutable.check(header: arm, path: "arm", architecture: .x86_64)
            }
        }
        // A processor Lambda does not offer: no --architecture to suggest.
        let riscV = try #require(throws: BootstrapExecutableError.self) {
            try BootstrapExecutable.check(header: Self.elfHeader(machine: 243), path: "rv", architecture: .x86_64)
        }
        #expect(riscV.description.contains("RISC-V") && !riscV.description.contains("--architecture"), "\(riscV)")
    }

    @Test("crafted headers that are not a 64-bit Linux executable are refused")
    func craftedRefusals() throws {
        let macOS: [UInt8] = [0xCF, 0xFA, 0xED, 0xFE, 0x07, 0x00, 0x00, 0x01] + [UInt8](repeating: 0, count: 56)
        let cases: [([UInt8], String)] = [
            (macOS, "macOS (Mach-O)"),
            ([0xCA, 0xFE, 0xBA, 0xBE] + [UInt8](repeating: 0, count: 60), "macOS (Mach-O)"),
            (Self.elfHeader(class: 1, machine: 3), "32-bit"),
            (Self.elfHeader(osABI: 9, machine: 62), "another operating system"),
            (Self.elfHeader(type: 1, machine: 62), "object file"),
            (Self.elfHeader(type: 4, machine: 62), "core dump"),
            (Array(Self.elfHeader(machine: 62).prefix(20)), "truncated"),
            ([0x4D, 0x5A, 0x90, 0x00], "Windows"),
        ]
        for (header, what) in cases {
            let error = try #require(throws: BootstrapExecutableError.self) {
                try BootstrapExecutable.check(header: header, path: "bootstrap", architecture: .x86_64)
            }
            #expect(error.description.contains(what), "\(error)")
        }
    }
}
