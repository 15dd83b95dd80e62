#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
import CZlib

/// The Lambda code package: a zip holding the bot binary as an executable named `bootstrap`, which is what the
/// `provided.al2023` runtime starts. The entry is deflated: a stripped bot binary shrinks to about a third.
///
/// The zip is written here rather than by a `zip` tool so packaging works wherever Swift does, and so the
/// package is reproducible: fixed timestamps and entry order mean the same binary always gives the same bytes,
/// hence the same SHA-256 and the same S3 key, and an unchanged bot is not redeployed.
public enum CodePackage {
    /// The file name the runtime executes.
    public static let entryName = "bootstrap"

    /// The largest package written: Lambda refuses code over 250 MB unzipped, and without ZIP64 a zip can hold
    /// at most 4 GiB anyway.
    public static let maximumSize = 250 * 1024 * 1024

    /// Zips the executable at `executable` as `bootstrap` (mode 0755) into a new file at `destination`,
    /// creating its folder when missing.
    public static func write(executable: String, to destination: String) throws(CodePackageError) {
        let binary: Data
        do {
            binary = try Data(contentsOf: URL(fileURLWithPath: executable))
        } catch {
            throw .unreadable(path: executable, reason: SystemErrorWords.describe(error))
        }
        let archive = try zip(executable: binary)
        let url = URL(fileURLWithPath: destination)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try archive.write(to: url)
        } catch {
            throw .unwritable(path: destination, reason: SystemErrorWords.describe(error))
        }
    }

    /// A folder of its own for one deploy's code package, in the system's temporary folder (which every user
    /// can write, wherever the command runs); remove it when done.
    public static func makeWorkFolder() throws(CodePackageError) -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-package-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw .unwritable(path: folder.path, reason: SystemErrorWords.describe(error))
        }
        return folder.path
    }

    /// The zip archive holding `executable`, deflated, as `bootstrap`.
    public static func zip(executable: Data) throws(CodePackageError) -> Data {
        guard !executable.isEmpty else { throw .empty }
        guard executable.count <= maximumSize else { throw .tooLarge(bytes: executable.count) }
        let name = Array(entryName.utf8)
        let size = UInt32(executable.count)
        let checksum = CRC32.checksum(executable)
        let contents = try RawDeflate.compress(executable)
        let compressedSize = UInt32(contents.count)
        var archive = Data()
        archive.reserveCapacity(contents.count + 128)

        // Local file header.
        archive.append(littleEndian: UInt32(0x0403_4B50))
        archive.append(littleEndian: zipVersion)
        archive.append(littleEndian: UInt16(0))  // flags
        archive.append(littleEndian: deflated)
        archive.append(littleEndian: dosTime)
        archive.append(littleEndian: dosDate)
        archive.append(littleEndian: checksum)
        archive.append(littleEndian: compressedSize)
        archive.append(littleEndian: size)  // uncompressed
        archive.append(littleEndian: UInt16(name.count))
        archive.append(littleEndian: UInt16(0))  // extra field length
        archive.append(contentsOf: name)
        archive.append(contents)

        // Central directory: one entry.
        let directoryOffset = UInt32(archive.count)
        archive.append(littleEndian: UInt32(0x0201_4B50))
        archive.append(littleEndian: UInt16(3 << 8) | zipVersion)  // made by Unix, so the mode below counts
        archive.append(littleEndian: zipVersion)
        archive.append(littleEndian: UInt16(0))  // flags
        archive.append(littleEndian: deflated)
        archive.append(littleEndian: dosTime)
        archive.append(littleEndian: dosDate)
        archive.append(littleEndian: checksum)
        archive.append(littleEndian: compressedSize)
        archive.append(littleEndian: size)
        archive.append(littleEndian: UInt16(name.count))
        archive.append(littleEndian: UInt16(0))  // extra field length
        archive.append(littleEndian: UInt16(0))  // comment length
        archive.append(littleEndian: UInt16(0))  // disk number
        archive.append(littleEndian: UInt16(0))  // internal attributes
        archive.append(littleEndian: UInt32(0o100755) << 16)  // a regular file, rwxr-xr-x
        archive.append(littleEndian: UInt32(0))  // offset of the local header
        archive.append(contentsOf: name)
        let directorySize = UInt32(archive.count) - directoryOffset

        // End of central directory.
        archive.append(littleEndian: UInt32(0x0605_4B50))
        archive.append(littleEndian: UInt16(0))
        archive.append(littleEndian: UInt16(0))
        archive.append(littleEndian: UInt16(1))
        archive.append(littleEndian: UInt16(1))
        archive.append(littleEndian: directorySize)
        archive.append(littleEndian: directoryOffset)
        archive.append(littleEndian: UInt16(0))  // comment length
        return archive
    }

    /// ZIP 2.0: what a deflated entry needs.
    private static let zipVersion: UInt16 = 20
    /// Compression method 8.
    private static let deflated: UInt16 = 8
    /// 1980-01-01 00:00, the earliest DOS date: a fixed timestamp keeps the package reproducible.
    private static let dosDate: UInt16 = (0 << 9) | (1 << 5) | 1
    private static let dosTime: UInt16 = 0
}

