/// One part of a `multipart/form-data` body, parsed independently of the client's encoder
/// so that the tests check the wire format rather than the encoder against itself.
struct FormPart: Sendable, Equatable {
    var name: String
    var filename: String?
    var contentType: String?
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }

    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    static func parse(_ body: [UInt8], contentType: String) throws -> [FormPart] {
        guard contentType.hasPrefix("multipart/form-data"),
            let boundary = contentType.split(separator: "boundary=", maxSplits: 1).last.map(String.init),
            boundary != contentType
        else { throw Malformed(description: "not multipart/form-data: \(contentType)") }

        // With a CRLF in front, every delimiter reads the same: CRLF "--" boundary.
        let segments = split([13, 10] + body, on: Array("\r\n--\(boundary)".utf8))
        guard segments.count >= 2, segments[0].isEmpty else { throw Malformed(description: "no leading delimiter") }
        guard segments.last.map({ Array($0) }) == Array("--\r\n".utf8) else {
            throw Malformed(description: "no closing delimiter")
        }
        return try segments.dropFirst().dropLast().map { segment in
            guard segment.starts(with: [13, 10]) else { throw Malformed(description: "delimiter not followed by CRLF") }
            let afterDelimiter = Array(segment.dropFirst(2))
            let headerEnd = split(afterDelimiter, on: Array("\r\n\r\n".utf8), maxSplits: 1)
            guard headerEnd.count == 2 else { throw Malformed(description: "part without header end") }
            return try FormPart(headers: String(decoding: headerEnd[0], as: UTF8.self), body: Array(headerEnd[1]))
        }
    }

    private init(headers: String, body: [UInt8]) throws {
        var name: String?
        var filename: String?
        var contentType: String?
        for line in headers.split(separator: "\r\n") {
            let pieces = line.split(separator: ":", maxSplits: 1)
            guard pieces.count == 2 else { throw Malformed(description: "bad header line: \(line)") }
            let value = pieces[1].trimmingPrefix(" ")
            switch pieces[0].lowercased() {
            case "content-disposition":
                for parameter in value.split(separator: ";").map({ $0.trimmingPrefix(" ") }) {
                    if parameter.hasPrefix("name=\"") { name = String(parameter.dropFirst(6).dropLast()) }
                    if parameter.hasPrefix("filename=\"") { filename = String(parameter.dropFirst(10).dropLast()) }
                }
            case "content-type":
                contentType = String(value)
            default:
                break
            }
        }
        guard let name else { throw Malformed(description: "part without a name: \(headers)") }
        self.init(name: name, filename: filename, contentType: contentType, body: body)
    }

    private init(name: String, filename: String?, contentType: String?, body: [UInt8]) {
        self.name = name
        self.filename = filename
        self.contentType = contentType
        self.body = body
    }

    private static func split(_ bytes: [UInt8], on separator: [UInt8], maxSplits: Int = .max) -> [ArraySlice<UInt8>] {
        var pieces: [ArraySlice<UInt8>] = []
        var start = 0
        var index = 0
        while index + separator.count <= bytes.count, pieces.count < maxSplits {
            if bytes[index..<(index + separator.count)].elementsEqual(separator) {
                pieces.append(bytes[start..<index])
                index += separator.count
                start = index
            } else {
                index += 1
            }
        }
        pieces.append(bytes[start...])
        return pieces
    }
}
