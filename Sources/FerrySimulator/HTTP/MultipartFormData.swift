/// A `multipart/form-data` body (RFC 7578) split into its parts: what a Bot API call uploading a file sends.
struct MultipartFormData {
    struct Part {
        var name: String
        /// Present for file parts: the uploaded file's name as the client gave it.
        var filename: String?
        var contentType: String?
        var body: ArraySlice<UInt8>
    }

    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    /// The most parts one body may have; Telegram's methods take a few dozen parameters at most.
    static let maximumPartCount = 1000

    let parts: [Part]

    /// - Parameter contentType: the request's `Content-Type`, which carries the boundary.
    init(body: [UInt8], contentType: String) throws {
        guard let boundary = Self.boundary(in: contentType) else {
            throw Malformed(description: "no boundary in the content type")
        }
        // With a CRLF in front, every delimiter reads the same: CRLF "--" boundary.
        let delimiter = Array("\r\n--\(boundary)".utf8)
        let bytes = [13, 10] + body
        var parts: [Part] = []
        guard var position = Self.firstIndex(of: delimiter, in: bytes, from: 0) else {
            throw Malformed(description: "no opening boundary")
        }
        position += delimiter.count
        while true {
            // After a delimiter comes "--" (the end) or CRLF and the next part.
            if bytes[position...].starts(with: [45, 45]) { break }
            guard bytes[position...].starts(with: [13, 10]) else { throw Malformed(description: "boundary not followed by CRLF") }
            let partStart = position + 2
            guard let next = Self.firstIndex(of: delimiter, in: bytes, from: partStart) else {
                throw Malformed(description: "no closing boundary")
            }
            guard parts.count < Self.maximumPartCount else { throw Malformed(description: "too many parts") }
            parts.append(try Self.part(bytes[partStart..<next]))
            position = next + delimiter.count
        }
        self.parts = parts
    }

    private static func part(_ bytes: ArraySlice<UInt8>) throws -> Part {
        guard let headerEnd = firstIndex(of: Array("\r\n\r\n".utf8), in: bytes, from: bytes.startIndex) else {
            throw Malformed(description: "part without a header end")
        }
        let headers = String(decoding: bytes[bytes.startIndex..<headerEnd], as: UTF8.self)
        var name: String?
        var filename: String?
        var contentType: String?
        for line in headers.split(separator: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let value = line[line.index(after: colon)...].trimmingPrefix(" ")
            switch line[..<colon].lowercased() {
            case "content-disposition":
                let attributes = dispositionAttributes(value)
                name = attributes["name"]
                filename = attributes["filename"]
            case "content-type":
                contentType = String(value)
            default:
                break
            }
        }
        guard let name else { throw Malformed(description: "part without a name") }
        return Part(name: name, filename: filename, contentType: contentType, body: bytes[(headerEnd + 4)...])
    }

    /// `form-data; name="photo"; filename="cat.jpg"` as `["name": "photo", "filename": "cat.jpg"]`.
    private static func dispositionAttributes(_ value: Substring) -> [String: String] {
        var attributes: [String: String] = [:]
        for attribute in value.split(separator: ";").dropFirst() {
            let trimmed = attribute.trimmingPrefix(" ")
            guard let equals = trimmed.firstIndex(of: "=") else { continue }
            var text = trimmed[trimmed.index(after: equals)...]
            if text.hasPrefix("\""), text.hasSuffix("\""), text.count >= 2 { text = text.dropFirst().dropLast() }
            attributes[trimmed[..<equals].lowercased()] = String(text)
        }
        return attributes
    }

    static func boundary(in contentType: String) -> String? {
        for parameter in contentType.split(separator: ";").dropFirst() {
            let trimmed = parameter.trimmingPrefix(" ")
            guard trimmed.lowercased().hasPrefix("boundary=") else { continue }
            var value = trimmed.dropFirst("boundary=".count)
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = value.dropFirst().dropLast() }
            return value.isEmpty || value.count > 70 ? nil : String(value)
        }
        return nil
    }

    private static func firstIndex<Bytes: RandomAccessCollection<UInt8>>(
        of needle: [UInt8],
        in haystack: Bytes,
        from start: Int
    ) -> Int? where Bytes.Index == Int {
        guard let first = needle.first else { return start }
        var index = start
        let last = haystack.endIndex - needle.count
        while index <= last {
            if haystack[index] == first, haystack[index..<(index + needle.count)].elementsEqual(needle) {
                return index
            }
            index += 1
        }
        return nil
    }
}
