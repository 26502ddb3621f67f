import DaxCore
import NDCtl

#if canImport(Glibc)
import Glibc
#endif

/// What `daxkit list` (= `ndctl list`) should show: the same options as ndctl's.
///
/// The object flags (`buses`, `dimms`, `regions`, `namespaces`) choose what is listed;
/// with none of them, a `bus`, `region` or `dimm` filter selects its own object type, and
/// with no filter either, namespaces are listed. The object filters (`bus`, `region`,
/// `dimm`, `namespace`) take ndctl's identifiers: a space-separated list whose entries
/// are ids, kernel names or `all`.
///
/// Models list.c's `struct list` and filter.h's `struct util_filter_params` (ndctl 76.1).
public struct NDListOptions: Sendable {
    /// List the buses (`ndbusN`), with the DIMMs, regions and namespaces that are listed
    /// nested inside each (`-B`, `--buses`).
    public var buses = false
    /// List the DIMMs (`nmemN`), and with ``regions`` each region's `mappings` onto them
    /// (`-D`, `--dimms`).
    public var dimms = false
    /// List the regions (`regionN`), with the namespaces that are listed nested inside
    /// each (`-R`, `--regions`).
    public var regions = false
    /// List the namespaces (`-N`, `--namespaces`); what is listed when nothing else is chosen.
    public var namespaces = false
    /// Also list idle objects: disabled DIMMs and regions, disabled or unconfigured
    /// namespaces (the seeds) and, inside a `daxregion`, dax devices of 0 bytes
    /// (`-i`, `--idle`).
    public var idle = false
    /// Nest a `daxregion` object, with its devices, in each devdax namespace instead of
    /// its `chardev` name; with no object flag and no ``mode``, list only devdax
    /// namespaces (`-X`, `--device-dax`).
    public var dax = false
    /// Add a `badblocks` array (each record's offset and length in 512-byte sectors) to
    /// regions and namespaces with bad blocks (`-M`, `--media-errors`).
    public var mediaErrors = false
    /// Print byte counts of 5000 KiB and more as `"256.00 MiB (268.44 MB)"`; DIMM handles
    /// and physical ids, interleave-set ids, and mapping offsets and lengths as `"0x…"`
    /// strings; and a one-element result bare (`-u`, `--human`).
    public var human = false
    /// Add each region's `capabilities`, when it has btt, pfn and dax seeds: the sector
    /// sizes and the alignments, in bytes, its sector, fsdax and devdax namespaces can
    /// have (`-C`, `--capabilities`).
    public var capabilities = false
    /// Also list disabled objects that are configured: namespaces that are not active but
    /// have a nonzero size, disabled DIMMs and regions, and, inside a `daxregion`, dax
    /// devices of 0 bytes (`-c`, `--configured`).
    public var configured = false
    /// How many `-v` were given: 1 adds namespaces, device-dax and media errors, and the
    /// `numa_node`, `target_node` and `raw_uuid` keys; 2 adds buses, DIMMs and regions;
    /// 3 adds idle objects and capabilities.
    public var verbose = 0
    /// Only buses the identifier selects: id, provider (`ACPI.NFIT`, `e820`) or device
    /// name (`ndbusN`); nil for every bus (`-b`, `--bus`).
    public var bus: String?
    /// Only regions the identifier selects: id or `regionN`; nil for every region
    /// (`-r`, `--region`).
    public var region: String?
    /// Only DIMMs the identifier selects, and only the buses and regions that have one:
    /// id or `nmemN`; nil for every DIMM (`-d`, `--dimm`).
    public var dimm: String?
    /// Only namespaces the identifier selects, and only the buses, regions and DIMMs that
    /// hold one: `namespaceX.Y` or `X.Y`; nil for every namespace (`-n`, `--namespace`).
    public var namespace: String?
    /// Only namespaces in this mode: `raw`, `sector` (`safe`), `fsdax` (`memory`) or
    /// `devdax` (`dax`); nil for every mode (`-m`, `--mode`).
    public var mode: String?
    /// Only regions of this type: `pmem` or `blk`; nil for both (`-t`, `--type`).
    public var type: String?
    /// Only regions, namespaces and DIMMs on this NUMA node: a decimal or `0x` hex node
    /// number, or `all`; nil for every node (`-U`, `--numa-node`).
    public var numaNode: String?
    /// No filter and no object flag: lists the active namespaces, as `ndctl list` does.
    public init() {}
}

