import DaxCore
import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// The host-wide lock that serialises mutating operations: libndctl is not thread-safe,
/// and concurrent create/destroy from several processes has crashed kernels. An
/// exclusive `flock(2)` on a file under /run, held by the owned descriptor until
/// ``release()`` or deinit.
public struct HostLock: ~Copyable {
    private let fd: Int32

    /// Where the lock lives: `$DAXKIT_LOCK` (for tests), else /run/lock/daxkit.lock when
    /// /run/lock exists, else /run/daxkit.lock.
    ///
    /// Wraps `getenv(3)` and `stat(2)`.
    public static var path: String {
        if let p = getenv("DAXKIT_LOCK") { return String(cString: p) }
        var st = stat()
        return stat("/run/lock", &st) == 0 ? "/run/lock/daxkit.lock" : "/run/daxkit.lock"
    }

    /// How long ``init()`` waits for another holder, in seconds: `$DAXKIT_LOCK_TIMEOUT`,
    /// else 120 (a create or destroy holds it for seconds; a holder past this is stuck).
    public static var timeout: Double {
        getenv("DAXKIT_LOCK_TIMEOUT").flatMap { Double(String(cString: $0)) } ?? 120
    }

    /// Waits until the lock is ours, at most ``timeout`` seconds.
    ///
    /// - Throws: `DaxError` `.io` with the errno when the lock file cannot be opened
    ///   (changing pmem configuration needs root) or locked, and `.inUse` naming the
    ///   holder's PID (from `/proc/locks`) when the wait runs out.
    ///
    /// Wraps `open(2)` (`O_RDWR|O_CREAT`, mode 0644) of ``path`` and `flock(2)`
    /// (`LOCK_EX|LOCK_NB`, retried every 20 ms).
    public init() throws {
        let p = HostLock.path
        switch Syscall.open(p, O_RDWR | O_CREAT, mode: 0o644) {
        case .failure(let e):
            let denied = e == .permissionDenied || e == .notPermitted || e == .readOnlyFileSystem
            throw DaxError(.io, object: Phrase(p), problem: "cannot open the host-wide lock",
                           rule: denied ? "changing pmem and device-DAX configuration needs root" : "",
                           fix: denied ? "run as root" : "", underlyingError: e)
        case .success(let fd):
            let deadline = HostLock.now() + HostLock.timeout
            while case .failure(let e) = Syscall.flock(fd, LOCK_EX | LOCK_NB) {
                guard e == .wouldBlock, HostLock.now() < deadline else {
                    let holder = e == .wouldBlock ? HostLock.holder(of: fd) : nil
                    Syscall.close(fd)
                    if e == .wouldBlock {
                        throw DaxError(.inUse, object: Phrase(p),
                                       problem: "held by \(holder.map { "PID \($0)\(HostFile.trimmed("/proc/\($0)/comm").map { " (\($0))" } ?? "")" } ?? "another process") for more than \(Int(HostLock.timeout)) s",
                                       rule: "one pmem or device-DAX change at a time on a host",
                                       fix: "wait for it to finish, or stop it if it is stuck")
                    }
                    throw DaxError(.io, object: Phrase(p), problem: "cannot take the host-wide lock", underlyingError: e)
                }
                usleep(20_000)
            }
            self.fd = fd
        }
    }

    /// Seconds on the monotonic clock.
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// The PID holding a flock on the file open at `fd`, from `/proc/locks`
    /// (`N: FLOCK ADVISORY WRITE PID MAJ:MIN:INODE 0 EOF`).
    static func holder(of fd: Int32) -> Int32? {
        var st = stat()
        guard fstat(fd, &st) == 0, let locks = HostFile.read("/proc/locks") else { return nil }
        for line in locks.split(separator: "\n") {
            let f = line.split(separator: " ", omittingEmptySubsequences: true)
            guard f.count > 5, f[1] == "FLOCK", let pid = Int32(f[4]) else { continue }
            if f[5].split(separator: ":").last == Substring(String(st.st_ino)) { return pid }
        }
        return nil
    }

    /// Releases the lock now (closing the descriptor drops the flock).
    ///
    /// Wraps `close(2)`.
    public consuming func release() {
        let fd = self.fd
        discard self
        Syscall.close(fd)
    }

    deinit { Syscall.close(fd) }

    /// Runs `body` while holding the host-wide lock, and releases it whether `body`
    /// returns or throws.
    ///
    /// - Returns: What `body` returns.
    /// - Throws: what ``init()`` throws, or what `body` throws.
    /// A `withLock` inside another (an operation made of operations, such as a
    /// provisioning apply made of creates) runs under the outer one: a second `flock(2)`
    /// from this process on another descriptor would wait for the first forever.
    public static func withLock<R>(_ body: () throws -> R) throws -> R {
        if held { return try body() }
        let lock = try HostLock()
        do {
            let r = try $held.withValue(true) { try body() }
            lock.release()
            return r
        } catch {
            lock.release()
            throw error
        }
    }

    /// Whether this task (or thread) is inside ``withLock(_:)``.
    @TaskLocal static var held = false
}
