import CNDCtl
import DaxCore

/// A persistent-memory region (`regionN`), from which namespaces are carved.
///
/// It is an interleave set of DIMMs, or a label-less range.
///
/// Two values are equal when they wrap the same libndctl region. Its ``KernelDevice/devName``
/// (`region1`) and ``KernelDevice/id`` (N of `regionN`) wrap `ndctl_region_get_devname` and
/// `ndctl_region_get_id`.
///
/// Wraps `struct ndctl_region`.
public final class Region: KernelDevice, Equatable, WrapsOneObject {
    /// The bus the region is on.
    public let bus: Bus
    init(bus: Bus, raw: OpaquePointer) {
        self.bus = bus
        super.init(raw: raw, devName: ndctl_region_get_devname, id: ndctl_region_get_id)
    }

    /// Whether the region is persistent memory or block-window.
    ///
    /// Wraps `ndctl_region_get_type`.
    public var type: RegionType {
        switch Int32(ndctl_region_get_type(raw)) {
        case ND_DEVICE_REGION_PMEM: return .pmem
        case ND_DEVICE_REGION_BLK: return .blk
        default: return .unknown
        }
    }

    /// Capacity in bytes.
    ///
    /// Wraps `ndctl_region_get_size`.
    public var size: UInt64 { ndctl_region_get_size(raw) }

    /// Alignment in bytes of namespace sizes and starts, `nil` when not reported.
    ///
    /// Wraps `ndctl_region_get_align`.
    public var align: UInt64? { known(ndctl_region_get_align(raw)).map(UInt64.init) }

    /// Capacity in bytes not yet allocated to a namespace (possibly fragmented).
    ///
    /// Wraps `ndctl_region_get_available_size`.
    public var availableSize: UInt64 { ndctl_region_get_available_size(raw) }

    /// Largest contiguous free extent in bytes, `nil` on kernels that do not report it.
    ///
    /// Wraps `ndctl_region_get_max_available_extent`.
    public var maxAvailableExtent: UInt64? { known(ndctl_region_get_max_available_extent(raw)) }

    /// Number of DIMMs the region interleaves across.
    ///
    /// Wraps `ndctl_region_get_interleave_ways`.
    public var interleaveWays: UInt32 { ndctl_region_get_interleave_ways(raw) }

    /// Number of DIMM mappings (`mappingN`) the region has.
    ///
    /// Wraps `ndctl_region_get_mappings`.
    public var mappingCount: UInt32 { ndctl_region_get_mappings(raw) }

    /// Interleave set cookie, `nil` when the region has no interleave set.
    ///
    /// Wraps `ndctl_region_get_interleave_set` and `ndctl_interleave_set_get_cookie`.
    public var isetID: UInt64? {
        guard let iset = ndctl_region_get_interleave_set(raw) else { return nil }
        return ndctl_interleave_set_get_cookie(iset)
    }

    /// Physical address of the region's start, `nil` when hidden (non-root) or unknown.
    ///
    /// Wraps `ndctl_region_get_resource`.
    public var resource: UInt64? { known(ndctl_region_get_resource(raw)) }

    /// Each DIMM's contribution to the region, in libndctl's order.
    ///
    /// Mappings without a DIMM are left out.
    ///
    /// Wraps `ndctl_mapping_get_first`, `ndctl_mapping_get_next`, `ndctl_mapping_get_dimm`,
    /// `ndctl_mapping_get_offset`, `ndctl_mapping_get_length` and `ndctl_mapping_get_position`.
    public var mappings: [Mapping] {
        collect(ndctl_mapping_get_first(raw), next: ndctl_mapping_get_next) { m in
            guard let d = ndctl_mapping_get_dimm(m) else { return nil }
            let position = nonNegative(ndctl_mapping_get_position(m))
            return Mapping(dimm: DIMM(bus: bus, raw: d), offset: ndctl_mapping_get_offset(m),
                           length: ndctl_mapping_get_length(m), position: position)
        }
    }

    /// The DIMMs the region spans.
    ///
    /// Wraps `ndctl_region_get_first_dimm` and `ndctl_region_get_next_dimm`.
    public var dimms: [DIMM] {
        collect(ndctl_region_get_first_dimm(raw), next: { ndctl_region_get_next_dimm(raw, $0) }) {
            DIMM(bus: bus, raw: $0)
        }
    }

    /// Where the platform guarantees writes are persistent.
    ///
    /// Wraps `ndctl_region_get_persistence_domain`.
    public var persistenceDomain: PersistenceDomain {
        switch ndctl_region_get_persistence_domain(raw) {
        case PERSISTENCE_CPU_CACHE: return .cpuCache
        case PERSISTENCE_MEM_CTRL: return .memoryController
        case PERSISTENCE_NONE: return .none
        default: return .unknown
        }
    }

