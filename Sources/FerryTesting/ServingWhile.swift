public import ServiceLifecycle
import Logging

/// Runs `service` (a Hummingbird application, a fake peer) while `body` runs, then stops it with a
/// graceful shutdown.
///
/// Why not simply cancel the serving task: cancelling a NIO server can strand a connection it has
/// accepted but not yet begun to serve, and NIO's debug builds trap on that ("Deinited NIOAsyncWriter
/// without calling finish()"), taking the whole test process down. A graceful shutdown closes the
/// listener first and serves whatever was accepted. Handlers still running after `shutdownGrace` (a
/// scripted slow answer, say) are cancelled then; by that time nothing new can be accepted.
///
/// `onStopped` runs when the service ends for any reason, so a caller waiting for the service to
/// report its port can stop waiting when it failed to start.
public func serving<T: Sendable>(
    _ service: some Service,
    shutdownGrace: Duration = .seconds(5),
    onStopped: @escaping @Sendable () -> Void = {},
    while body: () async throws -> T
) async throws -> T {
    let group = ServiceGroup(
        configuration: .init(
            services: [.init(service: service)],
            logger: Logger(label: "ferry-testing-service", factory: { _ in SwiftLogNoOpLogHandler() })
        )
    )
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask {
            defer { onStopped() }
            try await group.run()
        }
        let outcome: Result<T, any Error>
        do {
            outcome = .success(try await body())
        } catch {
            outcome = .failure(error)
        }
        await group.triggerGracefulShutdown()
        tasks.addTask {
            try await Task.sleep(for: shutdownGrace)
            throw CancellationError()
        }
        // Whichever ends first: the service (shut down) or the grace period (then cancel the rest).
        _ = try? await tasks.next()
        tasks.cancelAll()
        return try outcome.get()
    }
}
