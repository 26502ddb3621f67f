import DaxCore
import NDCtl

/// What a caller asks of ``Namespaces/create(_:context:)`` and
/// ``Namespaces/plan(_:context:)``: ndctl create-namespace's parameters, typed.
/// Unset fields take ndctl's defaults.
public struct NamespaceRequest: Sendable {
    /// Region filter: an id, `regionN` or `all` (nil: every region).
    public var region: String?
    /// Bus filter: an id, provider or `ndbusN` (nil: every bus).
    public var bus: String?
    /// The personality; nil: fsdax when creating, the namespace's own when reconfiguring.
    public var mode: NamespaceMode?
    /// Where struct page lives (fsdax/devdax); nil: `dev`.
    public var map: MapLocation?
    /// The raw namespace size; nil: the largest free extent.
    public var size: ByteCount?
    /// The usable bytes wanted: the smallest raw size that gives at least this many is
    /// created (exclusive with `size`).
    public var usableSize: ByteCount?
    /// The pfn/dax alignment, in bytes; nil: the seed's default.
    public var align: ByteCount?
    /// The label name (`alt_name`), at most 63 bytes.
    public var name: String?
    /// The label uuid as text; nil: random.
    public var uuid: String?
    /// The logical sector size (sector: the BTT LBA size; default 4096).
    public var sectorSize: ByteCount?
    /// An existing namespace (`namespaceX.Y` or `X.Y`) to reconfigure instead of
    /// creating one (ndctl's `-e`).
    public var reconfigure: String?
    /// Consent to reconfigure an active namespace and to create where ndctl's start
    /// alignment check would refuse. Never overrides "in use".
    public var force = false
    /// ndctl's `greedy`: create one namespace in every matching region with room, not
    /// only in the first.
    public var greedy = false
    /// Enable labels on a label-less region being reconfigured, where possible.
    public var autolabel = true
    /// Put the seed and namespace back as they were when a step fails.
    public var autorecover = true

    /// A request with every field unset: ndctl create-namespace's defaults.
    public init() {}

    /// Whether one region was named (not `all`, not unset): then a region that cannot
    /// hold the namespace is an error, not a reason to try the next.
    public var namesOneRegion: Bool { region != nil && region != "all" }
}

/// The settled parameters for one region (ndctl's `struct parsed_parameters`) with the
/// kernel-exact capacity layout they give.
public struct NamespacePlan: Sendable {
    /// `regionN`.
    public var region: String
    /// The namespace to configure (the seed, or the one reconfigured); nil until chosen.
    public var namespace: String?
    /// The personality.
    public var mode: NamespaceMode
    /// Where struct page lives (`.none` for raw and sector).
    public var map: MapLocation
    /// Raw size, in bytes.
    public var size: UInt64
    /// pfn/dax alignment, in bytes (the page size for raw and sector).
    public var align: UInt64
    /// Sector size in bytes, nil when the namespace has none.
    public var sectorSize: UInt32?
    /// The label name ("" for none).
    public var name: String
    /// The label uuid.
    public var uuid: [UInt8]
    /// Expected physical start of the namespace.
    public var start: UInt64
    /// The BTT version (sector mode).
    public var btt: CapacityPlanner.BTTVersion
    /// The region's namespace alignment, in bytes (for the layout).
    public var regionAlign: UInt64
    /// The region's interleave ways (for the layout).
    public var interleaveWays: UInt32
    /// The capacity layout at `start` (what the kernel will make of it).
    public var capacity: CapacityPlan

    /// The host RAM its struct pages (and their page tables) take once it is enabled, in
    /// bytes (``HostRAMCost``); 0 for raw and sector namespaces.
    ///
    /// - Parameter compoundVmemmap: whether the kernel shares the struct pages of 2M/1G
    ///   device-dax pages (Linux 5.17 and later; ``HostRAMCost/runningKernelHasCompoundVmemmap``).
    public func hostRAMBytes(compoundVmemmap: Bool = true) -> UInt64 {
        guard capacity.creatable else { return 0 }
        return HostRAMCost.bytes(for: size, mode: mode, map: map, align: align, compoundVmemmap: compoundVmemmap)
    }

    /// The layout at another start (the kernel's actual allocation).
    public func capacity(at start: UInt64, rules: CapacityPlanner.Rules) -> CapacityPlan {
        CapacityPlanner.plan(rawSize: size, mode: mode, map: map, align: align, start: start,
                             sectorSize: sectorSize ?? 4096, btt: btt, regionAlign: regionAlign,
                             interleaveWays: interleaveWays, rules: rules)
    }
}

/// A random version-4 uuid.
func randomUUID() -> [UInt8] {
    // Two 64-bit draws (two getrandom(2) calls), not one per byte.
    var g = SystemRandomNumberGenerator()
    var b = [UInt8](repeating: 0, count: 16)
    for (i, word) in [g.next(), g.next()].enumerated() {
        for j in 0..<8 { b[i * 8 + j] = UInt8(truncatingIfNeeded: word >> (8 * UInt64(j))) }
    }
    b[6] = (b[6] & 0x0f) | 0x40
    b[8] = (b[8] & 0x3f) | 0x80
    return b
}
