import NDCtl

#if canImport(Glibc)
import Glibc
#endif

/// A size argument as ndctl parses it: bytes, or a number with K/M/G/T (base 1024).
public struct SizeArgument: Sendable, Equatable {
    public var bytes: UInt64
    /// The unit the user wrote (1 for plain bytes), to phrase suggestions in it.
    public var unit: UInt64
    public var text: String

    public init(parsing text: String) throws {
        let t = text.trimmingSuffixNewlines()
        var digits = Substring(t)
        var unit: UInt64 = 1
        if let last = t.last, last.isLetter {
            switch last {
            case "k", "K": unit = 1 << 10
            case "m", "M": unit = 1 << 20
            case "g", "G": unit = 1 << 30
            case "t", "T": unit = 1 << 40
            default:
                throw DaxKitError(.invalidArgument, "size \"\(text)\": unknown unit '\(last)'; write bytes or a number with K, M, G or T (base 1024), e.g. 256M")
            }
            digits = digits.dropLast()
        }
        let value: UInt64?
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") {
            value = UInt64(digits.dropFirst(2), radix: 16)
        } else {
            value = UInt64(digits)
        }
        guard let v = value else {
            throw DaxKitError(.invalidArgument, "size \"\(text)\": not a number; write bytes or a number with K, M, G or T (base 1024), e.g. 256M")
        }
        let (b, overflow) = v.multipliedReportingOverflow(by: unit)
        guard !overflow else {
            throw DaxKitError(.invalidArgument, "size \"\(text)\": too large")
        }
        bytes = b
        self.unit = unit
        self.text = text
    }

    public init(bytes: UInt64) {
        self.bytes = bytes
        unit = 1
        text = String(bytes)
    }
}

/// Formats a byte count compactly in the largest exact unit: 16M, 2G, 4K, 1536 (bytes).
public func compactSize(_ v: UInt64) -> String {
    for (u, s) in [(UInt64(1) << 40, "T"), (1 << 30, "G"), (1 << 20, "M"), (1 << 10, "K")] where v >= u && v % u == 0 {
        return "\(v / u)\(s)"
    }
    return String(v)
}

/// Formats a byte count in a unit, rounding to two decimals when inexact: 3.98G.
func sizeIn(_ v: UInt64, unit: UInt64) -> String {
    let suffix: String
    switch unit {
    case 1 << 10: suffix = "K"
    case 1 << 20: suffix = "M"
    case 1 << 30: suffix = "G"
    case 1 << 40: suffix = "T"
    default: return String(v)
    }
    if v % unit == 0 { return "\(v / unit)\(suffix)" }
    let hundredths = v * 100 / unit
    let frac = hundredths % 100
    return "\(hundredths / 100).\(frac < 10 ? "0" : "")\(frac)\(suffix)"
}

/// What `create-namespace` was asked for (ndctl's flags).
public struct NamespaceRequest: Sendable {
    public var region: String?
    public var bus: String?
    public var mode: NamespaceMode?
    public var map: MapLocation?
    public var size: SizeArgument?
    public var usableSize: SizeArgument?
    public var align: SizeArgument?
    public var name: String?
    public var uuid: String?
    public var sectorSize: SizeArgument?
    /// `-e NS`: reconfigure this namespace instead of creating one.
    public var reconfigure: String?
    public var force = false
    public var greedy = false
    public var autolabel = true
    public var autorecover = true
    public var dryRun = false
    public init() {}
}

/// Settled parameters for one region (ndctl's `struct parsed_parameters`).
public struct NamespacePlan: Sendable {
    public var region: String
    public var namespace: String?
    public var mode: NamespaceMode
    public var map: MapLocation
    public var size: UInt64
    public var align: UInt64
    public var sectorSize: UInt32?
    public var name: String
    public var uuid: [UInt8]
    /// Expected physical start of the namespace (for alignment padding), if known.
    public var start: UInt64 = 0
    /// BTT initial offset: 4096 with v1.1 labels or none, 0 with v1.2 labels.
    public var bttInitialOffset: UInt64 = 4096
}

func randomUUID() -> [UInt8] {
    var g = SystemRandomNumberGenerator()
    var b = (0..<16).map { _ in UInt8.random(in: 0...255, using: &g) }
    b[6] = (b[6] & 0x0f) | 0x40
    b[8] = (b[8] & 0x3f) | 0x80
    return b
}

/// Namespace lifecycle: create, reconfigure, destroy, enable, disable — ndctl's
/// namespace.c behaviour, with every rule checked before the kernel is touched, the
/// kernel's own log lines in errors, and undo of partial state on failure.
public enum Namespaces {
    static let minimumSize: UInt64 = 16 << 20
    static let pageSize = UInt64(sysconf(Int32(_SC_PAGESIZE)))

