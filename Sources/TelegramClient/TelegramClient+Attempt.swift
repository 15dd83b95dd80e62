import AsyncHTTPClient
import Logging
import NIOCore
import _NIOFileSystem
import TelegramBotAPI

/// What one call sends; each attempt makes a fresh HTTP body from it.
enum RequestBody: Sendable {
    case json(ByteBuffer)
    case multipart(MultipartBody)

    var contentType: String {
        switch self {
        case .json: "application/json"
        case .multipart(let body): body.contentType
        }
    }

    var httpBody: HTTPClientRequest.Body {
        switch self {
        case .json(let buffer): .bytes(buffer)
        case .multipart(let body): .stream(body.stream(), length: .known(body.contentLength))
        }
    }
}

extension TelegramClient {
    /// One HTTP exchange: the answer's result, or the error it amounts to.
    func attempt<Result: Decodable & Sendable>(
        _ method: String,
        body: RequestBody,
        timeout: Duration,
        attempt: Int
    ) async throws -> Result {
        var request = HTTPClientRequest(url: "\(configuration.baseURL)/bot\(token.value)/\(method)")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: body.contentType)
        request.body = body.httpBody

        // Metadata only when it will be written: each change copies the logger's storage, and stream
        // handlers render all their metadata again on every change (about 2% of a busy bot's CPU).
        var logger: Logger?
        if self.logger.logLevel <= .debug {
            var callLogger = self.logger
            callLogger[metadataKey: "telegram.method"] = .string(method)
            callLogger[metadataKey: "telegram.attempt"] = .stringConvertible(attempt)
            callLogger.debug("Calling Bot API")
            logger = callLogger
        }

        // AsyncHTTPClient gets no logger: its request logs carry the URL, and the URL carries the token.
        let status: Int
        let answer: ByteBuffer
        do {
            let response = try await httpClient.execute(request, timeout: TimeAmount(timeout))
            status = Int(response.status.code)
            do {
                answer = try await response.body.collect(upTo: configuration.maximumResponseSize)
            } catch is NIOTooManyBytesError {
                throw TelegramClientError.invalidResponse(
                    method: method,
                    status: status,
                    description: "answer larger than \(configuration.maximumResponseSize) bytes"
                )
            }
        } catch {
            let error = translate(error, method: method)
            logger?.debug("Bot API call failed", metadata: ["error": .string(String(describing: error))])
            throw error
        }

        logger?.debug("Bot API answered", metadata: ["http.status": .stringConvertible(status)])
        return try decode(answer, status: status, method: method)
    }

    private func decode<Result: Decodable & Sendable>(_ answer: ByteBuffer, status: Int, method: String) throws -> Result {
        do {
            return try BotAPIResponse<Result>.decode(answer.readableBytesView, method: method)
        } catch var error as TelegramAPIError {
            // Telegram never echoes the token, but a proxy or a local server in front of it might.
            error.description = token.redact(error.description)
            throw error
        } catch {
            throw TelegramClientError.invalidResponse(
                method: method,
                status: status,
                description: token.redact(explain(error, answer: answer))
            )
        }
    }

    /// The error a failure of the transport or of an upload amounts to, with the token redacted from its text.
    /// Errors already meaningful to the caller pass through unchanged.
    func translate(_ error: any Error, method: String) -> any Error {
        switch error {
        case is TelegramAPIError, is TelegramClientError, is CancellationError:
            return error
        case let error as HTTPClientError:
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout, .connectTimeout,
                .getConnectionFromPoolTimeout, .tlsHandshakeTimeout:
                return TelegramClientError.timeout(method: method)
            case .cancelled where Task.isCancelled:
                return CancellationError()
            default:
                break
            }
        case is FileSystemError, is MultipartBody.FileShrank, is MultipartBody.NotARegularFile:
            return TelegramClientError.upload(method: method, description: token.redact(String(describing: error)))
        case is EncodingError:
            return TelegramClientError.encoding(method: method, description: token.redact(String(describing: error)))
        default:
            break
        }
        return TelegramClientError.transport(method: method, description: token.redact(String(describing: error)))
    }

    /// A short account of why an answer did not decode: where, and for a body that is not JSON at all, how it
    /// starts (redacted before it is cut: a server that echoes the URL would otherwise leave half a token at the cut).
    private func explain(_ error: any Error, answer: ByteBuffer) -> String {
        let context: DecodingError.Context
        switch error as? DecodingError {
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .keyNotFound(_, let c), .dataCorrupted(let c):
            context = c
        default:
            return String(describing: error)
        }
        guard !context.codingPath.isEmpty else {
            return "not a Bot API answer: \(token.redactedExcerpt(of: answer.readableBytesView, limit: 200))"
        }
        let path = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        return "cannot decode \(path): \(context.debugDescription)"
    }
}
