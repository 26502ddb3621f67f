import DaxCore

/// The preflight of dax-device operations: what the kernel will do, said before it does
/// it, and what would work instead. Pure over a ``DaxRegionSnapshot``.
///
/// Kernel sources modelled: drivers/dax/bus.c (`size_store` → `dev_dax_resize`: first-fit
/// allocation from the region's free ranges, size a multiple of the device alignment;
/// `align_store` → `dax_align_valid`: PAGE_SIZE, PMD_SIZE with THP, PUD_SIZE with
/// PUD pages), drivers/dax/kmem.c (`dev_dax_kmem_probe`: each range is trimmed to whole
/// memory blocks, `memory_block_size_bytes()`; a device with no whole block is refused,
/// EINVAL), mm/memory_hotplug.c (`auto_online_blocks`).
public enum DaxDeviceRules {
    /// Alignments a device-dax device accepts on x86-64 with THP and PUD pages.
    public static let supportedAlignments: [UInt64] = [4 << 10, 2 << 20, 1 << 30]

    /// The settled parameters of a device to create.
    public struct Creation: Sendable, Equatable {
        /// Bytes.
        public var size: UInt64
        /// Alignment in bytes.
        public var align: UInt64
        /// The exact ranges to claim, in device order (replaying a saved device); empty:
        /// the kernel allocates first fit.
        public var ranges: [DaxRegionSnapshot.Range]
    }