    /// Checks that need no region (ndctl's set_defaults), with one-line errors.
    static func validateArguments(_ r: NamespaceRequest) throws {
        if let m = r.mode, m == .unknown {
            throw DaxKitError(.invalidArgument, "create-namespace: unknown --mode; use raw, sector, fsdax or devdax")
        }
        let mode = r.mode ?? (r.reconfigure == nil ? .fsdax : nil)
        if let map = r.map, let mode, mode != .fsdax && mode != .devdax {
            throw DaxKitError(.invalidArgument, "create-namespace: --map \(map.rawValue) is only valid for fsdax and devdax namespaces, not \(mode.rawValue); drop --map or use --mode fsdax|devdax")
        }
        if r.map == MapLocation.none, let mode, mode != .devdax {
            throw DaxKitError(.invalidArgument, "create-namespace: --map none (no struct page) is only valid with --mode devdax; use --mode devdax or --map mem|dev")
        }
        if let a = r.align {
            let v = a.bytes
            if v < pageSize || v & (v - 1) != 0 {
                throw DaxKitError(.invalidArgument, "create-namespace: --align \(a.text) must be a power of two of at least \(compactSize(pageSize)); use 4K, 2M or 1G")
            }
        }
        if let name = r.name, name.utf8.count > 63 {
            throw DaxKitError(.invalidArgument, "create-namespace: --name is \(name.utf8.count) bytes; the label holds at most 63; shorten it")
        }
        if let u = r.uuid, parseUUID(u) == nil {
            throw DaxKitError(.invalidArgument, "create-namespace: --uuid \"\(u)\" is not a UUID; use the form 01234567-89ab-cdef-0123-456789abcdef")
        }
        if r.size != nil && r.usableSize != nil {
            throw DaxKitError(.invalidArgument, "create-namespace: --size and --usable-size both given; use one of them")
        }
        if r.reconfigure != nil && r.usableSize != nil {
            throw DaxKitError(.invalidArgument, "create-namespace: --usable-size cannot resize a namespace with -e; destroy it and create a new one")
        }
    }