/// The result of a listing: the JSON exactly as ndctl/daxctl would print it (already
/// unwrapped to a bare object where they do that), or nothing when nothing matched.
public struct ListOutput: Sendable {
    /// The listing: an array, a bare object (``NDListOptions/human`` with one result, or
    /// dimms, regions and namespaces side by side), or nil when nothing matched.
    public var json: JSON?
    /// Objects whose rendering failed, by name (`namespaceX.Y`, `dax region N`); empty when
    /// none did (ndctl prints a diagnostic for each and exits with an error).
    public var failures: [String] = []
    /// Diagnostics ndctl prints to stderr while listing.
    public var warnings: [String] = []
    /// Text as printed, with the trailing newline; empty when there is nothing to show.
    public var text: String { json.map { $0.rendered() + "\n" } ?? "" }
}

/// `util_display_json_array`: in human mode a one-element array prints bare.
func displayArray(_ items: [JSON], _ flags: ListFlags) -> JSON {
    if items.count == 1 && flags.contains(.human) { return items[0] }
    return .array(items)
}

/// `ndctl list`: a faithful port of ndctl's list.c walk and display rules.
public enum NDList {
    /// Builds the listing; the context is read, never modified.
    ///
    /// Objects whose JSON cannot be built (a devdax namespace without its dax device, a
    /// sector namespace without its btt) are named in ``ListOutput/failures``; the NUMA
    /// warning ndctl prints for regions without a node goes to ``ListOutput/warnings``.
    ///
    /// - Throws: `DaxError` `.invalidArgument` when ``NDListOptions/type`` is not `pmem`
    ///   or `blk`, ``NDListOptions/mode`` is not a namespace mode, or
    ///   ``NDListOptions/numaNode`` is not a node number or the system has no NUMA
    ///   (no `/sys/devices/system/node`).
    ///
    /// Models `cmd_list` of ndctl/list.c with `util_filter_walk` of ndctl/filter.c,
    /// walking libndctl with `ndctl_bus_foreach`, `ndctl_dimm_foreach`,
    /// `ndctl_region_foreach` and `ndctl_namespace_foreach`.
    public static func run(_ options: NDListOptions, context: NDContext) throws -> ListOutput {
        var opt = options
        func listFlags() -> Int { [opt.buses, opt.dimms, opt.regions, opt.namespaces].filter { $0 }.count }

        if listFlags() == 0 {
            opt.buses = opt.bus != nil
            opt.regions = opt.region != nil
            opt.dimms = opt.dimm != nil
            if opt.dax && opt.mode == nil { opt.mode = "dax" }
        }
        if opt.verbose >= 3 { opt.idle = true; opt.capabilities = true }
        if opt.verbose >= 2 { opt.dimms = true; opt.buses = true; opt.regions = true }
        if opt.verbose >= 1 { opt.mediaErrors = true; opt.namespaces = true; opt.dax = true }
        if listFlags() == 0 { opt.namespaces = true }

        var flags: ListFlags = []
        if opt.idle { flags.insert(.idle) }
        if opt.configured { flags.insert(.configured) }
        if opt.mediaErrors { flags.insert(.mediaErrors) }
        if opt.dax { flags.formUnion([.dax, .daxDevices]) }
        if opt.human { flags.insert(.human) }
        if opt.verbose > 0 { flags.insert(.verbose) }
        if opt.capabilities { flags.insert(.capabilities) }

        // Argument checks, in ndctl_filter_walk's order.
        var regionType: RegionType?
        if let t = opt.type {
            guard t == "pmem" || t == "blk" else {
                throw DaxError(.invalidArgument, object: "\(Parameter("type"), "\"\(t)\"")", problem: "not a region type", fix: "use pmem or blk")
            }
            regionType = RegionType(rawValue: t)
        }
        var modeFilter: NamespaceMode?
        if let m = opt.mode {
            guard let parsed = NamespaceMode(parsing: m) else {
                throw DaxError(.invalidArgument, object: "\(.mode, "\"\(m)\"")", problem: "not a namespace mode", fix: "use one of raw, sector, fsdax, devdax (or memory, safe, dax)")
            }
            modeFilter = parsed
        }
        var numaNode: Int?
        if let n = opt.numaNode, n != "all" {
            var st = stat()
            guard stat("/sys/devices/system/node", &st) == 0 else {
                throw DaxError(.invalidArgument, object: "\(Parameter("numaNode"), n)", problem: "this system does not support NUMA", fix: "drop \(Parameter("numaNode"))")
            }
            guard let v = Int(n) ?? (n.hasPrefix("0x") ? Int(n.dropFirst(2), radix: 16) : nil) else {
                throw DaxError(.invalidArgument, object: "\(Parameter("numaNode"), "\"\(n)\"")", problem: "not a node number", fix: "give a node number or \"all\"")
            }
            numaNode = v
        }