    /// NUMA node, `nil` when the kernel does not report one or reports a negative one.
    ///
    /// Wraps `ndctl_region_has_numa` and `ndctl_region_get_numa_node`.
    public var numaNode: Int? {
        guard ndctl_region_has_numa(raw) != 0 else { return nil }
        return nonNegative(ndctl_region_get_numa_node(raw))
    }

    /// NUMA node as libndctl returns it, negative when there is none.
    ///
    /// Wraps `ndctl_region_get_numa_node`.
    public var numaNodeRaw: Int { Int(ndctl_region_get_numa_node(raw)) }

    /// NUMA node the memory joins when onlined as system RAM, `nil` when unknown.
    ///
    /// Wraps `ndctl_region_get_target_node`.
    public var targetNode: Int? { nonNegative(ndctl_region_get_target_node(raw)) }

    /// Whether the region is read-only.
    ///
    /// Wraps `ndctl_region_get_ro`.
    public var isReadOnly: Bool { ndctl_region_get_ro(raw) != 0 }

    /// Whether the nd_region driver is bound.
    ///
    /// Wraps `ndctl_region_is_enabled`.
    public var isEnabled: Bool { ndctl_region_is_enabled(raw) != 0 }

    /// Type of the namespaces the region creates.
    ///
    /// `.io` means label-less: one fixed, full-size namespace that cannot be sub-divided.
    ///
    /// Wraps `ndctl_region_get_nstype`.
    public var namespaceType: NamespaceType { namespaceDeviceType(ndctl_region_get_nstype(raw)) }

    /// Whether the region has no label storage (its namespaces are fixed and full-size).
    ///
    /// Wraps `ndctl_region_get_nstype`.
    public var isLabelless: Bool { namespaceType == .io }

    /// The region's namespaces, including idle seeds, in libndctl's order.
    ///
    /// Wraps `ndctl_namespace_get_first` and `ndctl_namespace_get_next`.
    public var namespaces: [Namespace] {
        collect(ndctl_namespace_get_first(raw), next: ndctl_namespace_get_next) {
            Namespace(region: self, raw: $0)
        }
    }

    /// The idle namespace that the next namespace creation configures, `nil` when none.
    ///
    /// Wraps `ndctl_region_get_namespace_seed`.
    public var namespaceSeed: Namespace? {
        ndctl_region_get_namespace_seed(raw).map { Namespace(region: self, raw: $0) }
    }

    /// The idle pfn device that the next fsdax namespace claims, `nil` when none.
    ///
    /// Wraps `ndctl_region_get_pfn_seed`.
    public var pfnSeed: PFN? { ndctl_region_get_pfn_seed(raw).map { PFN(region: self, raw: $0) } }

    /// The idle dax device that the next devdax namespace claims, `nil` when none.
    ///
    /// Wraps `ndctl_region_get_dax_seed`.
    public var daxSeed: DAXSeed? { ndctl_region_get_dax_seed(raw).map { DAXSeed(region: self, raw: $0) } }

    /// The idle btt that the next sector namespace claims, `nil` when none.
    ///
    /// Wraps `ndctl_region_get_btt_seed`.
    public var bttSeed: BTT? { ndctl_region_get_btt_seed(raw).map { BTT(region: self, raw: $0) } }

    /// Media errors known for the region; empty when there are none.
    ///
    /// Wraps `ndctl_region_get_first_badblock` and `ndctl_region_get_next_badblock`.
    public var badBlocks: [BadBlock] {
        collectBadBlocks(ndctl_region_get_first_badblock(raw)) {
            ndctl_region_get_next_badblock(raw)
        }
    }
}

// MARK: - Enable and disable

extension Region {
    /// Enables the region (binds nd_region).
    ///
    /// - Throws: `DaxError` `.kernelRefused` with the errno.
    ///
    /// Wraps `ndctl_region_enable`.
    public func enable() throws { try check(ndctl_region_enable(raw), "enable failed") }

    /// Disables the region (unbinds nd_region) and invalidates its namespaces.
    ///
    /// - Throws: `DaxError` `.kernelRefused` with the errno.
    ///
    /// Wraps `ndctl_region_disable_invalidate`.
    public func disable() throws { try check(ndctl_region_disable_invalidate(raw), "disable failed") }
}

/// One DIMM's contribution to a region (`mappingN`).
///
/// Wraps `struct ndctl_mapping`.
public struct Mapping {
    /// The DIMM.
    public let dimm: DIMM
    /// Start of the contribution in the DIMM's address space (DPA), in bytes.
    public let offset: UInt64
    /// Length of the contribution in bytes.
    public let length: UInt64
    /// Position in the interleave set, `nil` when unknown.
    public let position: Int?
}

/// A bad-block record: a range of media errors.
///
/// In 512-byte sectors, relative to the start of the region or namespace that reports it.
///
/// Wraps `struct badblock`.
public struct BadBlock: Sendable, Equatable {
    /// First bad sector, in 512-byte sectors.
    public var offset: UInt64
    /// Number of bad sectors.
    public var length: UInt32
}
