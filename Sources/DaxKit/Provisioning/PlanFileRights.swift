import DaxCore
import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// Who may write the plan root applies. At boot root applies `/etc/daxkit/vms.yaml`, so
/// whoever can write that file, or replace it through a directory on its path, decides
/// which memory every VM gets and who may open it. As sshd's StrictModes (OpenSSH
/// misc.c `safe_path`): the file and every directory above it must belong to root and
/// be writable by no group or other user. One difference: a sticky directory (`/tmp`)
/// may be world-writable, since there nobody but a file's owner can rename or remove it.
public enum PlanFileRights {
    /// One path on the way from the plan file up to `/`, as `stat(2)` saw it.
    public struct Entry: Sendable, Equatable {
        /// The path (the file first, then each parent directory).
        public var path: String
        /// Owner uid.
        public var uid: UInt32
        /// Permission bits (`st_mode & 07777`).
        public var mode: UInt16
        /// Whether it is a directory.
        public var isDirectory: Bool

        public init(path: String, uid: UInt32, mode: UInt16, isDirectory: Bool) {
            self.path = path
            self.uid = uid
            self.mode = mode
            self.isDirectory = isDirectory
        }
    }

    /// The first entry someone other than root could change, as a refusal; nil when
    /// every entry is root's alone.
    ///
    /// - Parameter chain: the plan file, then its parent directories up to `/`.
    public static func problem(_ chain: [Entry]) -> DaxError? {
        for e in chain {
            let sticky = e.isDirectory && e.mode & 0o1000 != 0
            let writable = e.mode & 0o022
            var found: [String] = []
            if e.uid != 0 { found.append("owned by uid \(e.uid), not root") }
            if writable != 0 && !sticky {
                found.append(writable == 0o022 ? "group- and world-writable" : writable == 0o020 ? "group-writable" : "world-writable")
            }
            guard !found.isEmpty else { continue }
            var fix: [String] = []
            if e.uid != 0 { fix.append("chown root \(e.path)") }
            if writable != 0 && !sticky { fix.append("chmod go-w \(e.path)") }
            let what = e.path == chain.first?.path ? "" : " (a directory above the plan \(chain.first?.path ?? ""))"
            return DaxError(.conflict, object: Phrase(e.path),
                            problem: Phrase("\(found.joined(separator: " and ")), mode 0\(String(e.mode, radix: 8))\(what)"),
                            rule: "root applies this plan, so whoever can change it decides which memory every VM gets and who may open it (as sshd's StrictModes)",
                            fix: Phrase(fix.joined(separator: " && ")))
        }
        return nil
    }

    /// The plan file and its directories up to `/`, each `stat(2)`ed (symlinks
    /// resolved first, with `realpath(3)`).
    ///
    /// - Throws: `DaxError` `.io` when a path cannot be resolved or stat'ed.
    static func chain(_ path: String) throws -> [Entry] {
        guard let resolved = realpath(path, nil) else {
            throw DaxError(.io, object: Phrase(path), problem: "cannot resolve the plan's path", underlyingError: Errno.current)
        }
        var p = String(cString: resolved)
        free(resolved)
        var out: [Entry] = []
        while true {
            var st = stat()
            guard stat(p, &st) == 0 else {
                throw DaxError(.io, object: Phrase(p), problem: "cannot stat it", underlyingError: Errno.current)
            }
            out.append(Entry(path: p, uid: st.st_uid, mode: UInt16(st.st_mode & 0o7777), isDirectory: st.st_mode & S_IFMT == S_IFDIR))
            if p == "/" { break }
            let parent = p.split(separator: "/", omittingEmptySubsequences: true).dropLast().joined(separator: "/")
            p = "/" + parent
        }
        return out
    }

    /// Refuses, when this process runs as root, a plan file that another user could
    /// change (``problem(_:)``). As any other user it checks nothing: the plan then only
    /// does what that user may do.
    ///
    /// - Throws: `DaxError` `.conflict` naming the path, the rights found and the fix;
    ///   `.io` when the path cannot be checked.
    public static func check(_ path: String) throws {
        guard geteuid() == 0, !path.isEmpty else { return }
        if let e = problem(try chain(path)) { throw e }
    }
}
