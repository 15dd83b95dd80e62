/// A wait in a test that ran out: what it waited for and how long.
public struct WaitTimedOut: Error, CustomStringConvertible {
    public var description: String
}

/// Waits until `condition` holds, checking every 20 ms, for at most `limit`.
///
/// The limit is generous on purpose: the wait returns as soon as the condition holds, and a loaded
/// machine must slow a test down rather than fail it.
public func eventually(within limit: Duration = .seconds(30), _ condition: () async throws -> Bool) async throws {
    _ = try await eventuallyValue(within: limit, "the condition to hold") { try await condition() ? true : nil }
}

/// Waits until `value` is not `nil`, checking every 20 ms, for at most `limit`, and returns it.
public func eventuallyValue<Value>(
    within limit: Duration = .seconds(30),
    _ what: String,
    _ value: () async throws -> Value?
) async throws -> Value {
    let clock = ContinuousClock()
    let deadline = clock.now + limit
    // The value is looked at once more after the deadline: a busy process may oversleep it.
    while true {
        if let value = try await value() { return value }
        guard clock.now < deadline else { throw WaitTimedOut(description: "waited \(limit) for \(what)") }
        try await Task.sleep(for: .milliseconds(20))
    }
}
