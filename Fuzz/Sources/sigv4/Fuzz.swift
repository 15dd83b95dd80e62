import AWSClients
import Foundation
import FuzzDriver

/// Any bytes as an HTTP request (`METHOD path?query`, header lines `Name:value`, a blank line, the body, as
/// the AWS test suite writes requests) signed with SigV4: the canonical request is built from whatever
/// the path, query and headers hold, and signing never traps.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let (head, body) = split(text, at: "\n\n")
    let lines = head.split(separator: "\n", omittingEmptySubsequences: false)
    guard let requestLine = lines.first else { return 0 }
    let words = requestLine.split(separator: " ", maxSplits: 2)
    let method = words.first.map(String.init) ?? "GET"
    let target = words.count > 1 ? String(words[1]) : "/"
    let (path, query) = split(target, at: "?")
    let headers = lines.dropFirst().compactMap { line -> AWSSignableRequest.Header? in
        let (name, value) = split(String(line), at: ":")
        return name.isEmpty ? nil : AWSSignableRequest.Header(name: name, value: value)
    }
    for normalizing in [true, false] {
        var request = AWSSignableRequest(
            method: method, path: path, query: query, headers: headers, body: Array(body.utf8), normalizesPath: normalizing
        )
        let signature = signer.sign(&request, at: date)
        precondition(signature.signature.utf8.count == 64, "a signature is 32 bytes of hex")
    }
    return 0
}

private let signer = AWSSigner(credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), region: "us-east-1", service: "service")
private let date = Date(timeIntervalSince1970: 1_440_938_160)

private func split(_ text: String, at separator: String) -> (String, String) {
    guard let range = text.range(of: separator) else { return (text, "") }
    return (String(text[..<range.lowerBound]), String(text[range.upperBound...]))
}

@_cdecl("sigv4_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzer(argc, argv, fuzz)
}
