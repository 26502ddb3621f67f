import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// The one funnel for the plain file system calls DaxKit and DAXMemory make (open,
/// close, read, pread, pwrite, fsync, flock, lseek, readlink, directory listing). Every
/// call's result is checked; `errno` is read at once after a failure, before any
/// cleanup call can change it. EINTR is retried. (apple/swift-system's
/// `Internals/Syscalls.swift` is the model.)
/// Glibc's `struct group` (the function of the same name hides it inside `Syscall`).
package typealias group_struct = Glibc.group

package enum Syscall {
    /// `open(2)` with `O_CLOEXEC` added.
    package static func open(_ path: String, _ flags: Int32, mode: mode_t = 0) -> Result<Int32, Errno> {
        while true {
            let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
            if fd >= 0 { return .success(fd) }
            let e = Errno.current
            if e != .interrupted { return .failure(e) }
        }
    }

    /// `close(2)`; EINTR is not retried (the descriptor is gone either way on Linux).
    @discardableResult
    package static func close(_ fd: Int32) -> Result<Void, Errno> {
        Glibc.close(fd) == 0 ? .success(()) : .failure(.current)
    }

    /// `read(2)` into `buffer`: the byte count, 0 at end of file.
    package static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> Result<Int, Errno> {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return .success(n) }
            let e = Errno.current
            if e != .interrupted { return .failure(e) }
        }
    }

    /// `pread(2)` of `buffer.count` bytes at `offset`, continuing short reads: the
    /// bytes read (fewer only at end of file).
    package static func pread(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) -> Result<Int, Errno> {
        transferAll(buffer.count) { done in
            Glibc.pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
        }
    }

    /// `pwrite(2)` of all of `buffer` at `offset`, continuing short writes.
    package static func pwrite(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, at offset: Int64) -> Result<Void, Errno> {
        transferAll(buffer.count) { done in
            Glibc.pwrite(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
        }.flatMap { $0 == buffer.count ? .success(()) : .failure(.noSpace) }
    }

    /// Repeats `step(bytesDoneSoFar)` until `count` bytes moved or it returns 0, retrying EINTR.
    private static func transferAll(_ count: Int, _ step: (Int) -> Int) -> Result<Int, Errno> {
        var done = 0
        while done < count {
            let n = step(done)
            if n < 0 {
                let e = Errno.current
                if e == .interrupted { continue }
                return .failure(e)
            }
            if n == 0 { break }
            done += n
        }
        return .success(done)
    }

    /// `fsync(2)`.
    package static func fsync(_ fd: Int32) -> Result<Void, Errno> {
        while true {
            if Glibc.fsync(fd) == 0 { return .success(()) }
            let e = Errno.current
            if e != .interrupted { return .failure(e) }
        }
    }

    /// `flock(2)`, waiting (EINTR retried).
    package static func flock(_ fd: Int32, _ operation: Int32) -> Result<Void, Errno> {
        while true {
            if flockCall(fd, operation) == 0 { return .success(()) }
            let e = Errno.current
            if e != .interrupted { return .failure(e) }
        }
    }

    /// `chown(2)`: a uid or gid of `UInt32.max` (-1) leaves that one as it is.
    package static func chown(_ path: String, uid: UInt32, gid: UInt32) -> Result<Void, Errno> {
        Glibc.chown(path, uid, gid) == 0 ? .success(()) : .failure(.current)
    }

    /// `chmod(2)`.
    package static func chmod(_ path: String, _ mode: mode_t) -> Result<Void, Errno> {
        Glibc.chmod(path, mode) == 0 ? .success(()) : .failure(.current)
    }

    /// `stat(2)`: owner, group and permission bits of a path.
    package static func owner(_ path: String) -> Result<(uid: UInt32, gid: UInt32, mode: UInt16), Errno> {
        var st = Glibc.stat()
        guard statCall(path, &st) == 0 else { return .failure(.current) }
        return .success((st.st_uid, st.st_gid, UInt16(st.st_mode & 0o7777)))
    }

    /// The uid of a user name, or of a number given as text; nil when there is none.
    /// Wraps `getpwnam_r(3)`.
    package static func uid(_ user: String) -> UInt32? {
        if let n = UInt32(user) { return n }
        var pw = passwd()
        var result: UnsafeMutablePointer<passwd>?
        return withGrowingBuffer(from: 4096) { buf, size in
            (getpwnam_r(user, &pw, buf, size, &result), result != nil ? pw.pw_uid : nil)
        }
    }

    /// The gid of a group name, or of a number given as text; nil when there is none.
    /// Wraps `getgrnam_r(3)`.
    package static func gid(_ group: String) -> UInt32? {
        if let n = UInt32(group) { return n }
        var gr = group_struct()
        var result: UnsafeMutablePointer<group_struct>?
        return withGrowingBuffer(from: 16384) { buf, size in
            (getgrnam_r(group, &gr, buf, size, &result), result != nil ? gr.gr_gid : nil)
        }
    }

    /// Runs a `get*nam_r(3)` call with a scratch buffer of `from` bytes, doubled while
    /// the call answers `ERANGE`, up to 1 MiB: an entry's strings must all fit, and a
    /// group's member list has no bound (a fixed buffer made a large group "no such
    /// group"). `body` gets the buffer and its size in bytes and returns the call's
    /// return value (0 or an errno) and what it found.
    /// - Returns: what `body` found once it returned 0; nil on any other errno or when
    ///   1 MiB is still too small.
    package static func withGrowingBuffer<T>(from size: Int,
                                             _ body: (UnsafeMutablePointer<CChar>, Int) -> (rc: Int32, found: T?)) -> T? {
        var size = max(size, 64)
        while true {
            let (rc, found) = withUnsafeTemporaryAllocation(of: CChar.self, capacity: size) { body($0.baseAddress!, size) }
            if rc == ERANGE && size < 1 << 20 {
                size *= 2
                continue
            }
            return rc == 0 ? found : nil
        }
    }

    /// Points `link` at `target` (a symbolic link), replacing what is there atomically:
    /// `symlink(2)` under a temporary name in the same directory, then `rename(2)`.
    package static func replaceSymlink(_ link: String, to target: String) -> Result<Void, Errno> {
        let tmp = link + ".daxkit-new"
        _ = Glibc.unlink(tmp)
        guard Glibc.symlink(target, tmp) == 0 else { return .failure(.current) }
        return rename(tmp, over: link)
    }

    /// `rename(2)` of `source` over `target` (atomic within a file system); on failure
    /// `source` is removed, so no temporary file is left behind.
    package static func rename(_ source: String, over target: String) -> Result<Void, Errno> {
        guard Glibc.rename(source, target) == 0 else {
            let e = Errno.current
            _ = Glibc.unlink(source)
            return .failure(e)
        }
        return .success(())
    }

    /// `unlink(2)`; a path that is not there is no error.
    package static func removeIfPresent(_ path: String) -> Result<Void, Errno> {
        if Glibc.unlink(path) == 0 { return .success(()) }
        let e = Errno.current
        return e == .noSuchFileOrDirectory ? .success(()) : .failure(e)
    }

    /// `mkdir(2)` of every missing directory of `path` (as `mkdir -p`), with `mode`;
    /// a relative path is taken from the working directory.
    package static func makeDirectories(_ path: String, mode: mode_t = 0o755) -> Result<Void, Errno> {
        var prefix = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            prefix += "/" + part
            if Glibc.mkdir(prefix, mode) != 0 {
                let e = Errno.current
                if e != .fileExists { return .failure(e) }
            }
        }
        return .success(())
    }

    /// `lseek(2)`: the new offset.
    package static func lseek(_ fd: Int32, _ offset: Int64, _ whence: Int32) -> Result<Int64, Errno> {
        let r = Glibc.lseek(fd, off_t(offset), whence)
        return r >= 0 ? .success(Int64(r)) : .failure(.current)
    }

    /// `readlink(2)`.
    package static func readlink(_ path: String) -> Result<String, Errno> {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 4096) { buf in
            let n = buf.withMemoryRebound(to: CChar.self) { Glibc.readlink(path, $0.baseAddress!, $0.count) }
            guard n >= 0 else { return .failure(.current) }
            return .success(String(decoding: UnsafeBufferPointer(rebasing: buf[0..<n]), as: UTF8.self))
        }
    }

    /// The names in a directory, without `.` and `..` (`opendir(3)`/`readdir(3)`).
    package static func listDirectory(_ path: String) -> Result<[String], Errno> {
        guard let d = opendir(path) else { return .failure(.current) }
        defer { closedir(d) }
        var out: [String] = []
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { out.append(name) }
        }
        return .success(out)
    }
}

