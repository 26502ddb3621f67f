import DaxCore
import NDCtl

/// What the dax-device rules need to know of a dax region, its devices and the host's
/// memory hotplug settings, as plain values: ``DaxDeviceRules`` decides from this alone,
/// so every preflight runs as a host unit test. Sizes and addresses in bytes; ranges
/// inclusive of their last byte, as the kernel's `mappingN/{start,end}`.
public struct DaxRegionSnapshot: Sendable, Hashable, Codable {
    /// A physical address range, both ends inclusive (as `/proc/iomem` and the kernel's
    /// `mappingN/start`, `end` attributes give them).
    public struct Range: Sendable, Hashable, Codable, CustomStringConvertible {
        /// First byte's physical address.
        public var start: UInt64
        /// Last byte's physical address.
        public var end: UInt64
        /// Bytes in the range.
        public var size: UInt64 { end &- start &+ 1 }
        /// The range from physical address `start` to `end`, inclusive.
        public init(start: UInt64, end: UInt64) { self.start = start; self.end = end }
        /// `0x60000000-0x63ffffff`.
        public var description: String { "0x\(String(start, radix: 16))-0x\(String(end, radix: 16))" }
    }

    /// A device of the region.
    public struct Device: Sendable, Hashable, Codable {
        /// `daxX.Y`.
        public var name: String
        /// Y of `daxX.Y`.
        public var id: Int
        /// Bytes (`size`).
        public var size: UInt64
        /// Mapping alignment in bytes (`align`).
        public var align: UInt64
        /// Bound to a driver (device_dax or kmem).
        public var isEnabled: Bool
        /// Bound to kmem: its memory is hot-plugged system RAM.
        public var isSystemRAM: Bool
        /// Its physical extents in device order (`mappingN`, sorted by page offset).
        public var ranges: [Range]
        /// System-ram mode: how many of its memory blocks are online (daxctl's
        /// `online_memblocks`); nil in devdax mode.
        public var onlineBlocks: Int?
        /// System-ram mode: how many memory blocks it spans (daxctl's
        /// `total_memblocks`); nil in devdax mode.
        public var totalBlocks: Int?
        /// NUMA node its memory joins as system RAM; nil when unknown.
        public var targetNode: Int?

        /// A device described by hand (tests, fixtures); sizes and addresses in bytes.
        public init(name: String, id: Int, size: UInt64, align: UInt64, isEnabled: Bool, isSystemRAM: Bool = false,
                    ranges: [Range], onlineBlocks: Int? = nil, totalBlocks: Int? = nil, targetNode: Int? = 0) {
            self.name = name
            self.id = id
            self.size = size
            self.align = align
            self.isEnabled = isEnabled
            self.isSystemRAM = isSystemRAM
            self.ranges = ranges
            self.onlineBlocks = onlineBlocks
            self.totalBlocks = totalBlocks
            self.targetNode = targetNode
        }
    }

    /// Region id N of `daxN.Y`.
    public var id: Int
    /// The parent device (`hmem.0`, `region1`, or a pmem namespace's dax region).
    public var device: String
    /// Bytes in the region.
    public var size: UInt64
    /// Bytes no device holds (`available_size`).
    public var availableSize: UInt64
    /// The region's alignment in bytes: device sizes and ranges are multiples of it.
    public var align: UInt64
    /// Whether devices can be created, resized and destroyed in it (dax_hmem soft-reserved
    /// memory, CXL RAM: `dax_region/create` exists); pmem-backed regions are static.
    public var isDynamic: Bool
    /// The region's physical range, from `/proc/iomem` (nil when hidden: non-root).
    public var range: Range?
    /// Its devices, by id.
    public var devices: [Device]
    /// The host's memory block size in bytes (`/sys/devices/system/memory/block_size_bytes`).
    public var memoryBlockSize: UInt64
    /// The kernel's policy for hot-added memory (`auto_online_blocks`: offline, online,
    /// online_movable or online_kernel).
    public var autoOnline: String

