import DaxCore
import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// Replacing a file so that a crash at any point leaves either the old contents or the
/// new ones, never a mixture: a temporary file beside it, written and fsynced, renamed
/// over it (`rename(2)` is atomic within a file system), then the directory fsynced so
/// that the rename itself is durable. Used by saved dax layouts and the provisioning
/// state journal.
enum AtomicFile {
    /// Writes `text` to `path` atomically (mode 0644).
    ///
    /// - Throws: `DaxError` `.io` naming the step that failed (create, write, flush,
    ///   rename, flush the directory), with the errno.
    static func write(_ text: String, to path: String) throws {
        let dir = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        let tmp = "\(path).tmp.\(getpid())"
        func fail(_ what: String, _ e: Errno) -> DaxError {
            DaxError(.io, object: Phrase(path), problem: "cannot \(what)", underlyingError: e)
        }
        let fd = try Syscall.open(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode: 0o644).mapError { fail("create \(tmp)", $0) }.get()
        do {
            try Array(text.utf8).withUnsafeBytes { try Syscall.pwrite(fd, $0, at: 0).mapError { fail("write \(tmp)", $0) }.get() }
            try Syscall.fsync(fd).mapError { fail("flush \(tmp)", $0) }.get()
            Syscall.close(fd)
        } catch {
            Syscall.close(fd)
            _ = Syscall.removeIfPresent(tmp)
            throw error
        }
        try Syscall.rename(tmp, over: path).mapError { fail("rename \(tmp) over it", $0) }.get()
        if case .success(let d) = Syscall.open(dir, O_RDONLY | O_DIRECTORY) {
            defer { Syscall.close(d) }
            try Syscall.fsync(d).mapError { fail("flush its directory", $0) }.get()
        }
    }
}
