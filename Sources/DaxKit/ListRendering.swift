import DaxCore
import NDCtl

/// What the JSON renderers include and how they print numbers: the flags `ndctl list`
/// and `daxctl list` derive from their options.
///
/// Models `enum util_json_flags` of ndctl's util/json.h (bit 8, `UTIL_JSON_FIRMWARE`,
/// is not ported).
public struct ListFlags: OptionSet, Sendable {
    /// The flags as `util_json_flags` bits.
    public let rawValue: UInt32
    /// Flags from `util_json_flags` bits.
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// Include dax devices of 0 bytes (the seeds) (`UTIL_JSON_IDLE`).
    public static let idle = ListFlags(rawValue: 1 << 0)
    /// Add `badblocks` records, offsets and lengths in 512-byte sectors, beside each
    /// `badblock_count` (`UTIL_JSON_MEDIA_ERRORS`).
    public static let mediaErrors = ListFlags(rawValue: 1 << 1)
    /// Nest a devdax namespace's `daxregion` object instead of naming its `chardev`, and
    /// leave the sysfs `path` out of that object (`UTIL_JSON_DAX`).
    public static let dax = ListFlags(rawValue: 1 << 2)
    /// List the devices inside each dax region object (`UTIL_JSON_DAX_DEVS`).
    public static let daxDevices = ListFlags(rawValue: 1 << 3)
    /// Print byte counts of 5000 KiB and more as `"1.00 GiB (1.07 GB)"` and hex-able
    /// values as `"0x…"` strings, and a one-element array as its element (`UTIL_JSON_HUMAN`).
    public static let human = ListFlags(rawValue: 1 << 4)
    /// Add `numa_node` and `target_node` to regions and namespaces, and `raw_uuid` to
    /// namespaces with a personality (`UTIL_JSON_VERBOSE`).
    public static let verbose = ListFlags(rawValue: 1 << 5)
    /// Add a region's `capabilities` (`UTIL_JSON_CAPABILITIES`).
    public static let capabilities = ListFlags(rawValue: 1 << 6)
    /// Include dax devices of 0 bytes, as ``idle`` does (`UTIL_JSON_CONFIGURED`).
    public static let configured = ListFlags(rawValue: 1 << 7)
    /// Add each dax device's `mappings`: its physical extents (`UTIL_JSON_DAX_MAPPINGS`).
    public static let daxMappings = ListFlags(rawValue: 1 << 9)
}

/// Per-object JSON renderers: ports of ndctl's ndctl/json.c and daxctl/json.c, so that
/// `daxkit list` prints what `ndctl list` prints, key for key and in the same order.
enum Render {
    static func bus(_ bus: Bus, _ flags: ListFlags) -> JSON {
        var o = JSONObject()
        o.add("provider", .string(bus.provider))
        o.add("dev", .string(bus.devName))
        if let scrub = bus.scrubActive {
            o.add("scrub_state", .string(scrub ? "active" : "idle"))
        }
        return o.json
    }

    static func dimm(_ d: DIMM, _ flags: ListFlags) -> JSON {
        let human = flags.contains(.human)
        var o = JSONObject()
        o.add("dev", .string(d.devName))
        if let id = d.uniqueID { o.add("id", .string(id)) }
        if let h = d.handle { o.add("handle", .hex(UInt64(h), human: human)) }
        if let p = d.physID { o.add("phys_id", .hex(UInt64(p), human: human)) }
        if !d.isEnabled { o.add("state", .string("disabled")) }
        let f = d.flags
        if f.contains(.failedMap) { o.add("flag_failed_map", .bool(true)) }
        if f.contains(.failedSave) { o.add("flag_failed_save", .bool(true)) }
        if f.contains(.failedArm) { o.add("flag_failed_arm", .bool(true)) }
        if f.contains(.failedRestore) { o.add("flag_failed_restore", .bool(true)) }
        if f.contains(.failedFlush) { o.add("flag_failed_flush", .bool(true)) }
        if f.contains(.smartEvent) { o.add("flag_smart_event", .bool(true)) }
        if let s = d.security { o.add("security", .string(s.rawValue)) }
        if d.securityFrozen { o.add("security_frozen", .bool(true)) }
        return o.json
    }

    static func mapping(_ m: Mapping, _ flags: ListFlags) -> JSON {
        let human = flags.contains(.human)
        var o = JSONObject()
        o.add("dimm", .string(m.dimm.devName))
        o.add("offset", .hex(m.offset, human: human))
        o.add("length", .hex(m.length, human: human))
        if let p = m.position { o.add("position", .int(Int64(p))) }
        return o.json
    }

