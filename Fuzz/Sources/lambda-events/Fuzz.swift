import AWSClients
import NIOCore
import FuzzDriver

/// Any bytes as a Lambda event, through both decoders the functions use: a function URL request (and its
/// body, base64 or not) and an SQS event. A value or an error, never a trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let buffer = ByteBuffer(bytes: UnsafeBufferPointer(start: data, count: size))
    if let request = try? LambdaJSON.decode(FunctionURLRequest.self, from: buffer) {
        _ = try? request.bodyBytes()
        _ = request.header(WebhookSecretHeader.name)
    }
    if let event = try? LambdaJSON.decode(SQSEvent.self, from: buffer) {
        for record in event.records { _ = record.message.body.utf8.count }
    }
    return 0
}

private enum WebhookSecretHeader {
    static let name = "X-Telegram-Bot-Api-Secret-Token"
}

@_cdecl("lambda_events_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzer(argc, argv, fuzz)
}
