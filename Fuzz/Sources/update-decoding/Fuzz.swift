import TelegramBotAPI
import FuzzDriver

/// Any bytes through the JSON tape and the Bot API decoder, as the dispatcher decodes a queued update: a
/// value or an error, never a trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let decoder = BotAPIDecoder()
    _ = try? decoder.decode(Update.self, from: bytes)
    _ = try? decoder.decode(JSONValue.self, from: bytes)
    return 0
}

@_cdecl("update_decoding_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzer(argc, argv, fuzz)
}