    /// `util_region_capabilities_to_json`: only when all three seeds exist.
    static func capabilities(_ r: Region) -> JSON? {
        guard let btt = r.bttSeed, let pfn = r.pfnSeed, let dax = r.daxSeed else { return nil }
        return .array([
            .object([("mode", .string("sector")), ("sector_sizes", .array(btt.supportedSectorSizes.map { .uint($0) }))]),
            .object([("mode", .string("fsdax")), ("alignments", .array(pfn.supportedAlignments.map { .uint($0) }))]),
            .object([("mode", .string("devdax")), ("alignments", .array(dax.supportedAlignments.map { .uint($0) }))]),
        ])
    }

    /// Bad blocks of a region: total sector count and, with media errors, the records.
    static func regionBadBlocks(_ r: Region, _ flags: ListFlags) -> (count: UInt64, records: JSON?) {
        let bbs = r.badBlocks
        let count = bbs.reduce(UInt64(0)) { $0 + UInt64($1.length) }
        guard flags.contains(.mediaErrors), count > 0, r.resource != nil else { return (count, nil) }
        return (count, .array(bbs.map { .object([("offset", .uint($0.offset)), ("length", .int(Int64($0.length)))]) }))
    }

    /// `dev_badblocks_to_json`: the part of the region's bad blocks inside [begin, begin+size).
    static func deviceBadBlocks(_ r: Region, begin devBegin: UInt64, size: UInt64, _ flags: ListFlags) -> (count: UInt64, records: JSON?)? {
        guard let regionBegin = r.resource else { return nil }
        let devEnd = devBegin &+ size &- 1
        var count: UInt64 = 0
        var recs: [JSON] = []
        for bb in r.badBlocks {
            let bbBegin = regionBegin + (bb.offset << 9)
            let bbEnd = bbBegin + (UInt64(bb.length) << 9) - 1
            if bbEnd <= devBegin || bbBegin >= devEnd { continue }
            let begin = max(bbBegin, devBegin)
            let end = min(bbEnd, devEnd)
            let len = (end - begin + 1) >> 9
            count += len
            recs.append(.object([("offset", .uint((begin - devBegin) >> 9)), ("length", .int(Int64(len)))]))
        }
        return (count, flags.contains(.mediaErrors) && count > 0 ? .array(recs) : nil)
    }

    static func namespaceBadBlocks(_ ns: Namespace, _ flags: ListFlags) -> (count: UInt64, records: JSON?) {
        guard flags.contains(.mediaErrors) else { return (0, nil) }
        let bbs = ns.badBlocks
        let count = bbs.reduce(UInt64(0)) { $0 + UInt64($1.length) }
        return (count, count > 0 ? .array(bbs.map { .object([("offset", .uint($0.offset)), ("length", .int(Int64($0.length)))]) }) : nil)
    }

    /// `util_namespace_to_json`.
    static func namespace(_ ns: Namespace, _ flags: ListFlags) -> JSON? {
        var o = JSONObject()
        o.add("dev", .string(ns.devName))
        let btt = ns.btt, dax = ns.dax, pfn = ns.pfn
        let mode = ns.mode
        var size: UInt64?
        var loc = MapLocation.none
        switch mode {
        case .fsdax:
            if let pfn { size = pfn.size; loc = pfn.location } else { size = ns.size; loc = .mem }
            o.add("mode", .string("fsdax"))
        case .devdax:
            guard let dax else { return nil }
            size = dax.size
            loc = dax.location
            o.add("mode", .string("devdax"))
        case .sector:
            guard let btt else { return nil }
            size = btt.size
            o.add("mode", .string("sector"))
        case .raw:
            size = ns.size
            o.add("mode", .string("raw"))
        case .unknown:
            break
        }
        if mode != .sector && mode != .raw { o.add("map", .string(loc.rawValue)) }
        if let size { o.add("size", .size(size, human: flags.contains(.human))) }

        var bdev: String?
        var align: UInt64 = 0
        func rawUUID() {
            guard flags.contains(.verbose), let u = ns.uuid else { return }
            o.add("raw_uuid", .string(u))
        }
        if let btt {
            o.add("uuid", .string(btt.uuid))
            rawUUID()
            bdev = btt.blockDevice
        } else if let pfn {
            align = pfn.align
            o.add("uuid", .string(pfn.uuid))
            rawUUID()
            bdev = pfn.blockDevice
        } else if let dax {
            let region = dax.daxRegion
            align = dax.align
            o.add("uuid", .string(dax.uuid))
            rawUUID()
            if flags.contains(.dax), let region {
                if let j = daxRegion(region, deviceFilter: nil, flags) { o.add("daxregion", j) }
            } else if let region, let dev = region.devices.first {
                o.add("chardev", .string(dev.devName))
            }
        } else if ns.type != .io {
            o.add("uuid", .string(formatUUID(ns.uuidBytes)))
            bdev = ns.blockDevice
        } else {
            bdev = ns.blockDevice
        }

        var sector: UInt32?
        if let btt {
            sector = btt.sectorSize
        } else if dax == nil {
            let s = ns.sectorSize ?? 0
            sector = s == 0 ? 512 : s
        }
        if let sector { o.add("sector_size", .int(Int64(sector))) }
        if align != 0 { o.add("align", .uint(align)) }
        if let bdev { o.add("blockdev", .string(bdev)) }
        if !ns.isActive { o.add("state", .string("disabled")) }
        if let name = ns.name { o.add("name", .string(name)) }
        if flags.contains(.verbose) {
            if ns.numaNodeRaw >= 0 { o.add("numa_node", .int(Int64(ns.numaNodeRaw))) }
            if let t = ns.targetNode { o.add("target_node", .int(Int64(t))) }
        }

        var bb: (count: UInt64, records: JSON?) = (0, nil)
        if let pfn {
            if let begin = pfn.resource {
                if let size = pfn.size, let r = deviceBadBlocks(ns.region, begin: begin, size: size, flags) { bb = r }
            } else {
                bb = namespaceBadBlocks(ns, flags)
            }
        } else if let dax {
            if let begin = dax.resource, let size = dax.size,
               let r = deviceBadBlocks(ns.region, begin: begin, size: size, flags) { bb = r }
        } else if btt != nil {
            if let begin = ns.resource, let size = ns.size,
               let r = deviceBadBlocks(ns.region, begin: begin, size: size, []) { bb = (r.count, nil) }
        } else {
            bb = regionBadBlocks(ns.region, flags)
            if bb.records == nil {
                let n = namespaceBadBlocks(ns, flags)
                if n.count > 0 { bb = n }
            }
        }
        if bb.count > 0 { o.add("badblock_count", .int(Int64(bb.count))) }
        if flags.contains(.mediaErrors), let recs = bb.records { o.add("badblocks", recs) }
        return o.json
    }

