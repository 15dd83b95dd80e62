public import Foundation

extension Process {
    /// Whether the child has exited, asked of the kernel rather than of Foundation. Foundation on Linux learns of
    /// an exit when a socket the child holds closes (swift-corelibs-foundation#4795); a process the test runner
    /// spawns at the same moment (a moto server, the AWS CLI) can inherit that socket and hide the exit for as
    /// long as it lives. `waitid` with `WNOWAIT` looks without reaping, so Foundation still reaps the child.
    public var hasExited: Bool { !isRunning || peek() != .running }

    /// The exit status (or the signal that ended it, as `terminationStatus` gives it) once ``hasExited``.
    public var exitStatus: Int32 {
        if !isRunning { return terminationStatus }
        switch peek() {
        case .exited(let status): return status
        case .running: return -1
        case .reaped:
            // Foundation has reaped the child and is about to say so: its status is Foundation's to give.
            let deadline = Date().addingTimeInterval(5)
            while isRunning, Date() < deadline { usleep(1_000) }
            return isRunning ? -1 : terminationStatus
        }
    }

    private enum Peek: Equatable {
        case running
        case exited(Int32)
        /// Gone from the kernel's children: Foundation reaped it and has not yet set `isRunning`.
        case reaped
    }

    private func peek() -> Peek {
        var info = siginfo_t()
        guard waitid(P_PID, id_t(processIdentifier), &info, WEXITED | WNOHANG | WNOWAIT) == 0 else {
            return errno == ECHILD ? .reaped : .running
        }
        // While the child runs, waitid succeeds with no pid filled in.
        guard info._sifields._sigchld.si_pid == processIdentifier else { return .running }
        return .exited(info._sifields._sigchld.si_status)
    }
}
