/// One Lambda role of a bot: a typed event in, a typed answer out. ``runtimeHandler`` adapts it to
/// the ``LambdaRuntime``'s bytes.
public protocol LambdaFunction: Sendable {
    associatedtype Event: Decodable & Sendable
    associatedtype Output: Encodable & Sendable

    func handle(_ event: Event) async throws -> Output
}

extension LambdaFunction {
    /// The function as the runtime serves it: an event that does not decode fails its invocation.
    public var runtimeHandler: LambdaRuntime.Handler {
        { _, payload in
            let event = try LambdaJSON.decode(Event.self, from: payload)
            return try LambdaJSON.encode(try await handle(event))
        }
    }
}
