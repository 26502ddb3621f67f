#if canImport(Glibc)
import Glibc
#endif

/// Small helpers over procfs/sysfs/devfs used by operations: reading files, the
/// host-wide lock, kernel log capture, and finding who holds a device.
enum HostFS {
    /// The whole file. Reads in page-sized steps into uninitialised scratch memory:
    /// most files read here (sysfs attributes, /proc/N/comm) are a few bytes, and
    /// this runs hundreds of times per command (a zero-filled 64 KiB buffer per
    /// file was a third of `destroy-namespace`'s instructions).
    static func read(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        let ok = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 4096) { buf -> Bool in
            while true {
                let n = Glibc.read(fd, buf.baseAddress, buf.count)
                if n < 0 { if errno == EINTR { continue }; return false }
                if n == 0 { return true }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[0..<n]))
            }
        }
        return ok ? String(decoding: out, as: UTF8.self) : nil
    }

    /// The file without leading spaces and trailing whitespace (sysfs values).
    static func trimmed(_ path: String) -> String? {
        read(path).map { $0.trimmingSuffixNewlines(leadingSpaces: true) }
    }

    static func list(_ dir: String) -> [String] {
        guard let d = opendir(dir) else { return [] }
        defer { closedir(d) }
        var out: [String] = []
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { out.append(name) }
        }
        return out
    }

    static func readlink(_ path: String) -> String? {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 4096) { buf in
            let n = buf.withMemoryRebound(to: CChar.self) { Glibc.readlink(path, $0.baseAddress!, $0.count) }
            guard n >= 0 else { return nil }
            return String(decoding: UnsafeBufferPointer(rebasing: buf[0..<n]), as: UTF8.self)
        }
    }
}

extension String {
    /// Drops trailing newlines, spaces and tabs (and with `leadingSpaces`, leading
    /// spaces), working on UTF-8 bytes rather than Characters.
    func trimmingSuffixNewlines(leadingSpaces: Bool = false) -> String {
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

/// The host-wide lock that serialises mutating operations (libndctl is not thread-safe
/// and concurrent create/destroy has crashed kernels). Held until deinit.
public final class HostLock {
    private let fd: Int32
    /// Where the lock lives: $DAXKIT_LOCK, else /run/lock/daxkit.lock or /run/daxkit.lock.
    public static var path: String {
        if let p = getenv("DAXKIT_LOCK") { return String(cString: p) }
        var st = stat()
        return stat("/run/lock", &st) == 0 ? "/run/lock/daxkit.lock" : "/run/daxkit.lock"
    }

    /// Blocks until the lock is ours.
    public init() throws {
        let p = HostLock.path
        let fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            let e = errno
            throw DaxKitError(.io, "lock \(p): cannot open (\(String(cString: strerror(e)))); run as root or set DAXKIT_LOCK to a writable path")
        }
        while flock(fd, LOCK_EX) != 0 {
            if errno == EINTR { continue }
            let e = errno
            close(fd)
            throw DaxKitError(.io, "lock \(p): flock failed (\(String(cString: strerror(e))))")
        }
        self.fd = fd
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}

/// Captures kernel log records emitted during an operation, from /dev/kmsg.
/// A failed bind only says ENXIO; the reason is in these lines.
public final class KernelLog {
    private let fd: Int32

    /// Starts capturing at the current end of the log (nil if /dev/kmsg is unreadable).
    public init?() {
        let fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        lseek(fd, 0, SEEK_END)
        self.fd = fd
    }

    deinit { close(fd) }

    /// The message text of every record since capture began.
    public func drain() -> [String] {
        var out: [String] = []
        var buf = [UInt8](repeating: 0, count: 8192)
        while true {
            let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EPIPE { continue }  // overwritten records: keep reading
                break
            }
            if n == 0 { break }
            let rec = String(decoding: buf[0..<n], as: UTF8.self)
            // "prio,seq,usec,flags;message\n continuation..."
            guard let semi = rec.firstIndex(of: ";") else { continue }
            let msg = rec[rec.index(after: semi)...].split(separator: "\n", maxSplits: 1).first.map(String.init) ?? ""
            out.append(msg)
        }
        return out
    }

    /// "; kernel: a | b | c" from the last three relevant records, or "" when none.
    public func reason(for names: [String]) -> String {
        let lines = relevant(to: names)
        return lines.isEmpty ? "" : "; kernel: " + lines.suffix(3).joined(separator: " | ")
    }

    /// Records that mention any of `names` or come from the nvdimm/dax drivers.
    public func relevant(to names: [String]) -> [String] {
        let keys = names.filter { !$0.isEmpty } + ["nd_pmem", "dax_pmem", "nd_pfn", "nd_btt", "nvdimm", "libnvdimm", "pfn", "dax"]
        return drain().filter { line in keys.contains { line.contains($0) } }
    }
}

/// Something that holds a device: a process mapping or opening it, a mount, a stacked
/// block device, or the kernel using it as system RAM.
public struct DeviceHolder: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable { case mapped, open, mounted, stacked, systemRAM }
    public var kind: Kind
    public var device: String
    public var pid: Int32?
    public var command: String?
    public var detail: String?