        var out = ListOutput()
        // list.c's list_filter_arg: json-c objects are references, so are these nodes.
        var jbuses: Node?
        var jbus: Node?
        var jdimms: Node?
        var jregions: Node?
        var jregion: Node?
        var jnamespaces: Node?

        for bus in context.buses {
            guard NDFilter.bus(bus, opt.bus), NDFilter.busByDIMM(bus, opt.dimm),
                  NDFilter.busByRegion(bus, opt.region), NDFilter.busByNamespace(bus, opt.namespace) else { continue }

            // filter_bus
            if jbuses != nil {
                jdimms = nil; jregion = nil; jregions = nil; jnamespaces = nil
            }
            if opt.buses {
                if jbuses == nil { jbuses = Node.array() }
                jbus = Node(Render.bus(bus, flags))
                jbuses!.append(jbus!)
            }

            if opt.dimms {
                for dimm in bus.dimms {
                    guard NDFilter.dimm(dimm, opt.dimm), NDFilter.dimmByRegion(dimm, opt.region),
                          NDFilter.dimmByNamespace(dimm, opt.namespace), NDFilter.dimmByNUMA(dimm, numaNode) else { continue }
                    // filter_dimm
                    if !opt.configured && !opt.idle && !dimm.isEnabled { continue }
                    if jdimms == nil {
                        jdimms = Node.array()
                        jbus?.set("dimms", jdimms!)
                    }
                    jdimms!.append(Node(Render.dimm(dimm, flags)))
                }
            }

            for region in bus.regions {
                guard NDFilter.region(region, opt.region), NDFilter.regionByDIMM(region, opt.dimm),
                      NDFilter.regionByNamespace(region, opt.namespace) else { continue }
                let hasNUMA = region.numaNode != nil
                if numaNode != nil && !hasNUMA && !opt.namespaces {
                    out.warnings.append("This kernel does not provide NUMA node information per-region")
                    continue
                }
                if hasNUMA, let n = numaNode, region.numaNodeRaw != n { continue }
                if let t = regionType, region.type != t { continue }

                // filter_region
                if opt.regions && (opt.configured || opt.idle || region.isEnabled) {
                    if jregions == nil {
                        jregions = Node.array()
                        jbus?.set("regions", jregions!)
                    }
                    jregion = Node(regionJSON(region, opt, flags))
                    jnamespaces = nil
                    jregions!.append(jregion!)
                }

                guard opt.namespaces else { continue }
                for ns in region.namespaces {
                    guard NDFilter.namespace(ns, opt.namespace) else { continue }
                    if let m = modeFilter, ns.mode != m { continue }
                    if let n = numaNode, ns.numaNodeRaw != n { continue }
                    // filter_namespace
                    if ns.isActive {
                    } else if opt.idle {
                    } else if opt.configured, let s = ns.size, s > 0 {
                    } else { continue }
                    if jnamespaces == nil {
                        jnamespaces = Node.array()
                        (jregion ?? jbus)?.set("namespaces", jnamespaces!)
                    }
                    if let j = Render.namespace(ns, flags) {
                        jnamespaces!.append(Node(j))
                    } else {
                        out.failures.append(ns.devName)
                    }
                }
            }
        }

