import DaxCore
import NDCtl

/// What the namespace rules need to know of a region, as plain values: everything
/// ``CapacityPlanner/judge(_:region:existing:)`` decides from, so that every validation
/// and planning rule runs as a host unit test from a fixture, without a kernel.
///
/// Captured from libndctl with ``init(_:labelVersion:)``; sizes and addresses in bytes.
public struct RegionSnapshot: Sendable, Hashable, Codable {
    /// A pfn or dax seed's alignment facts (drivers/nvdimm/pfn_devs.c `align`,
    /// `supported_alignments`).
    public struct Seed: Sendable, Hashable, Codable {
        /// The alignments the kernel accepts, in bytes (`supported_alignments`).
        public var supportedAlignments: [UInt64]
        /// The seed's current (default) alignment, in bytes.
        public var align: UInt64
        /// Whether the seed has an `align` attribute (pfn seeds on old kernels do not).
        public var hasAlign: Bool

        /// A seed accepting `supportedAlignments` (bytes), now at `align` (bytes).
        public init(supportedAlignments: [UInt64], align: UInt64, hasAlign: Bool = true) {
            self.supportedAlignments = supportedAlignments
            self.align = align
            self.hasAlign = hasAlign
        }
    }

    /// `regionN`.
    public var name: String
    /// N of `regionN`.
    public var id: UInt32
    /// A pmem region (false: blk).
    public var isPMEM: Bool
    /// Capacity, in bytes (`size`).
    public var size: UInt64
    /// Free capacity, in bytes (`available_size`).
    public var availableSize: UInt64
    /// The largest free extent, in bytes (`max_available_extent`); nil on kernels without it.
    public var maxAvailableExtent: UInt64?
    /// The namespace size and start alignment, in bytes (`align`); nil when not reported.
    public var align: UInt64?
    /// Interleave ways (`interleave_ways`).
    public var interleaveWays: UInt32
    /// Physical start address (`resource`); nil when hidden (non-root).
    public var resource: UInt64?
    /// Where the next namespace will start: allocation is first fit from the region
    /// start, so right after the highest allocated namespace; nil when `resource` is.
    public var nextStart: UInt64?
    /// Whether nd_region is bound.
    public var isEnabled: Bool
    /// `read_only`.
    public var isReadOnly: Bool
    /// No label storage (memmap/e820 pmem, NVDIMMs without a label area): one
    /// namespace of the full size that cannot be sub-divided.
    public var isLabelless: Bool
    /// Whether the region has an idle namespace seed to configure.
    public var hasNamespaceSeed: Bool
    /// Sector sizes the namespace seed accepts, in bytes (empty: none).
    public var namespaceSectorSizes: [UInt64]
    /// The pfn seed (fsdax personality); nil without nd_pmem's pfn support.
    public var pfnSeed: Seed?
    /// The dax seed (devdax personality); nil without dax_pmem.
    public var daxSeed: Seed?
    /// LBA sizes the btt seed accepts, in bytes; nil without nd_btt.
    public var bttSectorSizes: [UInt64]?
    /// The BTT version a sector namespace would get (v1.2 labels: 2.0).
    public var bttVersion: CapacityPlanner.BTTVersion

    /// A region described by hand (tests, planning for a host that is not this one);
    /// the defaults are those of an x86-64 pmem region with labels on Linux 6.1.
    public init(name: String, id: UInt32, isPMEM: Bool = true, size: UInt64, availableSize: UInt64,
                maxAvailableExtent: UInt64?, align: UInt64? = CapacityPlanner.defaultRegionAlign,
                interleaveWays: UInt32 = 1, resource: UInt64?, nextStart: UInt64?, isEnabled: Bool = true,
                isReadOnly: Bool = false, isLabelless: Bool = false, hasNamespaceSeed: Bool = true,
                namespaceSectorSizes: [UInt64] = [512, 4096],
                pfnSeed: Seed? = Seed(supportedAlignments: CapacityPlanner.supportedAlignments, align: 2 << 20),
                daxSeed: Seed? = Seed(supportedAlignments: CapacityPlanner.supportedAlignments, align: 2 << 20),
                bttSectorSizes: [UInt64]? = CapacityPlanner.bttSectorSizes.map(UInt64.init),
                bttVersion: CapacityPlanner.BTTVersion = .v1_1) {
        self.name = name
        self.id = id
        self.isPMEM = isPMEM
        self.size = size
        self.availableSize = availableSize
        self.maxAvailableExtent = maxAvailableExtent
        self.align = align
        self.interleaveWays = interleaveWays
        self.resource = resource
        self.nextStart = nextStart
        self.isEnabled = isEnabled
        self.isReadOnly = isReadOnly
        self.isLabelless = isLabelless
        self.hasNamespaceSeed = hasNamespaceSeed
        self.namespaceSectorSizes = namespaceSectorSizes
        self.pfnSeed = pfnSeed
        self.daxSeed = daxSeed
        self.bttSectorSizes = bttSectorSizes
        self.bttVersion = bttVersion
    }

    /// The name of ``hypothetical(name:)``'s region in plans: no region of this host.
    public static let hypotheticalName = "(no region)"