/// `flock(2)` (the struct of the same name hides the function inside `Syscall`).
private func flockCall(_ fd: Int32, _ operation: Int32) -> Int32 { flock(fd, operation) }
/// `stat(2)` (the struct of the same name hides the function inside `Syscall`).
private func statCall(_ path: String, _ st: inout Glibc.stat) -> Int32 { stat(path, &st) }

/// Reading the small files of sysfs, procfs and devfs: the one reader DaxKit and
/// DAXMemory share.
package enum HostFile {
    /// The whole file's bytes, read to end of file (sysfs and procfs report size 0).
    /// Reads in page-sized steps into uninitialised scratch memory: most files read here
    /// are a few bytes, and a command reads hundreds of them.
    package static func bytes(_ path: String) -> Result<[UInt8], Errno> {
        let fd: Int32
        switch Syscall.open(path, O_RDONLY) {
        case .success(let f): fd = f
        case .failure(let e): return .failure(e)
        }
        defer { Syscall.close(fd) }
        var out: [UInt8] = []
        return withUnsafeTemporaryAllocation(byteCount: 4096, alignment: 1) { buf in
            while true {
                switch Syscall.read(fd, into: buf) {
                case .failure(let e): return .failure(e)
                case .success(0): return .success(out)
                case .success(let n): out.append(contentsOf: UnsafeRawBufferPointer(rebasing: buf[0..<n]))
                }
            }
        }
    }

    /// The whole file as UTF-8 text, `nil` when it cannot be read.
    package static func read(_ path: String) -> String? {
        guard case .success(let b) = bytes(path) else { return nil }
        return String(decoding: b, as: UTF8.self)
    }

    /// The file without leading spaces and trailing whitespace (a sysfs value).
    package static func trimmed(_ path: String) -> String? {
        read(path).map { $0.trimmingSuffixNewlines(leadingSpaces: true) }
    }

    /// A directory's entries, empty when it cannot be read.
    package static func list(_ path: String) -> [String] {
        (try? Syscall.listDirectory(path).get()) ?? []
    }

    /// A symbolic link's target, `nil` when it is none.
    package static func readlink(_ path: String) -> String? {
        try? Syscall.readlink(path).get()
    }
}

extension String {
    /// Drops trailing newlines, spaces and tabs (and with `leadingSpaces`, leading
    /// spaces), working on UTF-8 bytes rather than Characters.
    package func trimmingSuffixNewlines(leadingSpaces: Bool = false) -> String {
        let u = utf8
        var start = u.startIndex, end = u.endIndex
        if leadingSpaces { while start < end, u[start] == UInt8(ascii: " ") { start = u.index(after: start) } }
        while end > start {
            let c = u[u.index(before: end)]
            guard c == UInt8(ascii: "\n") || c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") else { break }
            end = u.index(before: end)
        }
        return start == u.startIndex && end == u.endIndex ? self : String(self[start..<end])
    }
}