    public var description: String {
        switch kind {
        case .mapped: return "/dev/\(device) is mapped by PID \(pid ?? 0) (\(command ?? "?"))"
        case .open: return "/dev/\(device) is open in PID \(pid ?? 0) (\(command ?? "?"))"
        case .mounted: return "/dev/\(device) is mounted on \(detail ?? "?")"
        case .stacked: return "/dev/\(device) is held by \(detail ?? "?")"
        case .systemRAM: return "\(device) is online as system RAM (\(detail ?? "kmem"))"
        }
    }
}

/// Finds every holder of the given block and dax character devices.
public enum Holders {
    /// - Parameters:
    ///   - blockDevices: names like `pmem1` or `pmem1s`.
    ///   - daxDevices: names like `dax1.0`.
    public static func find(blockDevices: [String], daxDevices: [String]) -> [DeviceHolder] {
        var out: [DeviceHolder] = []
        let me = getpid()
        let paths = Set((blockDevices + daxDevices).map { "/dev/" + $0 })
        if !paths.isEmpty {
            for entry in HostFS.list("/proc") {
                guard let pid = Int32(entry), pid != me else { continue }
                let comm = HostFS.trimmed("/proc/\(entry)/comm")
                var seen = Set<String>()
                if let maps = HostFS.read("/proc/\(entry)/maps") {
                    for line in maps.split(separator: "\n") {
                        guard let slash = line.firstIndex(of: "/") else { continue }
                        let path = String(line[slash...])
                        if paths.contains(path), !seen.contains(path) {
                            seen.insert(path)
                            out.append(DeviceHolder(kind: .mapped, device: String(path.dropFirst(5)), pid: pid, command: comm))
                        }
                    }
                }
                for fd in HostFS.list("/proc/\(entry)/fd") {
                    guard let target = HostFS.readlink("/proc/\(entry)/fd/\(fd)"), paths.contains(target),
                          !seen.contains(target) else { continue }
                    seen.insert(target)
                    out.append(DeviceHolder(kind: .open, device: String(target.dropFirst(5)), pid: pid, command: comm))
                }
            }
        }
        // Mounts, by device number.
        if let mountinfo = HostFS.read("/proc/self/mountinfo") {
            for bdev in blockDevices {
                guard let dev = HostFS.trimmed("/sys/class/block/\(bdev)/dev") else { continue }
                for line in mountinfo.split(separator: "\n") {
                    let f = line.split(separator: " ")
                    if f.count > 4, f[2] == dev {
                        out.append(DeviceHolder(kind: .mounted, device: bdev, detail: String(f[4])))
                    }
                }
            }
        }
        for bdev in blockDevices {
            let holders = HostFS.list("/sys/class/block/\(bdev)/holders")
            if !holders.isEmpty {
                out.append(DeviceHolder(kind: .stacked, device: bdev, detail: holders.sorted().joined(separator: ", ")))
            }
        }
        for dax in daxDevices {
            if let drv = HostFS.readlink("/sys/bus/dax/devices/\(dax)/driver"), drv.hasSuffix("/kmem") {
                out.append(DeviceHolder(kind: .systemRAM, device: dax, detail: "kmem driver bound"))
            }
        }
        return out
    }
}
