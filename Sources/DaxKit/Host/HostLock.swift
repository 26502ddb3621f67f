import DaxCore
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

    /// Blocks until the lock is ours.
    ///
    /// - Throws: `DaxError` `.io` with the errno when the lock file cannot be opened
    ///   (changing pmem configuration needs root) or locked.
    ///
    /// Wraps `open(2)` (`O_RDWR|O_CREAT`, mode 0644) of ``path`` and `flock(2)` (`LOCK_EX`).
    public init() throws {
        let p = HostLock.path
        switch Syscall.open(p, O_RDWR | O_CREAT, mode: 0o644) {
        case .failure(let e):
            let denied = e == .permissionDenied || e == .notPermitted || e == .readOnlyFileSystem
            throw DaxError(.io, object: Phrase(p), problem: "cannot open the host-wide lock",
                           rule: denied ? "changing pmem and device-DAX configuration needs root" : "",
                           fix: denied ? "run as root" : "", underlyingError: e)
        case .success(let fd):
            if case .failure(let e) = Syscall.flock(fd, LOCK_EX) {
                Syscall.close(fd)
                throw DaxError(.io, object: Phrase(p), problem: "cannot take the host-wide lock", underlyingError: e)
            }
            self.fd = fd
        }
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
    public static func withLock<R>(_ body: () throws -> R) throws -> R {
        let lock = try HostLock()
        do {
            let r = try body()
            lock.release()
            return r
        } catch {
            lock.release()
            throw error
        }
    }
}
