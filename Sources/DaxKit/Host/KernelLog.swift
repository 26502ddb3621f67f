import DaxCore
import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// Captures the kernel log records emitted during an operation, from `/dev/kmsg`: a
/// failed bind says only ENXIO; the reason is in these lines. Owns its descriptor.
public struct KernelLog: ~Copyable {
    private let fd: Int32

    /// Starts capturing at the current end of the log; nil when `/dev/kmsg` cannot be
    /// read (non-root, or a container without it).
    ///
    /// Wraps `open(2)` of `/dev/kmsg` (`O_RDONLY|O_NONBLOCK`) and `lseek(2)` to `SEEK_END`.
    public init?() {
        guard case .success(let fd) = Syscall.open("/dev/kmsg", O_RDONLY | O_NONBLOCK) else { return nil }
        _ = Syscall.lseek(fd, 0, SEEK_END)
        self.fd = fd
    }

    deinit { Syscall.close(fd) }

    /// The message text of every record since capture began or the last drain
    /// (`/dev/kmsg` records are `prio,seq,usec,flags;message`): the records are consumed.
    ///
    /// - Returns: The first line of each record's message, oldest first; empty when none
    ///   was logged. Records the kernel overwrote before they were read are skipped.
    ///
    /// Wraps `read(2)`, one record a call, until none is left (`EAGAIN`) or a read fails.
    public func drain() -> [String] {
        var out: [String] = []
        withUnsafeTemporaryAllocation(byteCount: 8192, alignment: 1) { buf in
            while true {
                switch Syscall.read(fd, into: buf) {
                case .failure(.brokenPipe): continue   // records overwritten: read on
                case .failure, .success(0): return
                case .success(let n):
                    let rec = String(decoding: UnsafeRawBufferPointer(rebasing: buf[0..<n]), as: UTF8.self)
                    guard let semi = rec.firstIndex(of: ";") else { continue }
                    let msg = rec[rec.index(after: semi)...].split(separator: "\n", maxSplits: 1).first.map(String.init) ?? ""
                    out.append(msg)
                }
            }
        }
        return out
    }

    /// "kernel: a | b | c" from the last three relevant records, or "" when none;
    /// drains the log (see ``relevant(to:)``).
    public func reason(for names: [String]) -> String {
        let lines = relevant(to: names)
        return lines.isEmpty ? "" : "kernel: " + lines.suffix(3).joined(separator: " | ")
    }

    /// The records, since capture began or the last drain, that mention any of `names`
    /// (device names such as `namespace0.0`, `dax0.0`) or one of the nvdimm/dax drivers
    /// (`nd_pmem`, `dax_pmem`, `nd_pfn`, `nd_btt`, `libnvdimm`, ...); drains the log
    /// (see ``drain()``).
    public func relevant(to names: [String]) -> [String] {
        let keys = names.filter { !$0.isEmpty } + ["nd_pmem", "dax_pmem", "nd_pfn", "nd_btt", "nvdimm", "libnvdimm", "pfn", "dax"]
        return drain().filter { line in keys.contains { line.contains($0) } }
    }
}
