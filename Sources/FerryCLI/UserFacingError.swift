import AsyncHTTPClient
import FerryDeploy
import FoundationEssentials

/// The last stop of every command's failure: errors of Ferry's own say what failed and what to do already;
/// the libraries' errors underneath (Foundation's file errors, JSON decoding, HTTP) print as type dumps, so
/// they are put in words here instead.
enum UserFacingError {
    static func words(for error: any Error) -> any Error {
        switch error {
        case is POSIXError, is CocoaError:
            return CommandError("a file could not be used: \(SystemErrorWords.describe(error)); check the paths given and that you may write there")
        case let decoding as DecodingError:
            return CommandError("an answer could not be read (\(describe(decoding))); check that the URLs given point at what they should")
        case let http as HTTPClientError:
            return CommandError("a connection failed (\(http.shortDescription)); check the network and the URLs given (TELEGRAM_API_URL, AWS_ENDPOINT_URL)")
        default:
            return error
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .dataCorrupted(let context), .keyNotFound(_, let context), .typeMismatch(_, let context), .valueNotFound(_, let context):
            context.debugDescription
        @unknown default:
            "not the JSON expected"
        }
    }
}

extension HTTPClientError {
    /// The failure without the type's dump: `connectTimeout`, `remoteConnectionClosed`...
    fileprivate var shortDescription: String {
        String(describing: self).replacing("HTTPClientError.", with: "")
    }
}
