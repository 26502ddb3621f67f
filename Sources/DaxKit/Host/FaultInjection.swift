import DaxCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Crash points for tests: with `DAXKIT_FAULT_AFTER=N` in the environment, the process
/// ends at once (`_exit(137)`, as if killed with SIGKILL: no undo, no cleanup, the host
/// lock released by the kernel) right after the N-th kernel change a mutating operation
/// makes. Without the variable every point is a no-op. Tests use it to prove that a
/// re-run converges from a crash at any point.
public enum FaultInjection {
    /// The point to stop after, from `DAXKIT_FAULT_AFTER` (nil: never).
    static let stopAfter: Int? = getenv("DAXKIT_FAULT_AFTER").flatMap { Int(String(cString: $0)) }
    static let count = Atomic<Int>(0)

    /// Marks that a kernel change (`what`) has just been made.
    public static func point(_ what: @autoclosure () -> String) {
        guard let stop = stopAfter else { return }
        let n = count.add(1, ordering: .sequentiallyConsistent).newValue
        guard n == stop else { return }
        let line = "daxkit: fault injected after point \(n): \(what())\n"
        _ = line.withCString { write(2, $0, strlen($0)) }
        _exit(137)
    }
}