        // list_display
        if let jbuses {
            out.json = displayArray(jbuses.items.map(\.json), flags)
        } else if [jdimms, jregions, jnamespaces].compactMap({ $0 }).count > 1 {
            var platform = JSONObject()
            if let jdimms { platform.add("dimms", jdimms.json) }
            if let jregions { platform.add("regions", jregions.json) }
            if let jnamespaces, jregions == nil { platform.add("namespaces", jnamespaces.json) }
            out.json = platform.json
        } else if let jdimms {
            out.json = displayArray(jdimms.items.map(\.json), flags)
        } else if let jregions {
            out.json = displayArray(jregions.items.map(\.json), flags)
        } else if let jnamespaces {
            out.json = displayArray(jnamespaces.items.map(\.json), flags)
        }
        return out
    }

    /// `region_to_json` in list.c.
    static func regionJSON(_ region: Region, _ opt: NDListOptions, _ flags: ListFlags) -> JSON {
        let human = flags.contains(.human)
        var o = JSONObject()
        o.add("dev", .string(region.devName))
        o.add("size", .size(region.size, human: human))
        if let a = region.align { o.add("align", .size(a, human: human)) }
        o.add("available_size", .size(region.availableSize, human: human))
        if let e = region.maxAvailableExtent { o.add("max_available_extent", .size(e, human: human)) }
        switch region.type {
        case .pmem: o.add("type", .string("pmem"))
        case .blk: o.add("type", .string("blk"))
        case .unknown: break
        }
        if flags.contains(.verbose) {
            if region.numaNodeRaw >= 0 { o.add("numa_node", .int(Int64(region.numaNodeRaw))) }
            if let t = region.targetNode { o.add("target_node", .int(Int64(t))) }
        }
        if let iset = region.isetID { o.add("iset_id", .hex(iset, human: human)) }
        if opt.dimms {
            var maps: [JSON] = []
            for m in region.mappings {
                guard NDFilter.dimm(m.dimm, opt.dimm) else { continue }
                if !opt.configured && !opt.idle && !m.dimm.isEnabled { continue }
                maps.append(Render.mapping(m, flags))
            }
            if !maps.isEmpty { o.add("mappings", .array(maps)) }
        }
        if !region.isEnabled { o.add("state", .string("disabled")) }
        let bb = Render.regionBadBlocks(region, flags)
        if bb.count > 0 { o.add("badblock_count", .int(Int64(bb.count))) }
        if flags.contains(.mediaErrors), let recs = bb.records { o.add("badblocks", recs) }
        if flags.contains(.capabilities), let caps = Render.capabilities(region) { o.add("capabilities", caps) }
        o.add("persistence_domain", .string(region.persistenceDomain.rawValue))
        return o.json
    }
}

/// A mutable JSON node with reference semantics, like a json-c object: list.c adds a
/// child array to its parent first and fills it afterwards, and so does the port.
final class Node {
    private var value: JSON
    private(set) var items: [Node] = []
    private var members: [(String, Node)] = []
    private let kind: Int  // 0 leaf/object-with-leaf-members, 1 array

    init(_ value: JSON) { self.value = value; kind = 0 }
    private init(array: Void) { value = .null; kind = 1 }
    static func array() -> Node { Node(array: ()) }

