import DaxCore
#if canImport(Glibc)
import Glibc
#endif

/// Tells a running udevd that rule files changed (`udevadm control --reload`).
///
/// systemd-udevd (252) looks at its rule directories' timestamps at most once every 3
/// seconds, when an event comes (src/udev/udevd.c, manager_reload/udev_rules_should_reload):
/// a device re-probed within 3 s of a rule being written gets the old rules. After it
/// writes a VM's rule, apply asks for the reload so that the next event sees it.
enum UdevReload {
    /// Where udevd listens for `udevadm control` (absent: no udevd running).
    static let controlSocket = "/run/udev/control"

    /// Runs `udevadm control --reload` when udevd runs, and waits for it.
    ///
    /// - Returns: nil when no udevd runs (nothing to tell), else udevadm's exit status
    ///   (-1 when it could not be started).
    @discardableResult
    static func request() -> Int32? {
        guard access(controlSocket, F_OK) == 0 else { return nil }
        let candidates: [String] = ["/usr/bin/udevadm", "/bin/udevadm", "/sbin/udevadm"]
        guard let udevadm = candidates.first(where: { access($0, X_OK) == 0 }) else { return -1 }
        let argv = [udevadm, "control", "--reload"]
        var cargs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for a in cargs { free(a) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, udevadm, nil, nil, &cargs, environ) == 0 else { return -1 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
    }
}