/// Why a code package could not be written.
public enum CodePackageError: Error, Hashable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case unwritable(path: String, reason: String)
    case empty
    case tooLarge(bytes: Int)
    /// zlib failed (it only does when out of memory); the status is zlib's.
    case compressionFailed(status: Int32)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            "cannot read the executable \(path) (\(reason)): give the path of a bootstrap binary built as the README's \"Building the bootstrap\" shows, or leave --executable out to build it here"
        case .unwritable(let path, let reason):
            "cannot write the code package \(path) (\(reason)): free some space or set TMPDIR to a folder you can write"
        case .empty: "the executable is empty"
        case .tooLarge(let bytes): "the executable is \(bytes) bytes; Lambda accepts at most \(CodePackage.maximumSize)"
        case .compressionFailed(let status): "zlib could not compress the executable (status \(status))"
        }
    }
}

/// Raw deflate (RFC 1951, no zlib header or trailer), as a zip entry of method 8 holds it, at zlib's best
/// compression: a package is written once per deploy. zlib's output depends only on its input and settings,
/// so packages stay reproducible.
enum RawDeflate {
    static func compress(_ input: Data) throws(CodePackageError) -> Data {
        var stream = z_stream()
        let initialized = ferry_deflate_init_raw(&stream, Z_BEST_COMPRESSION)
        guard initialized == Z_OK else { throw .compressionFailed(status: initialized) }
        defer { deflateEnd(&stream) }
        // Enough for one call to finish, even for incompressible input; inputs are at most 250 MB (`maximumSize`).
        let bound = Int(deflateBound(&stream, uLong(input.count)))
        var output = Data(count: bound)
        let status = input.withUnsafeBytes { source in
            output.withUnsafeMutableBytes { destination in
                stream.next_in = UnsafeMutablePointer(mutating: source.bindMemory(to: Bytef.self).baseAddress)
                stream.avail_in = uInt(source.count)
                stream.next_out = destination.bindMemory(to: Bytef.self).baseAddress
                stream.avail_out = uInt(destination.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { throw .compressionFailed(status: status) }
        output.count = Int(stream.total_out)
        return output
    }
}

/// CRC-32 as ZIP uses it (the IEEE polynomial, reflected).
enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 {
            value = value & 1 == 1 ? (value >> 1) ^ 0xEDB8_8320 : value >> 1
        }
        return value
    }

    static func checksum(_ data: Data) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        table.withUnsafeBufferPointer { table in
            for byte in data {
                crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
            }
        }
        return crc ^ 0xFFFF_FFFF
    }
}

extension Data {
    fileprivate mutating func append<Integer: FixedWidthInteger>(littleEndian value: Integer) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}
