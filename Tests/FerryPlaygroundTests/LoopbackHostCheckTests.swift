@testable import FerryPlayground
import Hummingbird
import Testing

@Suite struct LoopbackHostCheckTests {
    @Test(arguments: [
        ("127.0.0.1:8080", true), ("localhost:8080", true), ("LOCALHOST", true), ("[::1]:8080", true), ("192.168.1.20", true),
        ("attacker.example:8080", false), ("127.0.0.1.attacker.example", false), ("localhost.attacker.example", false),
        ("256.1.1.1", false), ("1.2.3", false), ("127.0.0.1:", false), ("127.0.0.1:80x", false), ("[::1", false), ("", false),
    ])
    func hostCheck(authority: String, allowed: Bool) {
        #expect(LoopbackHostCheck<BasicRequestContext>.isAllowed(authority: authority) == allowed)
    }
}
