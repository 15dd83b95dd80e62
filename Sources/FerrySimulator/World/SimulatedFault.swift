/// A misbehaviour to inject into the simulated Bot API, for testing how a bot copes.
public enum SimulatedFault: Sendable, Hashable {
    /// The call is refused with this error and has no effect.
    case failure(BotAPIFailure)
    /// The call takes effect, but the answer comes only after this delay: like a slow Telegram, a client
    /// that times out meanwhile has still sent its message, and sends it twice if it retries.
    case delay(Duration)
}

/// The faults scripted per method, used up call by call in the order they were scripted.
struct FaultPlan {
    private struct Script {
        var fault: SimulatedFault
        var remaining: Int
    }

    /// By lowercased method name: Telegram's method names are case-insensitive.
    private var scripts: [String: [Script]] = [:]

    mutating func add(_ fault: SimulatedFault, method: String, times: Int) {
        guard times > 0 else { return }
        scripts[method.lowercased(), default: []].append(Script(fault: fault, remaining: times))
    }

    /// The fault for this call of `method`, if one is scripted; it counts as used.
    mutating func next(for method: String) -> SimulatedFault? {
        let key = method.lowercased()
        guard var queue = scripts[key], !queue.isEmpty else { return nil }
        let fault = queue[0].fault
        queue[0].remaining -= 1
        if queue[0].remaining == 0 { queue.removeFirst() }
        scripts[key] = queue.isEmpty ? nil : queue
        return fault
    }

    mutating func removeAll() { scripts.removeAll() }
}
