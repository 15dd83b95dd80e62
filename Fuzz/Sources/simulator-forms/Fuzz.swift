@testable import FerrySimulator
import FuzzDriver

/// Any bytes as the body of a Bot API call to the simulator: as `application/x-www-form-urlencoded`, and
/// as `multipart/form-data` with the boundary its first line gives (`--BOUNDARY`). Parameters or a 400,
/// never a trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let body = Array(UnsafeBufferPointer(start: data, count: size))
    _ = try? RequestParameters.parse(body: body, contentType: "application/x-www-form-urlencoded", query: nil)
    let firstLine = body.prefix { $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") }
    let boundary = firstLine.starts(with: Array("--".utf8)) ? String(decoding: firstLine.dropFirst(2), as: UTF8.self) : "b"
    _ = try? RequestParameters.parse(body: body, contentType: "multipart/form-data; boundary=\(boundary)", query: "a=1&b=%zz")
    return 0
}

@_cdecl("simulator_forms_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzer(argc, argv, fuzz)
}