    /// ndctl's validate_namespace_options: settles the parameters for `region`
    /// (and `existing` when reconfiguring), or says exactly why it cannot.
    /// - Returns: `nil` when the region simply cannot be used and another may be tried
    ///   (ndctl's -EAGAIN), with the reason.
    static func plan(_ r: NamespaceRequest, region: Region, existing: Namespace?) throws -> (NamespacePlan?, String?) {
        let rname = region.devName
        guard region.isEnabled else { return (nil, "\(rname) is disabled (enable it with daxkit enable-region \(rname))") }
        if region.isReadOnly {
            let msg = "\(rname) is read-only; make it writable (echo 0 > /sys/bus/nd/devices/\(rname)/read_only) to configure namespaces"
            if r.region != nil && r.region != "all" || existing != nil { throw DaxKitError(.invalidArgument, msg) }
            return (nil, msg)
        }
        let labelless = region.isLabelless
        var size: UInt64
        var unit: UInt64 = 1
        var defaultSize = false
        if let s = r.size {
            size = s.bytes
            unit = s.unit
        } else if let existing {
            size = existing.size ?? 0
        } else {
            size = 0
            defaultSize = true
        }

        if existing == nil {
            let available: UInt64 = labelless ? region.size : (region.maxAvailableExtent ?? region.availableSize)
            if available == 0 || size > available {
                let msg: String
                if available == 0 {
                    msg = "\(rname) has no free capacity (size \(compactSize(region.size)), all of it allocated); destroy a namespace or pick another region"
                } else {
                    msg = "\(rname): --size \(r.size?.text ?? String(size)) exceeds the free capacity: \(sizeIn(region.availableSize, unit: 1 << 20)) available, largest extent \(sizeIn(available, unit: 1 << 20)); use --size \(sizeIn(available, unit: 1 << 20)) or less"
                }
                if r.region != nil && r.region != "all" { throw DaxKitError(.invalidArgument, msg) }
                return (nil, msg)
            }
            if size == 0 { size = available }
        }

        if labelless && size != region.size {
            if r.region == nil || r.region == "all", existing == nil, r.size != nil || r.usableSize != nil {
                return (nil, "\(rname) is label-less and cannot be sub-divided")
            }
            throw DaxKitError(.invalidArgument, "\(rname) is label-less (memmap/e820 pmem or an NVDIMM without a label area): it holds one namespace of its full size and cannot be sub-divided; drop --size and reconfigure it with -e namespace\(region.id).0, or use an NVDIMM with a label area (daxkit init-labels)")
        }

        var mode: NamespaceMode = r.mode ?? existing?.mode ?? .fsdax
        if mode == .unknown { mode = .raw }
        if region.type != .pmem && (mode == .fsdax || mode == .devdax) {
            return (nil, "\(rname) is a blk region and does not support \(mode.rawValue)")
        }
        let pfn = mode == .fsdax ? region.pfnSeed : nil
        let dax = mode == .devdax ? region.daxSeed : nil
        if mode == .fsdax && pfn == nil && r.mode == nil { mode = .raw }
        if mode == .devdax && dax == nil {
            throw DaxKitError(.invalidArgument, "\(rname): this kernel does not support devdax mode (no dax seed: load dax_pmem); use --mode fsdax")
        }

        var align: UInt64
        if let a = r.align {
            let supported: [UInt64]
            switch mode {
            case .fsdax:
                guard let pfn else {
                    throw DaxKitError(.invalidArgument, "\(rname): this kernel does not support --align in fsdax mode; drop --align")
                }
                supported = pfn.supportedAlignments
            case .devdax:
                supported = dax!.supportedAlignments
            default:
                throw DaxKitError(.invalidArgument, "\(rname): --align is not valid for \(mode.rawValue) mode; drop --align or use --mode fsdax|devdax")
            }
            guard supported.contains(a.bytes) else {
                throw DaxKitError(.invalidArgument, "\(rname): --align \(a.text) is not supported for \(mode.rawValue) (supported: \(supported.map(compactSize).joined(separator: ", "))); pick one of them")
            }
            align = a.bytes
        } else if let existing, mode == existing.mode {
            align = existing.pfn?.align ?? existing.dax?.align ?? pageSize
        } else {
            switch mode {
            case .fsdax: align = (pfn?.hasAlign ?? false) ? pfn!.align : 2 << 20
            case .devdax: align = dax!.align
            default: align = pageSize
            }
            if let res = region.resource, align > 0, res & (align - 1) != 0 { align = pageSize }
        }
        if align == 0 { align = pageSize }

        // Allocation is first-fit from the region start, so a new namespace starts after
        // what is allocated; a reconfigured one keeps its own start.
        let start = existing?.resource ?? expectedStart(region)
        let ways = UInt64(max(region.interleaveWays, 1))
        let regionAlign = region.align ?? 1
        if let u = r.usableSize {
            let explicit = r.region != nil && r.region != "all"
            guard let needed = CapacityPlanner.smallestRawSize(
                forUsable: u.bytes, mode: mode, map: r.map ?? .dev, align: align, regionAlign: regionAlign,
                interleaveWays: UInt32(ways), start: start,
                sectorSize: UInt32(r.sectorSize?.bytes ?? 4096)) else {
                throw DaxKitError(.invalidArgument, "\(rname): no \(mode.rawValue) namespace can give --usable-size \(u.text); ask for less")
            }
            let available = labelless ? region.size : (region.maxAvailableExtent ?? region.availableSize)
            if needed > available || (labelless && needed != region.size) {
                let msg = labelless
                    ? "\(rname) is label-less and holds one \(compactSize(region.size)) namespace; --usable-size \(u.text) needs \(compactSize(needed))"
                    : "\(rname): --usable-size \(u.text) needs a \(compactSize(needed)) namespace but the largest free extent is \(sizeIn(available, unit: 1 << 20)); ask for less or free space"
                if explicit { throw DaxKitError(.invalidArgument, msg) }
                return (nil, msg)
            }
            size = needed
            unit = u.unit
        }
        guard let granule = CapacityPlanner.lcm(align * ways, regionAlign) else {
            throw DaxKitError(.invalidArgument, "\(rname): align \(compactSize(align)) x \(ways) ways and region align \(compactSize(regionAlign)) have no common multiple below 2^64")
        }
        if size % granule != 0 {
            let u = max(unit, 1)
            let down = size / granule * granule
            let up = down + granule
            let alt = down >= minimumSize || mode == .raw ? " (or \(sizeIn(down, unit: u)))" : ""
            throw DaxKitError(.invalidArgument, "\(rname): --size \(r.size?.text ?? compactSize(size)) is not a multiple of \(compactSize(granule)) (align \(compactSize(align)) x \(ways) interleave way\(ways == 1 ? "" : "s"), region align \(compactSize(regionAlign))); use --size \(sizeIn(up, unit: u))\(alt)")
        }
        if size < minimumSize && mode != .raw {
            if defaultSize { return (nil, "\(rname): not enough capacity for \(mode.rawValue) (16 MiB minimum)") }
            throw DaxKitError(.invalidArgument, "\(rname): --size \(r.size?.text ?? compactSize(size)) is below the 16 MiB minimum for \(mode.rawValue) mode; use --size 16M or more, or --mode raw")
        }

        var sector: UInt32?
        if let s = r.sectorSize {
            let v = s.bytes
            if mode == .sector {
                guard let btt = region.bttSeed else {
                    throw DaxKitError(.invalidArgument, "\(rname) does not support sector mode (no btt seed: load nd_btt)")
                }
                guard btt.supportedSectorSizes.contains(v) else {
                    throw DaxKitError(.invalidArgument, "\(rname): --sector-size \(s.text) is not supported by btt (supported: \(btt.supportedSectorSizes.map(String.init).joined(separator: ", "))); pick one of them")
                }
            } else if let seed = existing ?? region.namespaceSeed {
                let ok = seed.supportedSectorSizes
                guard ok.contains(v) else {
                    throw DaxKitError(.invalidArgument, "\(rname): --sector-size \(s.text) is not supported for \(mode.rawValue) namespaces (supported: \(ok.map(String.init).joined(separator: ", "))); pick one of them")
                }
            }
            sector = UInt32(v)
        } else if mode == .sector {
            sector = 4096
            if let existing, let btt = existing.btt { sector = btt.sectorSize }
        } else if let existing {
            sector = existing.sectorSize.flatMap { $0 == 0 ? nil : $0 }
        } else if let seed = region.namespaceSeed {
            sector = seed.supportedSectorSizes.isEmpty ? nil : 512
        }

        let map: MapLocation = r.map ?? ((mode == .fsdax || mode == .devdax) ? .dev : .none)
        if mode == .fsdax && pfn == nil && (existing == nil || existing!.mode != .fsdax || map == .dev) {
            throw DaxKitError(.invalidArgument, "\(rname) cannot support fsdax with a pfn device (no pfn seed: load nd_pmem); use --mode raw")
        }

        var uuid: [UInt8] = randomUUID()
        if let u = r.uuid { uuid = parseUUID(u)! }
        let name = r.name ?? existing?.name ?? ""
        var plan = NamespacePlan(region: rname, namespace: existing?.devName, mode: mode, map: map, size: size,
                                 align: align, sectorSize: sector, name: name, uuid: uuid)
        plan.start = start
        // Only BTT's layout depends on the label version, and reading the label index is a
        // firmware call per DIMM, so ask only for sector mode.
        if mode == .sector && !labelless {
            let v12 = !region.dimms.isEmpty && region.dimms.allSatisfy { $0.labelSize >= 256 }
            plan.bttInitialOffset = v12 ? 0 : 4096
        }
        return (plan, nil)
    }

