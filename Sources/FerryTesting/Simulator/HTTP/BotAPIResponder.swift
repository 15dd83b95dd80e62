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

    private static func response(_ answer: BotAPIAnswer) -> Response {
        Response(
            status: HTTPResponse.Status(code: answer.status),
            headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body))
        )
    }
}
