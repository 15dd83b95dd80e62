import Synchronization

/// Lets `Sendable` filters use a `Regex`, which is not `Sendable`: the regex is handed over
/// (`sending`) into a `Mutex`, so only one match runs on it at a time. A match takes microseconds,
/// so the lock costs nothing next to the Bot API call a handler makes.
final class RegexMatcher<Output>: Sendable {
    private let regex: Mutex<Regex<Output>>

    init(_ regex: sending Regex<Output>) {
        self.regex = Mutex(regex)
    }

    func firstMatch(in text: String) -> Output? where Output: Sendable {
        regex.withLock { regex in (try? regex.firstMatch(in: text))?.output }
    }

    func wholeMatch(in text: String) -> Output? where Output: Sendable {
        regex.withLock { regex in (try? regex.wholeMatch(in: text))?.output }
    }
}