    /// Where a new namespace will start: allocation is first-fit from the region's start,
    /// so right after the highest allocated namespace (the region start when empty).
    static func expectedStart(_ region: Region) -> UInt64 {
        guard let base = region.resource else { return 0 }
        var end = base
        for ns in region.namespaces {
            if let r = ns.resource, let s = ns.size, s > 0, ns.type != .io { end = max(end, r + s) }
        }
        return end
    }

}

extension Namespaces {
    /// The kernel's layout for a plan (CapacityPlanner), at the plan's expected start.
    static func capacity(_ p: NamespacePlan, start: UInt64? = nil, region: Region? = nil) -> CapacityPlan {
        CapacityPlanner.plan(rawSize: p.size, mode: p.mode, map: p.map, align: p.align, start: start ?? p.start,
                             sectorSize: p.sectorSize ?? 4096, btt: p.bttInitialOffset == 0 ? .v2_0 : .v1_1,
                             regionAlign: region?.align ?? CapacityPlanner.defaultRegionAlign,
                             interleaveWays: region.map { max($0.interleaveWays, 1) } ?? 1, rules: .kernel)
    }

    /// The dry-run plan as JSON: what would be created, with the capacity breakdown.
    public static func planJSON(_ p: NamespacePlan) -> JSON {
        let c = capacity(p)
        var o = JSONObject()
        o.add("region", .string(p.region))
        if let ns = p.namespace { o.add("dev", .string(ns)) }
        o.add("mode", .string(p.mode.rawValue))
        if p.mode == .fsdax || p.mode == .devdax { o.add("map", .string(p.map.rawValue)) }
        o.add("align", .uint(p.align))
        if let s = p.sectorSize, s != UInt32.max { o.add("sector_size", .uint(UInt64(s))) }
        if !p.name.isEmpty { o.add("name", .string(p.name)) }
        o.add("start", .uint(p.start))
        o.add("raw_size", .uint(c.rawSize))
        o.add("usable_size", .uint(c.usableSize))
        o.add("metadata_bytes", .uint(c.metadataBytes))
        o.add("infoblock_bytes", .uint(c.infoblockBytes))
        o.add("padding_bytes", .uint(c.paddingBytes))
        o.add("data_offset", .uint(c.dataOffset))
        o.add("creatable", .bool(c.creatable))
        if let r = c.refusal { o.add("refusal", .string(r.message)) }
        return o.json
    }
}