    /// A region described by hand (tests, fixtures); sizes and addresses in bytes; the
    /// defaults are those of the lab (128 MiB memory blocks, auto-online off).
    public init(id: Int, device: String, size: UInt64, availableSize: UInt64, align: UInt64, isDynamic: Bool,
                range: Range?, devices: [Device], memoryBlockSize: UInt64 = 128 << 20, autoOnline: String = "offline") {
        self.id = id
        self.device = device
        self.size = size
        self.availableSize = availableSize
        self.align = align
        self.isDynamic = isDynamic
        self.range = range
        self.devices = devices
        self.memoryBlockSize = memoryBlockSize
        self.autoOnline = autoOnline
    }

    /// The region's free physical ranges, in address order: its range less every
    /// device's; empty when the range is unknown.
    public var freeRanges: [Range] {
        guard let range else { return [] }
        let used = devices.flatMap(\.ranges).sorted { $0.start < $1.start }
        var out: [Range] = []
        var cursor = range.start
        for r in used where r.end >= cursor {
            if r.start > cursor { out.append(Range(start: cursor, end: r.start - 1)) }
            cursor = r.end &+ 1
        }
        if cursor <= range.end && cursor != 0 { out.append(Range(start: cursor, end: range.end)) }
        return out
    }

    /// Whether the kernel onlines hot-added memory by itself.
    public var autoOnlines: Bool { autoOnline.hasPrefix("online") }

    /// The device the kernel makes at boot, if it is still as made: the region's first
    /// device (daxN.0), devdax, holding exactly the whole region (dax_hmem's
    /// `devm_create_dev_dax` with the region's full range, drivers/dax/hmem/hmem.c).
    /// Enabled or not; whether a process maps it is not in a snapshot.
    public var bootDevice: Device? {
        guard let range else { return nil }
        return devices.first { $0.id == 0 && !$0.isSystemRAM && $0.size > 0 && $0.ranges == [range] }
    }

    /// Reads a region's snapshot through libdaxctl, sysfs and /proc/iomem.
    public init(_ region: DAXRegion) {
        let path = region.path ?? ""
        let name = path.split(separator: "/").last.map(String.init) ?? "region\(region.id)"
        let devices = region.devices.map { d -> Device in
            let mem = d.memoryBlocks
            return Device(name: d.devName, id: d.id, size: d.size, align: d.align ?? 0, isEnabled: d.isEnabled,
                          isSystemRAM: d.isSystemRAM,
                          ranges: d.mappings.sorted { $0.pageOffset < $1.pageOffset }.map { Range(start: $0.start, end: $0.end) },
                          onlineBlocks: mem?.online, totalBlocks: mem?.total, targetNode: d.targetNode)
        }.sorted { $0.id < $1.id }
        let block = HostFile.trimmed("/sys/devices/system/memory/block_size_bytes").flatMap { UInt64($0, radix: 16) } ?? 0
        self.init(id: region.id, device: name, size: region.size ?? 0, availableSize: region.availableSize,
                  align: region.align ?? 4096,
                  isDynamic: Self.access(path + "/dax_region/create"),
                  range: Self.iomemRange(named: name), devices: devices, memoryBlockSize: block,
                  autoOnline: HostFile.trimmed("/sys/devices/system/memory/auto_online_blocks") ?? "offline")
    }

    /// Whether a path exists (a sysfs attribute).
    static func access(_ path: String) -> Bool {
        if case .success(let fd) = Syscall.open(path, 0) { Syscall.close(fd); return true }
        return false
    }

    /// The range `/proc/iomem` gives the resource called `name` (`hmem.0`), when shown.
    static func iomemRange(named name: String) -> Range? {
        guard let iomem = HostFile.read("/proc/iomem") else { return nil }
        for line in iomem.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[1].trimmingPrefixSpaces == name else { continue }
            let bounds = parts[0].trimmingPrefixSpaces.split(separator: "-")
            guard bounds.count == 2, let s = UInt64(bounds[0], radix: 16), let e = UInt64(bounds[1], radix: 16), e > 0 else { continue }
            return Range(start: s, end: e)
        }
        return nil
    }
}

extension Substring {
    /// Without leading and trailing blanks.
    var trimmingPrefixSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
