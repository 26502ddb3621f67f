import DaxCore
import SystemPackage

/// A mapping of (part of) a `MemoryTarget` at an address aligned to the
/// target's alignment. Unmapped exactly once: by `unmap()`, which reports
/// errors, or on destruction.
///
/// The address is aligned by reserving `length + alignment` bytes of
/// `PROT_NONE` address space, mapping the target with `MAP_FIXED` into the
/// aligned hole inside it, and unmapping the slack before and after.
public struct MemoryMapping: ~Copyable {
    /// The target's path (`/dev/dax0.0`, a file, `memfd:NAME`, `anonymous`).
    public let path: String
    /// What was mapped.
    public let kind: MemoryTarget.Kind
    /// The size of the whole target in bytes.
    public let targetSize: Int
    /// Offset of the mapping in the target, in bytes.
    public let offset: Int
    /// Length of the mapping in bytes.
    public let length: Int
    /// The alignment of the address, offset and length.
    public let alignment: Alignment
    /// `MAP_SHARED` or `MAP_PRIVATE`.
    public let sharing: MappingPlan.Sharing
    /// Whether the mapping is `PROT_READ|PROT_WRITE` (else `PROT_READ`).
    public let isWritable: Bool
    /// The mapped address; 0 once unmapped.
    private var base: UInt

    /// Maps according to a validated plan.
    init(plan: MappingPlan, fd: Int32?) throws {
        let align = plan.alignment.rawValue
        let (reservation, overflow) = plan.length.addingReportingOverflow(align)
        guard !overflow else {
            throw DaxError(
                .invalidSize, object: Phrase(plan.object), problem: "length \(plan.length) plus alignment overflows",
                fix: "map a smaller range")
        }
        let reserved: UInt
        switch Sys.reserveAddressSpace(reservation) {
        case .success(let address): reserved = address
        case .failure(let error):
            throw DaxError(
                .mapFailed, object: Phrase(plan.object),
                problem: "cannot reserve \(reservation) bytes (\(ByteCount.format(reservation))) of address space",
                rule: "an aligned mapping reserves its length plus one alignment of address space first",
                fix: "map a smaller range, or raise the address-space limit (ulimit -v)", underlyingError: error)
        }
        let aligned = (reserved + UInt(align) - 1) & ~(UInt(align) - 1)
        let reservedEnd = reserved + UInt(reservation)

        let mapped: UInt
        switch Sys.mapFixed(
            at: aligned, length: plan.length, writable: plan.writable, shared: plan.sharing == .shared,
            fd: fd, offset: plan.offset)
        {
        case .success(let address):
            mapped = address
        case .failure(let error):
            // `error` was read right after mmap; now undo the reservation.
            _ = Sys.unmap(reserved, reservation)
            throw Self.mapError(plan: plan, error: error)
        }
        // Trim the slack before and after the aligned hole.
        let head = Sys.unmap(reserved, Int(aligned - reserved))
        let tail = Sys.unmap(aligned + UInt(plan.length), Int(reservedEnd - (aligned + UInt(plan.length))))
        for case .failure(let error) in [head, tail] {
            _ = Sys.unmap(reserved, reservation)
            throw DaxError(
                .mapFailed, object: Phrase(plan.object), problem: "cannot unmap the alignment slack around the mapping",
                underlyingError: error)
        }
        guard mapped == aligned, mapped % UInt(align) == 0 else {
            _ = Sys.unmap(mapped, plan.length)
            throw DaxError(
                .addressMisaligned, object: Phrase(plan.object),
                problem: "mmap returned 0x\(String(mapped, radix: 16)), not aligned to \(plan.alignment)",
                rule: "a MAP_FIXED mapping lands at the requested aligned address",
                fix: "report this as a bug")
        }
        self.path = plan.object
        self.kind = plan.kind
        self.targetSize = plan.targetSize
        self.offset = plan.offset
        self.length = plan.length
        self.alignment = plan.alignment
        self.sharing = plan.sharing
        self.isWritable = plan.writable
        self.base = mapped
    }

    deinit {
        if base != 0 { _ = Sys.unmap(base, length) }
    }

    /// Unmaps now and reports a failure.
    ///
    /// - Throws: `DaxError` `.unmapFailed` with the errno of `munmap(2)`.
    ///
    /// Wraps `munmap(2)`.
    public consuming func unmap() throws {
        let address = base
        base = 0
        guard address != 0 else { return }
        if case .failure(let error) = Sys.unmap(address, length) {
            throw DaxError(
                .unmapFailed, object: Phrase(path),
                problem: "munmap of \(length) bytes at 0x\(String(address, radix: 16)) failed",
                underlyingError: error)
        }
    }

    /// The mapped address as an integer.
    public var address: UInt { base }

    /// The mapped address. Valid while this mapping lives.
    public var baseAddress: UnsafeMutableRawPointer { UnsafeMutableRawPointer(bitPattern: base)! }

    /// The mapped bytes. Valid while this mapping lives; writing needs `isWritable`.
    public var bytes: UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: baseAddress, count: length)
    }

    /// The offset of the first byte that is not zero, or nil when every byte is: the
    /// check that zeroed memory reads back as zeros (8-byte words, then the tail).
    public func firstNonzeroOffset() -> Int? {
        let p = UnsafeRawPointer(baseAddress)
        let words = length / 8
        var i = 0
        while i < words {
            if p.load(fromByteOffset: i &* 8, as: UInt64.self) != 0 { break }
            i &+= 1
        }
        var offset = i * 8
        while offset < length {
            if p.load(fromByteOffset: offset, as: UInt8.self) != 0 { return offset }
            offset += 1
        }
        return nil
    }

    /// Whether the address is a multiple of the alignment (always true for a live mapping).
    public var isAddressAligned: Bool { base != 0 && base % UInt(alignment.rawValue) == 0 }

    /// The `/proc/self/smaps` entry of the VMA containing this mapping, with
    /// the kernel's `KernelPageSize`, `MMUPageSize` and `Rss` for it.
    ///
    /// - Parameter smapsPath: Where to read smaps from (default `/proc/self/smaps`).
    /// - Throws: `DaxError` `.smapsUnavailable`.
    ///
    /// Reads `/proc/self/smaps`.
    public func smapsEntry(smapsPath: String = Smaps.defaultPath) throws -> SmapsEntry {
        try Smaps.entry(containing: base, path: smapsPath, object: path)
    }

    private static func mapError(plan: MappingPlan, error: Errno) -> DaxError {
        var rule: Phrase = ""
        var fix: Phrase = ""
        switch error {
        case .invalidArgument where plan.kind.isDeviceDAX:
            rule = "device-DAX mappings must be MAP_SHARED and start and end on the device alignment \(plan.alignment)"
            fix = "check dmesg for the device's reason; compare the align in sysfs with the range"
        case .operationNotSupportedByDevice:
            rule = "the file system or device does not support mmap"
            fix = "use a file on tmpfs, ext4 or xfs, or a device-DAX device"
        case .permissionDenied:
            rule = "a writable shared mapping needs the file opened read-write"
            fix = "open it read-write, or map it read-only"
        case .noMemory:
            rule = "the kernel could not set up the mapping"
            fix = "map a smaller range, or check vm.max_map_count and memory limits"
        default:
            break
        }
        return DaxError(
            .mapFailed, object: Phrase(plan.object),
            problem: "mmap of \(plan.length) bytes (\(ByteCount.format(plan.length))) at offset \(plan.offset) failed",
            rule: rule, fix: fix, underlyingError: error)
    }
}