    /// Judges a new device in `region`.
    ///
    /// - Parameters:
    ///   - size: bytes; nil: all that is available.
    ///   - align: bytes; nil: the region's alignment.
    ///   - ranges: exact physical ranges to claim instead of a first-fit allocation.
    /// - Throws: `DaxError` `.conflict` (a static region), `.invalidAlignment`,
    ///   `.invalidSize`, `.noCapacity` (saying what is available and the largest free
    ///   range), naming what would work.
    public static func create(in region: DaxRegionSnapshot, size: ByteCount?, align: ByteCount?,
                              ranges: [DaxRegionSnapshot.Range] = []) throws -> Creation {
        let name: Phrase = "dax region \(region.id) (\(region.device))"
        guard region.isDynamic else {
            throw DaxError(.conflict, object: name, problem: "static: a pmem namespace's dax region holds exactly one device, its namespace's",
                           fix: "create a devdax namespace instead (\(Operation.createNamespace(mode: "devdax")))")
        }
        let a = align?.bytes ?? max(region.align, 4096)
        let supported = supportedAlignments.filter { $0 >= region.align }
        guard supported.contains(a) else {
            throw DaxError(.invalidAlignment, object: "\(.align, align?.text ?? ByteCount.compact(a))",
                           problem: "not an alignment dax region \(region.id) supports",
                           rule: "supported: \(supported.map(ByteCount.compact).joined(separator: ", "))",
                           fix: "pick one of them")
        }
        if let size, size.bytes == 0 {
            throw DaxError(.invalidSize, object: "\(.size, size.text)", problem: "zero bytes",
                           rule: "a device of 0 bytes is the region's seed, not a device",
                           fix: "leave \(.size) out to take all that is available")
        }
        if !ranges.isEmpty {
            let free = region.freeRanges
            for r in ranges {
                guard r.start % a == 0, (r.end &+ 1) % a == 0 else {
                    throw DaxError(.invalidArgument, object: Phrase("range \(r)"), problem: "not aligned to \(ByteCount.compact(a))",
                                   fix: "give ranges that start and end on the device alignment")
                }
                guard free.contains(where: { $0.start <= r.start && r.end <= $0.end }) else {
                    let holder = region.devices.first { d in d.ranges.contains { $0.start <= r.end && r.start <= $0.end } }
                    throw DaxError(.conflict, object: Phrase("range \(r)"),
                                   problem: holder.map { "held by \($0.name)" } ?? "not free in dax region \(region.id)",
                                   fix: holder.map { "destroy \($0.name) first, or restore into another region" } ?? "list the free ranges: \(Operation.listDAXDevices)")
                }
            }
            return Creation(size: ranges.reduce(0) { $0 + $1.size }, align: a, ranges: ranges)
        }
        let want = size?.bytes ?? region.availableSize
        if want % a != 0 {
            let down = want / a * a
            throw DaxError(.invalidSize, object: "\(.size, size?.text ?? ByteCount.compact(want))",
                           problem: "not a multiple of the alignment \(ByteCount.compact(a))",
                           fix: "use \(.size, ByteCount.compact(down + a))\(down > 0 ? " or \(ByteCount.compact(down))" : "")")
        }
        // What the kernel can place at this alignment: each free range, trimmed to it.
        let free = region.freeRanges
        let placeable = free.isEmpty && region.range == nil
            ? region.availableSize / a * a
            : free.reduce(0) { $0 + alignedBytes($1, a) }
        let largest = free.map(\.size).max() ?? region.availableSize
        if want == 0 || want > placeable {
            throw DaxError(.noCapacity, object: name,
                           problem: want == 0 ? "no free space" : "\(.size, size?.text ?? ByteCount.compact(want)) does not fit",
                           rule: "\(ByteCount.format(Int(region.availableSize))) available\(a > region.align ? " (\(ByteCount.format(Int(placeable)))) at \(ByteCount.compact(a)) alignment)" : ""), largest free range \(ByteCount.format(Int(largest)))",
                           fix: placeable > 0 ? "use \(.size, ByteCount.compact(placeable)) or less" : "destroy a device first")
        }
        return Creation(size: want, align: a, ranges: [])
    }

    /// Bytes of `r` that lie on whole `unit`s.
    static func alignedBytes(_ r: DaxRegionSnapshot.Range, _ unit: UInt64) -> UInt64 {
        let lo = (r.start + unit - 1) / unit * unit
        let hi = (r.end &+ 1) / unit * unit
        return hi > lo ? hi - lo : 0
    }

    /// What system-ram mode makes of a device: kmem hot-adds only whole memory blocks.
    public struct SystemRAMPlan: Sendable, Equatable {
        /// Bytes that come online (whole memory blocks).
        public var onlineBytes: UInt64
        /// Bytes lost at the ragged edges of its ranges.
        public var lostBytes: UInt64
        /// Memory blocks added.
        public var blocks: UInt64
        /// The memory block size, in bytes.
        public var blockSize: UInt64
        /// The zone the memory will land in: Movable (can be offlined again) or Normal.
        public var zone: String
        /// The NUMA node it joins.
        public var node: Int?
        /// One line for the operator: how much comes online, where, and what is lost.
        public var summary: String
    }

    /// Judges moving `device` to system-ram mode.
    ///
    /// - Parameters:
    ///   - online: whether the memory will be onlined now (false: `noOnline`).
    ///   - movable: online it movable (ZONE_MOVABLE) rather than normal.
    ///   - force: go on when nothing would come online (the kernel then refuses), or
    ///     when the kernel's auto-online policy would online it behind our back.
    /// - Throws: `DaxError` `.conflict` when the auto-online policy would online the memory
    ///   where the caller asked otherwise, `.invalidSize` when no whole memory block
    ///   fits, each naming what would work.
    public static func systemRAM(_ device: DaxRegionSnapshot.Device, in region: DaxRegionSnapshot,
                                 online: Bool, movable: Bool, force: Bool) throws -> SystemRAMPlan {
        let bs = max(region.memoryBlockSize, 1)
        let onlineBytes = device.ranges.reduce(0) { $0 + alignedBytes($1, bs) }
        let lost = device.size > onlineBytes ? device.size - onlineBytes : 0
        let zone = !online ? (region.autoOnlines ? zoneOf(region.autoOnline) : "none (left offline)") : (movable ? "Movable" : "Normal")
        if (!online || movable) && region.autoOnlines && !force {
            throw DaxError(.conflict, object: Phrase(device.name),
                           problem: "the kernel's policy (auto_online_blocks=\(region.autoOnline)) will online its memory itself\(online ? " into its own zone, not Movable" : ", though it was asked to stay offline")",
                           rule: "kernel policy will auto-online memory, aborting (as daxctl)",
                           fix: "\(enable: .force) to let it, \(Parameter("noMovable")) to accept its zone, or set /sys/devices/system/memory/auto_online_blocks to offline")
        }
        if onlineBytes == 0 && !force {
            let fits = region.freeRanges.contains { alignedBytes($0, bs) >= bs }
            throw DaxError(.invalidSize, object: Phrase(device.name),
                           problem: "none of its \(ByteCount.format(Int(device.size))) at \(device.ranges.map(\.description).joined(separator: ", ")) covers a whole \(ByteCount.format(Int(bs))) memory block, so system-ram would add nothing (the kernel refuses it, EINVAL)",
                           rule: "memory is hot-added in whole memory blocks (block_size_bytes)",
                           fix: fits ? "recreate it with a size that is a multiple of \(ByteCount.compact(bs)) at a \(ByteCount.compact(bs)) boundary (the region has room for one)" : "use a device of a multiple of \(ByteCount.compact(bs)) starting on a \(ByteCount.compact(bs)) boundary")
        }
        let blocks = onlineBytes / bs
        var summary = "\(device.name): \(ByteCount.format(Int(onlineBytes))) (\(blocks) memory block\(blocks == 1 ? "" : "s") of \(ByteCount.format(Int(bs)))) becomes system RAM on node \(device.targetNode.map(String.init) ?? "?"), zone \(zone)"
        if lost > 0 {
            summary += "; \(ByteCount.format(Int(lost))) is lost at the edges of its ranges (not whole memory blocks): size and place devices in multiples of \(ByteCount.compact(bs)) to lose nothing"
        }
        return SystemRAMPlan(onlineBytes: onlineBytes, lostBytes: lost, blocks: blocks, blockSize: bs, zone: zone,
                             node: device.targetNode, summary: summary)
    }

    /// The zone the auto-online policy puts memory in.
    static func zoneOf(_ policy: String) -> String {
        switch policy {
        case "online_movable": return "Movable"
        case "online_kernel": return "Normal"
        default: return "Normal or Movable, as the kernel picks (online)"
        }
    }
}
