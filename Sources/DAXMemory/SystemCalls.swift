// The one funnel for Glibc in DAXMemory: every raw stat/ftruncate/mmap/munmap/
// memfd_create/getrusage/pthread call of the module lives in this file; open, close,
// readlink and whole-file reads go through DaxCore's `Syscall` and `HostFile`, shared
// with DaxKit. Nothing here is public; the rest of the module sees Swift types and
// `Errno` only.

import DaxCore
import SystemPackage

#if canImport(Glibc)
import Glibc
#else
#error("DAXMemory supports Linux (Glibc) only")
#endif

/// `stat(2)`; outside `Sys`, whose own `stat` would shadow it.
private func cStat(_ path: String, _ buffer: inout stat) -> Int32 {
    stat(path, &buffer)
}

/// What `stat(2)` says a path is.
enum FileKind: Sendable, Equatable {
    case regular
    case characterDevice
    case blockDevice
    case directory
    case other
}

/// The fields of `struct stat` DAXMemory needs.
struct FileStatus: Sendable, Equatable {
    var kind: FileKind
    var size: Int
    /// Major and minor of the device a device node stands for (`st_rdev`).
    var deviceMajor: UInt32
    var deviceMinor: UInt32
}

enum Sys {
    /// The kernel's base page size, `sysconf(_SC_PAGESIZE)`.
    static let pageSize: Int = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// Online processors, `sysconf(_SC_NPROCESSORS_ONLN)`, at least 1.
    static func onlineProcessors() -> Int {
        max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    // MARK: Files

    private static func status(from st: stat) -> FileStatus {
        let kind: FileKind
        switch st.st_mode & S_IFMT {
        case S_IFREG: kind = .regular
        case S_IFCHR: kind = .characterDevice
        case S_IFBLK: kind = .blockDevice
        case S_IFDIR: kind = .directory
        default: kind = .other
        }
        // glibc's gnu_dev_major/gnu_dev_minor, which do not import as functions.
        let dev = UInt64(st.st_rdev)
        let major = UInt32(truncatingIfNeeded: ((dev >> 8) & 0xfff) | ((dev >> 32) & ~UInt64(0xfff)))
        let minor = UInt32(truncatingIfNeeded: (dev & 0xff) | ((dev >> 12) & ~UInt64(0xff)))
        return FileStatus(kind: kind, size: Int(st.st_size), deviceMajor: major, deviceMinor: minor)
    }

    /// `stat(2)`, following symlinks.
    static func stat(_ path: String) -> Result<FileStatus, Errno> {
        var st = Glibc.stat()
        guard cStat(path, &st) == 0 else { return .failure(.current) }
        return .success(status(from: st))
    }

    /// `fstat(2)`.
    static func fstat(_ fd: Int32) -> Result<FileStatus, Errno> {
        var st = Glibc.stat()
        guard Glibc.fstat(fd, &st) == 0 else { return .failure(.current) }
        return .success(status(from: st))
    }

    /// `ftruncate(2)`.
    static func truncate(_ fd: Int32, to size: Int) -> Result<Void, Errno> {
        while true {
            if Glibc.ftruncate(fd, off_t(size)) == 0 { return .success(()) }
            let error = Errno.current
            if error != .interrupted { return .failure(error) }
        }
    }

    /// `memfd_create(2)` with `MFD_CLOEXEC`. Glibc only declares it under
    /// `_GNU_SOURCE`, which Swift's Glibc module does not set, so the symbol is
    /// looked up at run time (glibc 2.27 and later export it).
    static func memfdCreate(_ name: String) -> Result<Int32, Errno> {
        typealias MemfdCreate = @convention(c) (UnsafePointer<CChar>, UInt32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "memfd_create") else {
            return .failure(.noFunction)
        }
        let memfdCreate = unsafeBitCast(symbol, to: MemfdCreate.self)
        let mfdCloexec: UInt32 = 0x0001
        let fd = memfdCreate(name, mfdCloexec)
        return fd >= 0 ? .success(fd) : .failure(.current)
    }

    /// `realpath(3)`.
    static func realPath(_ path: String) -> Result<String, Errno> {
        guard let resolved = Glibc.realpath(path, nil) else { return .failure(.current) }
        defer { free(resolved) }
        return .success(String(cString: resolved))
    }

    // MARK: Memory mappings

    /// Reserves `length` bytes of address space: `mmap(NULL, length, PROT_NONE,
    /// MAP_PRIVATE|MAP_ANONYMOUS|MAP_NORESERVE, -1, 0)`.
    static func reserveAddressSpace(_ length: Int) -> Result<UInt, Errno> {
        let p = Glibc.mmap(nil, length, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
        if p == nil || p == UnsafeMutableRawPointer(bitPattern: -1) { return .failure(.current) }
        return .success(UInt(bitPattern: p))
    }

    /// Maps `fd` (or anonymous memory when `fd` is nil) at exactly `address`
    /// with `MAP_FIXED`, replacing whatever reservation is there.
    static func mapFixed(
        at address: UInt, length: Int, writable: Bool, shared: Bool, fd: Int32?, offset: Int
    ) -> Result<UInt, Errno> {
        let protection = writable ? (PROT_READ | PROT_WRITE) : PROT_READ
        var flags = MAP_FIXED | (shared ? MAP_SHARED : MAP_PRIVATE)
        if fd == nil { flags |= MAP_ANONYMOUS }
        let p = Glibc.mmap(
            UnsafeMutableRawPointer(bitPattern: address), length, protection, flags,
            fd ?? -1, off_t(fd == nil ? 0 : offset))
        if p == nil || p == UnsafeMutableRawPointer(bitPattern: -1) { return .failure(.current) }
        return .success(UInt(bitPattern: p))
    }

    /// `munmap(2)`.
    static func unmap(_ address: UInt, _ length: Int) -> Result<Void, Errno> {
        guard length > 0 else { return .success(()) }
        return Glibc.munmap(UnsafeMutableRawPointer(bitPattern: address), length) == 0
            ? .success(()) : .failure(.current)
    }

    // MARK: Accounting

    /// Minor and major faults from `getrusage(2)`: the whole process
    /// (`RUSAGE_SELF`, every thread, live or exited) or the calling thread
    /// (`RUSAGE_THREAD`).
    static func faults(thread: Bool) -> FaultCount {
        var usage = rusage()
        // RUSAGE_SELF = 0, RUSAGE_THREAD = 1 (the latter is _GNU_SOURCE-only in the headers).
        let who: Int32 = thread ? 1 : 0
        guard getrusage(who, &usage) == 0 else { return FaultCount(minor: 0, major: 0) }
        return FaultCount(minor: Int(usage.ru_minflt), major: Int(usage.ru_majflt))
    }

    /// `clock_gettime(CLOCK_MONOTONIC)` in nanoseconds.
    static func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    /// `usleep(3)`.
    static func sleep(microseconds: UInt32) {
        _ = usleep(microseconds)
    }

    // MARK: Threads

    private final class ThreadStart {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    /// `pthread_create(3)` running `body` on a new thread.
    static func startThread(_ body: @escaping @Sendable () -> Void) -> Result<ThreadHandle, Errno> {
        let context = Unmanaged.passRetained(ThreadStart(body)).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { raw in
            guard let raw else { return nil }
            let start = Unmanaged<ThreadStart>.fromOpaque(raw).takeRetainedValue()
            start.body()
            return nil
        }, context)
        guard rc == 0 else {
            Unmanaged<ThreadStart>.fromOpaque(context).release()
            return .failure(Errno(rawValue: rc))
        }
        return .success(ThreadHandle(thread: thread))
    }

    /// `pthread_join(3)`.
    static func join(_ handle: ThreadHandle) {
        _ = pthread_join(handle.thread, nil)
    }
}

/// A started, joinable thread.
struct ThreadHandle {
    fileprivate let thread: pthread_t
}

/// A phase gate over a pthread mutex and condition variable: workers wait for
/// a phase number, the coordinator opens phases in order or aborts them all.
final class PhaseGate: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    // Guarded by `mutex`.
    private var phase = 0
    private var aborted = false

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Blocks until phase `target` is open; returns false if the gate was aborted.
    func wait(for target: Int) -> Bool {
        pthread_mutex_lock(mutex)
        while phase < target && !aborted {
            pthread_cond_wait(condition, mutex)
        }
        let open = !aborted
        pthread_mutex_unlock(mutex)
        return open
    }

    /// Opens phase `target`, waking every waiter.
    func open(_ target: Int) {
        pthread_mutex_lock(mutex)
        phase = target
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
    }

    /// Releases every waiter with "aborted".
    func abort() {
        pthread_mutex_lock(mutex)
        aborted = true
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
    }
}