    /// A region that is not there, to plan for a host without pmem: labelled, empty,
    /// 1 PiB free, at a 1 GiB-aligned address, with the defaults of ``init(name:id:isPMEM:size:availableSize:maxAvailableExtent:align:interleaveWays:resource:nextStart:isEnabled:isReadOnly:isLabelless:hasNamespaceSeed:namespaceSectorSizes:pfnSeed:daxSeed:bttSectorSizes:bttVersion:)``
    /// (16 MiB region alignment, one interleave way, 4K/2M/1G page alignments). A plan
    /// for it holds wherever a real region of those facts has the room.
    public static func hypothetical(name: String = hypotheticalName) -> RegionSnapshot {
        RegionSnapshot(name: name, id: 0, size: 1 << 50, availableSize: 1 << 50, maxAvailableExtent: 1 << 50,
                       resource: 1 << 40, nextStart: 1 << 40)
    }

    /// Where the kernel will place a new namespace: ``nextStart`` rounded up, from the
    /// region start, to the region alignment. The kernel allocates DPA only from starts
    /// aligned to `align / interleave ways` on each DIMM (drivers/nvdimm/namespace_devs.c
    /// space_valid(): `ALIGN(valid->start, nd_region->align / nd_region->ndr_mappings)`),
    /// which is `align` in physical terms. Label-less regions have one namespace at the
    /// region start; nil when ``nextStart`` is.
    public var allocationStart: UInt64? {
        guard let next = nextStart, let base = resource, next >= base, !isLabelless,
              let a = align, a > 1 else { return nextStart }
        let offset = next - base
        let (up, o) = offset.addingReportingOverflow(a - 1)
        return o ? next : base + up / a * a
    }

    /// The largest namespace a new one can be: the whole region when label-less, else
    /// the largest free extent (the available size on kernels that do not report it).
    public var largestFree: UInt64 { isLabelless ? size : (maxAvailableExtent ?? availableSize) }

    /// Reads a region's snapshot through libndctl.
    ///
    /// - Parameters:
    ///   - region: the region.
    ///   - labelVersion: also read the DIMMs' label index version (a firmware call per
    ///     DIMM; only the BTT layout of sector namespaces depends on it).
    public init(_ region: Region, labelVersion: Bool = false) {
        let pfn = region.pfnSeed
        let dax = region.daxSeed
        let v12 = labelVersion && !region.isLabelless && !region.dimms.isEmpty
            && region.dimms.allSatisfy { $0.labelSize >= 256 }
        var next = region.resource
        if let base = region.resource {
            var end = base
            for ns in region.namespaces {
                if let r = ns.resource, let s = ns.size, s > 0, ns.type != .io { end = max(end, r + s) }
            }
            next = end
        }
        self.init(name: region.devName, id: region.id, isPMEM: region.type == .pmem, size: region.size,
                  availableSize: region.availableSize, maxAvailableExtent: region.maxAvailableExtent,
                  align: region.align, interleaveWays: region.interleaveWays, resource: region.resource,
                  nextStart: next, isEnabled: region.isEnabled, isReadOnly: region.isReadOnly,
                  isLabelless: region.isLabelless, hasNamespaceSeed: region.namespaceSeed != nil,
                  namespaceSectorSizes: region.namespaceSeed?.supportedSectorSizes ?? [],
                  pfnSeed: pfn.map { Seed(supportedAlignments: $0.supportedAlignments, align: $0.align, hasAlign: $0.hasAlign) },
                  daxSeed: dax.map { Seed(supportedAlignments: $0.supportedAlignments, align: $0.align) },
                  bttSectorSizes: region.bttSeed?.supportedSectorSizes,
                  bttVersion: v12 ? .v2_0 : .v1_1)
    }
}

/// What the rules need to know of an existing namespace that a request reconfigures
/// (ndctl's `-e`).
public struct NamespaceSnapshot: Sendable, Hashable, Codable {
    /// `namespaceX.Y`.
    public var name: String
    /// Its personality now.
    public var mode: NamespaceMode
    /// Raw size, in bytes.
    public var size: UInt64
    /// Physical start address; nil when hidden.
    public var resource: UInt64?
    /// The pfn/dax alignment now, in bytes (nil for raw and sector).
    public var align: UInt64?
    /// The raw sector size now, in bytes (nil when unset).
    public var sectorSize: UInt32?
    /// The BTT's LBA size when in sector mode.
    public var bttSectorSize: UInt32?
    /// The label name (`alt_name`), nil when empty.
    public var label: String?
    /// Sector sizes it accepts, in bytes.
    public var supportedSectorSizes: [UInt64]

    /// A namespace described by hand; sizes and alignments in bytes.
    public init(name: String, mode: NamespaceMode, size: UInt64, resource: UInt64?, align: UInt64?,
                sectorSize: UInt32? = nil, bttSectorSize: UInt32? = nil, label: String? = nil,
                supportedSectorSizes: [UInt64] = [512, 4096]) {
        self.name = name
        self.mode = mode
        self.size = size
        self.resource = resource
        self.align = align
        self.sectorSize = sectorSize
        self.bttSectorSize = bttSectorSize
        self.label = label
        self.supportedSectorSizes = supportedSectorSizes
    }

    /// Reads a namespace's snapshot through libndctl.
    public init(_ ns: Namespace) {
        self.init(name: ns.devName, mode: ns.mode, size: ns.size ?? 0, resource: ns.resource,
                  align: ns.pfn?.align ?? ns.dax?.align, sectorSize: ns.sectorSize.flatMap { $0 == 0 ? nil : $0 },
                  bttSectorSize: ns.btt?.sectorSize, label: ns.name,
                  supportedSectorSizes: ns.supportedSectorSizes)
    }
}
