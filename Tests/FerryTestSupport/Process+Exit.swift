public import Foundation

extension Process {
    /// Whether the child has exited, asked of the kernel rather than of Foundation. Foundation on Linux learns of
    /// an exit when a socket the child holds closes (swift-corelibs-foundation#4795); a process the test runner
    /// spawns at the same moment (a moto server, the AWS CLI) can inherit that socket and hide the exit for as
    /// long as it lives. `waitid` with `WNOWAIT` looks without reaping, so Foundation still reaps the child.
    public var hasExited: Bool { !isRunning || peekedExit != nil }

    /// The exit status (or the signal that ended it, as `terminationStatus` gives it) once ``hasExited``.
    public var exitStatus: Int32 {
        if !isRunning { return terminationStatus }
        return peekedExit ?? -1
    }

    private var peekedExit: Int32? {
        var info = siginfo_t()
        guard waitid(P_PID, id_t(processIdentifier), &info, WEXITED | WNOHANG | WNOWAIT) == 0 else { return nil }
        // While the child runs, waitid succeeds with no pid filled in.
        guard info._sifields._sigchld.si_pid == processIdentifier else { return nil }
        return info._sifields._sigchld.si_status
    }
}