    func append(_ n: Node) { items.append(n) }
    /// `json_object_object_add`: replaces in place or appends.
    func set(_ key: String, _ n: Node) {
        if let i = members.firstIndex(where: { $0.0 == key }) { members[i].1 = n } else { members.append((key, n)) }
    }

    var json: JSON {
        if kind == 1 { return .array(items.map(\.json)) }
        guard case .object(var m) = value else { return value }
        for (k, n) in members {
            if let i = m.firstIndex(where: { $0.0 == k }) { m[i].1 = n.json } else { m.append((k, n.json)) }
        }
        return .object(m)
    }
}


/// What `daxkit dax list` (= `daxctl list`) should show.
///
/// With neither ``devices`` nor ``regions``, a ``region`` filter lists regions and a
/// ``device`` filter lists devices; with no filter either, devices are listed.
///
/// Models `struct list` and the filter parameters of daxctl/list.c (ndctl 76.1).
public struct DAXListOptions: Sendable {
    /// List the dax devices (`daxX.Y`), nested in their regions when ``regions`` is set
    /// (`-D`, `--devices`).
    public var devices = false
    /// List the dax regions (`-R`, `--regions`).
    public var regions = false
    /// Add each device's `mappings`: for every physical extent backing it, its offset in
    /// the device in pages, its first and last physical address, and its size in bytes
    /// (`-M`, `--mappings`).
    public var mappings = false
    /// Also list dax devices of 0 bytes (the seeds) (`-i`, `--idle`).
    public var idle = false
    /// Print byte counts of 5000 KiB and more as `"256.00 MiB (268.44 MB)"`, mapping
    /// offsets and addresses as `"0x…"` strings, and a one-element result bare
    /// (`-u`, `--human`).
    public var human = false
    /// Only the dax region with this id, given as `N` or `regionN`; `all` or nil for
    /// every region (`-r`, `--region`).
    public var region: String?
    /// Only dax devices the identifier selects: `daxX.Y`, `X.Y` or `all`; nil for every
    /// device (`-d`, `--dev`).
    public var device: String?
    /// No filter and no object flag: lists the dax devices of nonzero size, as `daxctl list` does.
    public init() {}
}

/// `daxctl list`: a port of daxctl/list.c.
public enum DAXList {
    /// Builds the listing of dax regions and devices; the context is read, never modified.
    ///
    /// A region whose sysfs path is not under /sys/devices cannot be rendered; it is
    /// named in ``ListOutput/failures`` as `dax region N` (daxctl reports it and fails).
    ///
    /// Models `cmd_list` of daxctl/list.c, walking libdaxctl with
    /// `daxctl_region_foreach` and `daxctl_dev_foreach`.
    public static func run(_ options: DAXListOptions, context: DAXContext) -> ListOutput {
        var opt = options
        if !opt.regions && !opt.devices {
            opt.regions = opt.region != nil
            opt.devices = opt.device != nil
        }
        if !opt.regions && !opt.devices { opt.devices = true }
        var flags: ListFlags = []
        if opt.devices { flags.insert(.daxDevices) }
        if opt.mappings { flags.insert(.daxMappings) }
        if opt.idle { flags.insert(.idle) }
        if opt.human { flags.insert(.human) }

        var out = ListOutput()
        var jregions: [JSON]?
        var jdevs: [JSON]?
        for region in context.regions {
            guard DAXFilter.region(region, opt.region) else { continue }
            if opt.regions {
                if jregions == nil { jregions = [] }
                if let j = Render.daxRegion(region, deviceFilter: opt.device, flags) {
                    jregions!.append(j)
                } else {
                    out.failures.append("dax region \(region.id)")
                }
            } else if opt.devices {
                let devs = Render.daxDevices(region, filter: opt.device, flags)
                if !devs.isEmpty { jdevs = (jdevs ?? []) + devs }
            }
        }
        if let r = jregions { out.json = displayArray(r, flags) }
        else if let d = jdevs { out.json = displayArray(d, flags) }
        return out
    }
}
