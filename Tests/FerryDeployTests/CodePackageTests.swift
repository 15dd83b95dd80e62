import FerryDeploy
import Foundation
import Testing

@Suite("Code package")
struct CodePackageTests {
    @Test("the zip holds the executable as bootstrap, mode 0755, readable by another zip implementation")
    func readableZip() async throws {
        let directory = try TemporaryDirectory()
        let executable = try directory.write("#!/bin/sh\necho \"hello from bootstrap\"\n", to: "EchoBot")
        let package = directory.url.appendingPathComponent("package.zip").path
        try CodePackage.write(executable: executable, to: package)

        // Python's zipfile checks the CRC of every entry (testzip) and reports the stored Unix mode.
        let check = """
            import sys, zipfile
            archive = zipfile.ZipFile(sys.argv[1])
            assert archive.testzip() is None, "bad CRC"
            [entry] = archive.infolist()
            print(entry.filename, oct((entry.external_attr >> 16) & 0o777), entry.compress_type)
            sys.stdout.write(archive.read(entry).decode())
            """
        let result = try await ExternalTool.run("python3", ["-c", check, package])
        #expect(result.exitCode == 0, "\(result.standardError)")
        #expect(result.standardOutput == "bootstrap 0o755 8\n#!/bin/sh\necho \"hello from bootstrap\"", "deflated (method 8)")
    }

    @Test("the executable is deflated: a repetitive binary packs small and unpacks to the same bytes")
    func deflated() async throws {
        let directory = try TemporaryDirectory()
        let binary = Data((0..<2_000_000).map { UInt8(truncatingIfNeeded: ($0 % 4096) &* 7) })
        let executable = directory.url.appendingPathComponent("bot").path
        try binary.write(to: URL(fileURLWithPath: executable))
        let package = directory.url.appendingPathComponent("package.zip").path
        try CodePackage.write(executable: executable, to: package)
        let packed = try Data(contentsOf: URL(fileURLWithPath: package))
        #expect(packed.count < binary.count / 20, "\(packed.count) bytes for \(binary.count)")

        let unpacked = directory.url.appendingPathComponent("unpacked").path
        let check = """
            import sys, zipfile
            archive = zipfile.ZipFile(sys.argv[1])
            assert archive.testzip() is None, "bad CRC"
            open(sys.argv[2], "wb").write(archive.read("bootstrap"))
            """
        let result = try await ExternalTool.run("python3", ["-c", check, package, unpacked])
        #expect(result.exitCode == 0, "\(result.standardError)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: unpacked)) == binary)
    }

    @Test("the same executable always gives the same bytes, so an unchanged bot keeps its package key")
    func reproducible() throws {
        let binary = Data((0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let first = try CodePackage.zip(executable: binary)
        #expect(try CodePackage.zip(executable: binary) == first)
        var changed = binary
        changed[500] ^= 1
        #expect(try CodePackage.zip(executable: changed) != first)
    }

    @Test("an empty or missing executable is refused")
    func refusals() throws {
        #expect(throws: CodePackageError.empty) { try CodePackage.zip(executable: Data()) }
        #expect(throws: CodePackageError.self) { try CodePackage.write(executable: "/nonexistent/bot", to: "/tmp/x.zip") }
    }
}
