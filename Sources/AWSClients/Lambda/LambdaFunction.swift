/// One Lambda role of a bot: a typed event in, a typed answer out. ``runtimeHandler`` adapts it to
/// the ``LambdaRuntime``'s bytes.
public protocol LambdaFunction: Sendable {
    associatedtype Event: Decodable & Sendable
    associatedtype Output: Encodable & Sendable

    func handle(_ event: Event) async throws -> Output

    /// Handles `event` within `invocation`; a function that watches its deadline implements it.
    /// The default ignores the invocation.
    func handle(_ event: Event, in invocation: LambdaInvocation) async throws -> Output
}

extension LambdaFunction {
    public func handle(_ event: Event, in invocation: LambdaInvocation) async throws -> Output {
        try await handle(event)
    }

    /// The function as the runtime serves it: an event that does not decode fails its invocation.
    public var runtimeHandler: LambdaRuntime.Handler {
        { invocation, payload in
            let event = try LambdaJSON.decode(Event.self, from: payload)
            return try LambdaJSON.encode(try await handle(event, in: invocation))
        }
    }
}
