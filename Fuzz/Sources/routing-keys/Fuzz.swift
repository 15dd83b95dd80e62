import TelegramBotAPI
import FuzzDriver

/// Any bytes: `extract` returns keys or throws, and never traps, hangs or reads out of bounds.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let keys = try? UpdateRoutingKeys.extract(from: bytes) {
        // Whatever it read must make a valid FIFO group: at most 128 printable ASCII characters.
        let group = keys.orderingKey.groupID
        precondition(!group.isEmpty && group.utf8.count <= 128 && group.utf8.allSatisfy { $0 >= 0x21 && $0 <= 0x7E }, "bad group \(group)")
    }
    return 0
}

@_cdecl("routing_keys_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzer(argc, argv, fuzz)
}
