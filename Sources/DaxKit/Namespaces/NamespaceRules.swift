import DaxCore
import NDCtl

// The one list of rules a namespace request is judged by: ndctl 76.1's
// validate_namespace_options() and set_defaults() (ndctl/namespace.c), then the kernel's
// layout (the planner above). `Namespaces.plan` (dry run) and `Namespaces.create` both
// run exactly this, on a RegionSnapshot, so a plan cannot say yes where a create says no.
// The order is the user's: what the arguments alone decide comes first, then what the
// region's geometry decides, then what its free space decides.

extension CapacityPlanner {
    /// A request's verdict for one region.
    public enum Verdict: Sendable {
        /// The region can hold it: the settled parameters and layout.
        case plan(NamespacePlan)
        /// This region cannot take it but another may (ndctl's `-EAGAIN`); why.
        case skip(DaxError)
    }

    /// The page size (x86-64), the smallest alignment.
    static let page: UInt64 = pageSize

    /// The checks that need no region (ndctl's set_defaults and the grammar of values),
    /// made before any region is looked at.
    ///
    /// - Throws: `DaxError` `.invalidArgument`/`.invalidSize` naming the parameter, the
    ///   value, the rule and what would work.
    public static func checkArguments(_ r: NamespaceRequest) throws {
        func refuse(_ object: Phrase, _ problem: Phrase, rule: Phrase = "", fix: Phrase) -> DaxError {
            DaxError(.invalidArgument, object: object, problem: problem, rule: rule, fix: fix)
        }
        if r.mode == .unknown {
            throw refuse("\(.mode, "unknown")", "not a mode a namespace can be given", fix: "use raw, sector, fsdax or devdax")
        }
        let mode = r.mode ?? (r.reconfigure == nil ? .fsdax : nil)
        if let map = r.map, let mode, mode != .fsdax && mode != .devdax {
            throw refuse("\(.map, map.rawValue)", "only valid for fsdax and devdax namespaces, not \(mode.rawValue)",
                         fix: "drop \(.map) or use \(.mode, "fsdax") or \(.mode, "devdax")")
        }
        if r.map == MapLocation.none, let mode, mode != .devdax {
            throw refuse("\(.map, "none")", "no struct page is only valid in devdax mode, not \(mode.rawValue)",
                         fix: "use \(.mode, "devdax") or \(.map, "mem")")
        }
        if let a = r.align {
            let v = a.bytes
            if v < page || v & (v - 1) != 0 {
                throw DaxError(.invalidAlignment, object: "\(.align, a.text)",
                               problem: "not a power of two of at least \(compactSize(page))", fix: "use 4K, 2M or 1G")
            }
            if let mode = r.mode, mode == .raw || mode == .sector {
                throw refuse("\(.align, a.text)", "not valid for \(mode.rawValue) mode",
                             fix: "drop \(.align) or use \(.mode, "fsdax") or \(.mode, "devdax")")
            }
        }
        if let name = r.name, name.utf8.count > 63 {
            throw refuse("\(.name)", "\(name.utf8.count) bytes long", rule: "a namespace label holds at most 63",
                         fix: "shorten it")
        }
        if let u = r.uuid, parseUUID(u) == nil {
            throw refuse("\(.uuid, "\"\(u)\"")", "not a UUID", fix: "use the form 01234567-89ab-cdef-0123-456789abcdef")
        }
        if r.size != nil && r.usableSize != nil {
            throw refuse("\(.size) and \(.usableSize)", "both given", fix: "give one of them")
        }
        if r.reconfigure != nil && r.usableSize != nil {
            throw refuse("\(.usableSize)", "cannot resize an existing namespace", fix: "destroy it and create a new one")
        }
        for (p, v) in [(Parameter.size, r.size), (.usableSize, r.usableSize)] {
            if let v, v.bytes == 0 {
                // ndctl takes 0 as "all free space": a script whose size variable came
                // out empty would silently take everything. Unset means that; 0 does not.
                throw DaxError(.invalidSize, object: "\(p, v.text)", problem: "zero bytes",
                               rule: "an empty namespace cannot be created, and 0 does not mean \"all free space\" here",
                               fix: "leave \(p) out to take the largest free extent")
            }
        }
        // The mode a create gets when none is given is fsdax, whose minimum applies too.
        if let s = r.size, let mode = r.mode ?? (r.reconfigure == nil ? .fsdax : nil), mode != .raw,
           s.bytes < minimumNamespaceSize {
            throw refuse("\(.size, s.text)", "below the 16 MiB minimum for \(mode.rawValue) mode",
                         fix: "use \(.size, "16M") or more, or \(.mode, "raw")")
        }
        if let s = r.size, let a = r.align, s.bytes % a.bytes != 0 {
            let down = s.bytes / a.bytes * a.bytes
            throw refuse("\(.size, s.text)", "not a multiple of \(.align, a.text)",
                         fix: "use \(.size, inUnit(down + a.bytes, unit: max(s.unit, 1)))\(down > 0 ? " (or \(inUnit(down, unit: max(s.unit, 1))))" : "")")
        }
    }