    // MARK: daxctl

    /// `util_daxctl_dev_to_json`.
    static func daxDevice(_ dev: DAXDevice, _ flags: ListFlags) -> JSON {
        let human = flags.contains(.human)
        var o = JSONObject()
        o.add("chardev", .string(dev.devName))
        o.add("size", .size(dev.size, human: human))
        if let n = dev.targetNode { o.add("target_node", .int(Int64(n))) }
        let align = dev.alignAsInt
        if align > 0 { o.add("align", .size(UInt64(align), human: human)) }
        o.add("mode", .string(dev.isSystemRAM ? "system-ram" : "devdax"))
        if let mem = dev.memoryBlocks {
            o.add("online_memblocks", .int(Int64(mem.online)))
            o.add("total_memblocks", .int(Int64(mem.total)))
            if let m = mem.movable { o.add("movable", .bool(m)) }
        }
        if !dev.isEnabled { o.add("state", .string("disabled")) }
        if flags.contains(.daxMappings) {
            let maps = dev.mappings
            if !maps.isEmpty {
                o.add("mappings", .array(maps.map { m in
                    .object([("page_offset", .hex(m.pageOffset, human: human)),
                             ("start", .hex(m.start, human: human)),
                             ("end", .hex(m.end, human: human)),
                             ("size", .size(m.size, human: human))])
                }))
            }
        }
        return o.json
    }

    /// `util_daxctl_devs_to_list`: devices that pass the filter (and, unless idle or
    /// configured was asked for, have a size).
    static func daxDevices(_ region: DAXRegion, filter: String?, _ flags: ListFlags) -> [JSON] {
        region.devices.compactMap { dev in
            guard DAXFilter.device(dev, filter) else { return nil }
            if flags.isDisjoint(with: [.idle, .configured]) && dev.size == 0 { return nil }
            return daxDevice(dev, flags)
        }
    }

    /// `util_daxctl_region_to_json`; `nil` when the region's path is not under /sys/devices.
    static func daxRegion(_ region: DAXRegion, deviceFilter: String?, _ flags: ListFlags) -> JSON? {
        let human = flags.contains(.human)
        var o = JSONObject()
        if !flags.contains(.dax) {
            let prefix = "/sys/devices"
            guard let path = region.path, path.hasPrefix(prefix) else { return nil }
            o.add("path", .string(String(path.dropFirst(prefix.count))))
        }
        o.add("id", .int(Int64(region.id)))
        if let s = region.size { o.add("size", .size(s, human: human)) }
        let avail = region.availableSize
        if avail != 0 { o.add("available_size", .size(avail, human: human)) }
        if let a = region.align { o.add("align", .uint(a)) }
        guard flags.contains(.daxDevices) else { return o.json }
        let devs = daxDevices(region, filter: deviceFilter, flags)
        if !devs.isEmpty { o.add("devices", .array(devs)) }
        return o.json
    }
}
