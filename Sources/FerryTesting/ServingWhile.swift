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
///
/// Throws what `body` threw; when `body` succeeded, what the service threw (a host that failed while
/// the test ran is the test's failure, not something to lose).
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
    return try await withThrowingTaskGroup(of: ServingEnd.self) { tasks in
        tasks.addTask {
            defer { onStopped() }
            try await group.run()
            return .serviceStopped
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
            return .graceExpired
        }
        // Whichever ends first: the service (shut down, or failed) or the grace period (then cancel the rest).
        let serviceOutcome: Result<ServingEnd?, any Error>
        do {
            serviceOutcome = .success(try await tasks.next())
        } catch {
            serviceOutcome = .failure(error)
        }
        tasks.cancelAll()
        let result = try outcome.get()
        _ = try serviceOutcome.get()
        return result
    }
}

/// Which of `serving`'s tasks ended first.
private enum ServingEnd: Sendable {
    case serviceStopped
    case graceExpired
}