    /// Judges a request for one region (and the namespace it reconfigures), ndctl's
    /// validate_namespace_options() followed by the kernel's layout.
    ///
    /// - Parameters:
    ///   - r: the request; ``checkArguments(_:)`` must have passed.
    ///   - region: the region as it is now.
    ///   - existing: the namespace `r.reconfigure` names, when reconfiguring.
    /// - Returns: the plan, or why this region cannot take it while another may.
    /// - Throws: `DaxError` when the request cannot be met here and naming this region
    ///   (or reconfiguring) makes that final.
    public static func judge(_ r: NamespaceRequest, region: RegionSnapshot,
                             existing: NamespaceSnapshot? = nil) throws -> Verdict {
        let rname = region.name
        // A region that was named, or a namespace being reconfigured, makes a refusal final.
        let final = r.namesOneRegion || existing != nil
        func refuse(_ problem: Phrase, _ code: DaxError.Code = .invalidArgument, rule: Phrase = "", fix: Phrase = "") -> DaxError {
            DaxError(code, object: Phrase(rname), problem: problem, rule: rule, fix: fix)
        }

        guard region.isEnabled else {
            return .skip(refuse("disabled", .conflict, fix: "enable it: \(.enableRegion(rname))"))
        }
        if region.isReadOnly {
            let e = refuse("read-only", .conflict, fix: "make it writable (echo 0 > /sys/bus/nd/devices/\(rname)/read_only) to configure namespaces")
            if final { throw e }
            return .skip(e)
        }

        // The personality and its seed.
        var mode: NamespaceMode = r.mode ?? existing?.mode ?? .fsdax
        if mode == .unknown { mode = .raw }
        if !region.isPMEM && (mode == .fsdax || mode == .devdax) {
            return .skip(refuse("a blk region, which does not support \(mode.rawValue)"))
        }
        let pfn = mode == .fsdax ? region.pfnSeed : nil
        let dax = mode == .devdax ? region.daxSeed : nil
        if mode == .fsdax && pfn == nil && r.mode == nil { mode = .raw }
        if mode == .devdax && dax == nil {
            throw refuse("this kernel does not support devdax mode (no dax seed: load dax_pmem)", fix: "use \(.mode, "fsdax")")
        }
        let isPFN = mode == .fsdax || mode == .devdax

        // The alignment: given (and supported), kept, or the seed's default.
        var align: UInt64
        if let a = r.align {
            let supported: [UInt64]
            switch mode {
            case .fsdax:
                guard let pfn else {
                    throw refuse("this kernel does not support \(.align) in fsdax mode", fix: "drop \(.align)")
                }
                supported = pfn.supportedAlignments
            case .devdax:
                supported = dax!.supportedAlignments
            default:
                throw refuse("\(.align) is not valid for \(mode.rawValue) mode",
                             fix: "drop \(.align) or use \(.mode, "fsdax") or \(.mode, "devdax")")
            }
            guard supported.contains(a.bytes) else {
                throw refuse("\(.align, a.text) is not supported for \(mode.rawValue) (supported: \(supported.map(compactSize).joined(separator: ", ")))",
                             fix: "pick one of them")
            }
            align = a.bytes
        } else if let existing, mode == existing.mode {
            align = existing.align ?? page
        } else {
            switch mode {
            case .fsdax: align = (pfn?.hasAlign ?? false) ? pfn!.align : 2 << 20
            case .devdax: align = dax!.align
            default: align = page
            }
            if let res = region.resource, align > 0, res & (align - 1) != 0 { align = page }
        }
        if align == 0 { align = page }

        let map: MapLocation = r.map ?? (isPFN ? .dev : .none)
        if mode == .fsdax && pfn == nil && (existing == nil || existing!.mode != .fsdax || map == .dev) {
            throw refuse("cannot support fsdax with a pfn device (no pfn seed: load nd_pmem)", fix: "use \(.mode, "raw")")
        }

        // The size: its geometry first (what the arguments got wrong), then the space.
        let ways = UInt64(max(region.interleaveWays, 1))
        let regionAlign = region.align ?? 1
        func checkGeometry(_ size: UInt64, unit: UInt64, text: String, isDefault: Bool) throws -> DaxError? {
            if let g = granuleRefusal(size, text: text, unit: max(unit, 1), align: align, ways: ways, regionAlign: regionAlign, mode: mode) {
                throw refuse(g.problem, fix: g.fix)
            }
            if size < minimumNamespaceSize && mode != .raw {
                let e = refuse("not enough capacity for \(mode.rawValue) (16 MiB minimum)", .noCapacity)
                if isDefault { return e }
                throw refuse("\(.size, text) is below the 16 MiB minimum for \(mode.rawValue) mode",
                             fix: "use \(.size, "16M") or more, or \(.mode, "raw")")
            }
            return nil
        }
        var size: UInt64? = r.size?.bytes ?? existing?.size
        var unit = r.size?.unit ?? 1
        if let s = size {
            _ = try checkGeometry(s, unit: unit, text: r.size?.text ?? compactSize(s), isDefault: false)
        }
        if region.isLabelless, let s = r.size?.bytes, s != region.size {
            if !r.namesOneRegion, existing == nil {
                return .skip(refuse("label-less and cannot be sub-divided"))
            }
            throw refuse("label-less (memmap/e820 pmem or an NVDIMM without a label area): it holds one namespace of its full size and cannot be sub-divided",
                         fix: "drop \(.size) and reconfigure it with \(.reconfigure, "namespace\(region.id).0"), or use an NVDIMM with a label area (\(.initLabels()))")
        }
        if existing == nil {
            let available = region.largestFree
            if available == 0 || (size ?? 0) > available {
                let e: DaxError
                if available == 0 {
                    e = refuse("no free capacity (size \(compactSize(region.size)), all of it allocated)", .noCapacity,
                               fix: "destroy a namespace or pick another region")
                } else {
                    e = refuse("\(.size, r.size?.text ?? String(size ?? 0)) exceeds the free capacity: \(inUnit(region.availableSize, unit: 1 << 20)) available, largest extent \(inUnit(available, unit: 1 << 20))",
                               .noCapacity, fix: "use \(.size, inUnit(available, unit: 1 << 20)) or less")
                }
                if r.namesOneRegion { throw e }
                return .skip(e)
            }
            if size == nil, r.usableSize == nil {
                size = available
                if let e = try checkGeometry(available, unit: 1, text: compactSize(available), isDefault: true) {
                    return .skip(e)
                }
            }
        }

        // The sector size.
        var sector: UInt32?
        if let s = r.sectorSize {
            let v = s.bytes
            if mode == .sector {
                guard let btt = region.bttSectorSizes else {
                    throw refuse("does not support sector mode (no btt seed: load nd_btt)")
                }
                guard btt.contains(v) else {
                    throw refuse("\(.sectorSize, s.text) is not supported by btt (supported: \(btt.map(String.init).joined(separator: ", ")))",
                                 fix: "pick one of them")
                }
            } else if existing != nil || region.hasNamespaceSeed {
                let ok = existing?.supportedSectorSizes ?? region.namespaceSectorSizes
                guard ok.contains(v) else {
                    throw refuse("\(.sectorSize, s.text) is not supported for \(mode.rawValue) namespaces (supported: \(ok.map(String.init).joined(separator: ", ")))",
                                 fix: "pick one of them")
                }
            }
            sector = UInt32(v)
        } else if mode == .sector {
            sector = existing?.bttSectorSize ?? 4096
        } else if let existing {
            sector = existing.sectorSize
        } else if region.hasNamespaceSeed {
            sector = region.namespaceSectorSizes.isEmpty ? nil : 512
        }

        // Allocation is first fit from the region start, so a new namespace starts after
        // what is allocated, at the region alignment; a reconfigured one keeps its start.
        let start = existing?.resource ?? region.allocationStart ?? 0
        let btt: BTTVersion = mode == .sector && !region.isLabelless ? region.bttVersion : .v1_1

        if let u = r.usableSize {
            // map none has map mem's layout (no struct pages in the namespace); whether
            // the kernel takes it is the plan's to say, not the size search's.
            guard let needed = smallestRawSize(forUsable: u.bytes, mode: mode, map: map == .none ? .mem : map, align: align,
                                               regionAlign: regionAlign, interleaveWays: UInt32(ways), start: start,
                                               sectorSize: sector ?? 4096, btt: btt,
                                               rules: r.force ? .kernel : .ndctl) else {
                throw refuse("no \(mode.rawValue) namespace can give \(.usableSize, u.text)", fix: "ask for less")
            }
            let available = region.largestFree
            if needed > available || (region.isLabelless && needed != region.size) {
                let e = region.isLabelless
                    ? refuse("label-less and holds one \(compactSize(region.size)) namespace; \(.usableSize, u.text) needs \(compactSize(needed))", .noCapacity)
                    : refuse("\(.usableSize, u.text) needs a \(compactSize(needed)) namespace but the largest free extent is \(inUnit(available, unit: 1 << 20))",
                             .noCapacity, fix: "ask for less or free space")
                if r.namesOneRegion { throw e }
                return .skip(e)
            }
            size = needed
            unit = u.unit
        }

        guard let size else { throw refuse("no size could be settled") }
        var plan = NamespacePlan(region: rname, namespace: existing?.name, mode: mode, map: map, size: size,
                                 align: align, sectorSize: sector, name: r.name ?? existing?.label ?? "",
                                 uuid: r.uuid.flatMap(parseUUID) ?? randomUUID(), start: start, btt: btt,
                                 regionAlign: regionAlign, interleaveWays: UInt32(ways),
                                 capacity: CapacityPlan(mode: mode, map: nil, align: nil, sectorSize: nil, start: start,
                                                        rawSize: size, usableSize: 0, metadataBytes: 0,
                                                        infoblockBytes: 0, paddingBytes: size))
        plan.capacity = try layout(plan, at: start, force: r.force)
        return .plan(plan)
    }

