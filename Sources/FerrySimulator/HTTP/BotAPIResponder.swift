import Hummingbird
import NIOCore

/// The simulator's HTTP face: `GET` or `POST /bot<token>/<method>`, parameters in the query string
/// and/or the body, every answer a Bot API envelope with the HTTP status equal to its error code.
///
/// Checks come in Telegram's order: the path, then the token (401), then the method (404); the body
/// is refused beyond the size limit (413) before it is read whole.
struct BotAPIResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let engine: SimulatorEngine
    let maximumRequestSize: Int

    func respond(to request: Request, context: Context) async throws -> Response {
        if request.method == .get, let file = Self.fileRoute(request.uri.path) {
            return fileResponse(token: file.token, path: file.path)
        }
        guard request.method == .post || request.method == .get, let route = Self.route(request.uri.path) else {
            return Self.response(.failure(.notFound))
        }
        guard engine.accepts(token: route.token) else { return Self.response(.failure(.unauthorized)) }

        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > maximumRequestSize {
            return Self.response(.failure(.requestEntityTooLarge))
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: maximumRequestSize)
        } catch is NIOTooManyBytesError {
            return Self.response(.failure(.requestEntityTooLarge))
        }

        let parameters: RequestParameters
        do {
            parameters = try RequestParameters.parse(
                body: Array(buffer: body),
                contentType: request.headers[.contentType],
                query: request.uri.query
            )
        } catch {
            return Self.response(.failure(error))
        }
        return Self.response(await engine.call(route.method, parameters: parameters))
    }

    /// `/bot123:ABC/sendMessage` as its token and method; `nil` for any other path.
    static func route(_ path: String) -> (token: String, method: String)? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        guard segments.count == 3, segments[0].isEmpty, segments[1].hasPrefix("bot"), !segments[2].isEmpty else { return nil }
        // Clients may percent-encode the colon of the token.
        return (FormURLEncoding.decode(segments[1].dropFirst(3), plusIsSpace: false), String(segments[2]))
    }

    /// `/file/bot123:ABC/documents/file_7` as its token and file path; `nil` for any other path.
    static func fileRoute(_ path: String) -> (token: String, path: String)? {
        let segments = path.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false)
        guard segments.count == 4, segments[0].isEmpty, segments[1] == "file", segments[2].hasPrefix("bot"), !segments[3].isEmpty else {
            return nil
        }
        return (FormURLEncoding.decode(segments[2].dropFirst(3), plusIsSpace: false), String(segments[3]))
    }

    /// A file's bytes, as Telegram serves them at the path `getFile` gave; 401 for a wrong token, 404 for an unknown path.
    private func fileResponse(token: String, path: String) -> Response {
        guard engine.accepts(token: token) else { return Self.response(.failure(.unauthorized)) }
        guard let file = engine.read({ $0.file(atPath: path) }) else { return Self.response(.failure(.notFound)) }
        return Response(
            status: .ok,
            headers: [.contentType: file.upload.contentType ?? "application/octet-stream"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: file.upload.bytes))
        )
    }

    private static func response(_ answer: BotAPIAnswer) -> Response {
        Response(
            status: HTTPResponse.Status(code: answer.status),
            headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body))
        )
    }
}