    /// The layout of `plan` at `start` under ndctl's and the kernel's rules; the check
    /// both the plan and the create make, the latter again at the start the kernel
    /// actually allocated.
    ///
    /// - Parameter force: waive ndctl's 16 MiB start alignment (the kernel then decides).
    /// - Returns: the layout; a refusal left in it does not stop creation: `map=none`
    ///   (the kernel decides), or a misaligned start with `force`.
    /// - Throws: `DaxError` `.invalidArgument` with the planner's refusal.
    public static func layout(_ plan: NamespacePlan, at start: UInt64, force: Bool) throws -> CapacityPlan {
        var c = plan.capacity(at: start, rules: .ndctl)
        if force, c.refusal?.code == .startMisaligned { c = plan.capacity(at: start, rules: .kernel) }
        if let refusal = c.refusal, refusal.code != .unsupportedMap, !(force && refusal.code == .startMisaligned) {
            throw DaxError(.invalidArgument, object: Phrase(plan.region), problem: refusal.problem, fix: refusal.fix)
        }
        return c
    }
}

/// Formats a byte count compactly in the largest exact unit: 16M, 2G, 4K, 1536 (bytes).
func compactSize(_ v: UInt64) -> String { ByteCount.compact(v) }

/// A byte count in `unit`, truncated to two decimals when inexact: 3.98G.
func inUnit(_ v: UInt64, unit: UInt64) -> String { ByteCount.inUnit(v, unit: unit) }
