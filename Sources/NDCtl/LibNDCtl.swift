// The one funnel to libndctl: every ndctl_* call of the NDCtl module lives in this file.
// Objects hold the context that owns them, so a Region outlives nothing it needs.
import CNDCtl
import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

private let ULLONG_MAX_: UInt64 = .max
// Device types from <ndctl/ndctl.h> (not imported to keep the kernel uapi header out).
private let ND_DEVICE_REGION_PMEM: Int32 = 2
private let ND_DEVICE_REGION_BLK: Int32 = 3
private let ND_DEVICE_NAMESPACE_IO: Int32 = 4
private let ND_DEVICE_NAMESPACE_PMEM: Int32 = 5
private let ND_DEVICE_NAMESPACE_BLK: Int32 = 6

@inline(__always)
private func str(_ p: UnsafePointer<CChar>?) -> String? {
    guard let p else { return nil }
    return String(cString: p)
}

/// Reads a 16-byte uuid through a C getter.
private func readUUID(_ body: (UnsafeMutablePointer<UInt8>) -> Void) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: 16)
    bytes.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
    return bytes
}

/// A libndctl library context (`struct ndctl_ctx`), the root of the object model.
///
/// Wraps `ndctl_new`/`ndctl_unref`. libndctl is not thread-safe: use one context from one
/// thread at a time.
public final class NDContext {
    let raw: OpaquePointer

    /// Creates a context; wraps `ndctl_new`.
    /// - Throws: `NDCtlError` with code `.contextCreation`.
    public init() throws {
        var ctx: OpaquePointer?
        let rc = ndctl_new(&ctx)
        guard rc == 0, let ctx else {
            throw NDCtlError.fromReturn(rc, "ndctl context: cannot initialise libndctl (is sysfs mounted?)", code: .contextCreation)
        }
        raw = ctx
        // libndctl logs failures to stderr itself; daxkit reports one line per error.
        // NDCTL_LOG (e.g. "debug") still turns its logging on.
        if getenv("NDCTL_LOG") == nil { ndctl_set_log_priority(ctx, 0) }
    }

    deinit { ndctl_unref(raw) }

    /// All NVDIMM buses; wraps `ndctl_bus_get_first/next`.
    public var buses: [Bus] {
        var out: [Bus] = []
        var b = ndctl_bus_get_first(raw)
        while let cur = b {
            out.append(Bus(ctx: self, raw: cur))
            b = ndctl_bus_get_next(cur)
        }
        return out
    }

    /// Every region on every bus, in bus order.
    public var regions: [Region] { buses.flatMap(\.regions) }

    /// Every DIMM on every bus.
    public var dimms: [DIMM] { buses.flatMap(\.dimms) }
}

/// An NVDIMM bus (`ndbusN`), e.g. the ACPI NFIT or the e820 legacy bus.
public final class Bus {
    public let context: NDContext
    let raw: OpaquePointer
    init(ctx: NDContext, raw: OpaquePointer) { context = ctx; self.raw = raw }

    /// Provider name, e.g. `ACPI.NFIT` or `e820`; wraps `ndctl_bus_get_provider`.
    public var provider: String { str(ndctl_bus_get_provider(raw)) ?? "" }
    /// Device name, e.g. `ndbus0`; wraps `ndctl_bus_get_devname`.
    public var devName: String { str(ndctl_bus_get_devname(raw)) ?? "" }
    /// Bus id; wraps `ndctl_bus_get_id`.
    public var id: UInt32 { ndctl_bus_get_id(raw) }
    /// Address range scrub state: `nil` when the bus has no scrub, else active or not;
    /// wraps `ndctl_bus_get_scrub_state`.
    public var scrubActive: Bool? {
        let s = ndctl_bus_get_scrub_state(raw)
        return s < 0 ? nil : s != 0
    }

    public var dimms: [DIMM] {
        var out: [DIMM] = []
        var d = ndctl_dimm_get_first(raw)
        while let cur = d {
            out.append(DIMM(bus: self, raw: cur))
            d = ndctl_dimm_get_next(cur)
        }
        return out
    }

    public var regions: [Region] {
        var out: [Region] = []
        var r = ndctl_region_get_first(raw)
        while let cur = r {
            out.append(Region(bus: self, raw: cur))
            r = ndctl_region_get_next(cur)
        }
        return out
    }
}

/// An NVDIMM (`nmemN`).
public final class DIMM: Equatable {
    public let bus: Bus
    let raw: OpaquePointer
    init(bus: Bus, raw: OpaquePointer) { self.bus = bus; self.raw = raw }
    public static func == (a: DIMM, b: DIMM) -> Bool { a.raw == b.raw }

    /// `nmemN`; wraps `ndctl_dimm_get_devname`.
    public var devName: String { str(ndctl_dimm_get_devname(raw)) ?? "" }
    /// Kernel id N of `nmemN`; wraps `ndctl_dimm_get_id`.
    public var id: UInt32 { ndctl_dimm_get_id(raw) }
    /// Unique id (vendor-serial...), if the platform provides one; wraps `ndctl_dimm_get_unique_id`.
    public var uniqueID: String? { str(ndctl_dimm_get_unique_id(raw)) }
    /// NFIT handle, `nil` if unknown; wraps `ndctl_dimm_get_handle`.
    public var handle: UInt32? {
        let h = ndctl_dimm_get_handle(raw)
        return h == UInt32.max ? nil : h
    }
    /// SMBIOS physical id, `nil` if unknown; wraps `ndctl_dimm_get_phys_id`.
    public var physID: UInt16? {
        let p = ndctl_dimm_get_phys_id(raw)
        return p == UInt16.max ? nil : p
    }
    /// Whether the nvdimm driver is bound; wraps `ndctl_dimm_is_enabled`.
    public var isEnabled: Bool { ndctl_dimm_is_enabled(raw) != 0 }
    /// NFIT state flags.
    public var flags: DIMMFlags {
        var f: DIMMFlags = []
        if ndctl_dimm_failed_map(raw) != 0 { f.insert(.failedMap) }
        if ndctl_dimm_failed_save(raw) != 0 { f.insert(.failedSave) }
        if ndctl_dimm_failed_arm(raw) != 0 { f.insert(.failedArm) }
        if ndctl_dimm_failed_restore(raw) != 0 { f.insert(.failedRestore) }
        if ndctl_dimm_failed_flush(raw) != 0 { f.insert(.failedFlush) }
        if ndctl_dimm_smart_pending(raw) != 0 { f.insert(.smartEvent) }
        return f
    }
    /// Security state, `nil` when the DIMM has no security support; wraps `ndctl_dimm_get_security`.
    public var security: SecurityState? {
        switch ndctl_dimm_get_security(raw) {
        case NDCTL_SECURITY_DISABLED: return .disabled
        case NDCTL_SECURITY_UNLOCKED: return .unlocked
        case NDCTL_SECURITY_LOCKED: return .locked
        case NDCTL_SECURITY_FROZEN: return .frozen
        case NDCTL_SECURITY_OVERWRITE: return .overwrite
        default: return nil
        }
    }
    /// Wraps `ndctl_dimm_security_is_frozen`.
    public var securityFrozen: Bool { ndctl_dimm_security_is_frozen(raw) }
    /// Label area state: `true` when the DIMM's driver reports it active in a region.
    public var isActive: Bool { ndctl_dimm_is_active(raw) != 0 }
}

/// One DIMM's contribution to a region (`mappingN`).
public struct Mapping {
    public let dimm: DIMM
    public let offset: UInt64
    public let length: UInt64
    /// Position in the interleave set, `nil` if unknown.
    public let position: Int?
}

/// A persistent-memory region (`regionN`).
public final class Region: Equatable {
    public let bus: Bus
    let raw: OpaquePointer
    init(bus: Bus, raw: OpaquePointer) { self.bus = bus; self.raw = raw }
    public static func == (a: Region, b: Region) -> Bool { a.raw == b.raw }

    public var devName: String { str(ndctl_region_get_devname(raw)) ?? "" }
    public var id: UInt32 { ndctl_region_get_id(raw) }
    public var type: RegionType {
        switch Int32(ndctl_region_get_type(raw)) {
        case ND_DEVICE_REGION_PMEM: return .pmem
        case ND_DEVICE_REGION_BLK: return .blk
        default: return .unknown
        }
    }
    /// Capacity in bytes; wraps `ndctl_region_get_size`.
    public var size: UInt64 { ndctl_region_get_size(raw) }
    /// Namespace size/start alignment, `nil` if the kernel does not report one.
    public var align: UInt64? {
        let a = UInt64(ndctl_region_get_align(raw))
        return a == ULLONG_MAX_ || a == UInt64(UInt.max) ? nil : a
    }
    public var availableSize: UInt64 { ndctl_region_get_available_size(raw) }
    /// Largest contiguous free extent, `nil` on kernels that don't report it.
    public var maxAvailableExtent: UInt64? {
        let e = ndctl_region_get_max_available_extent(raw)
        return e == ULLONG_MAX_ ? nil : e
    }
    public var interleaveWays: UInt32 { ndctl_region_get_interleave_ways(raw) }
    public var mappingCount: UInt32 { ndctl_region_get_mappings(raw) }
    /// Interleave set cookie, if the region has an interleave set.
    public var isetID: UInt64? {
        guard let iset = ndctl_region_get_interleave_set(raw) else { return nil }
        return ndctl_interleave_set_get_cookie(iset)
    }
    /// Physical base address, `nil` if hidden (non-root).
    public var resource: UInt64? {
        let r = ndctl_region_get_resource(raw)
        return r == ULLONG_MAX_ ? nil : r
    }
    public var mappings: [Mapping] {
        var out: [Mapping] = []
        var m = ndctl_mapping_get_first(raw)
        while let cur = m {
            if let d = ndctl_mapping_get_dimm(cur) {
                let pos = ndctl_mapping_get_position(cur)
                out.append(Mapping(dimm: DIMM(bus: bus, raw: d),
                                   offset: ndctl_mapping_get_offset(cur),
                                   length: ndctl_mapping_get_length(cur),
                                   position: pos >= 0 ? Int(pos) : nil))
            }
            m = ndctl_mapping_get_next(cur)
        }
        return out
    }
    /// The DIMMs this region spans; wraps `ndctl_region_get_first/next_dimm`.
    public var dimms: [DIMM] {
        var out: [DIMM] = []
        var d = ndctl_region_get_first_dimm(raw)
        while let cur = d {
            out.append(DIMM(bus: bus, raw: cur))
            d = ndctl_region_get_next_dimm(raw, cur)
        }
        return out
    }
    public var persistenceDomain: PersistenceDomain {
        switch ndctl_region_get_persistence_domain(raw) {
        case PERSISTENCE_CPU_CACHE: return .cpuCache
        case PERSISTENCE_MEM_CTRL: return .memoryController
        case PERSISTENCE_NONE: return .none
        default: return .unknown
        }
    }
    /// NUMA node, `nil` when unknown or not reported.
    public var numaNode: Int? {
        guard ndctl_region_has_numa(raw) != 0 else { return nil }
        let n = ndctl_region_get_numa_node(raw)
        return n >= 0 ? Int(n) : nil
    }
    public var numaNodeRaw: Int { Int(ndctl_region_get_numa_node(raw)) }
    public var targetNode: Int? {
        let n = ndctl_region_get_target_node(raw)
        return n >= 0 ? Int(n) : nil
    }
    public var isReadOnly: Bool { ndctl_region_get_ro(raw) != 0 }
    public var isEnabled: Bool { ndctl_region_is_enabled(raw) != 0 }
    /// Namespace type the region creates: `.io` means label-less (cannot be sub-divided).
    public var namespaceType: NamespaceType {
        switch Int32(ndctl_region_get_nstype(raw)) {
        case ND_DEVICE_NAMESPACE_IO: return .io
        case ND_DEVICE_NAMESPACE_PMEM: return .pmem
        case ND_DEVICE_NAMESPACE_BLK: return .blk
        case let v: return .unknown(Int(v))
        }
    }
    /// True when the region has no label storage (namespaces are fixed, full-size).
    public var isLabelless: Bool { namespaceType == .io }

    public var namespaces: [Namespace] {
        var out: [Namespace] = []
        var n = ndctl_namespace_get_first(raw)
        while let cur = n {
            out.append(Namespace(region: self, raw: cur))
            n = ndctl_namespace_get_next(cur)
        }
        return out
    }
    /// The idle namespace that the next create-namespace configures.
    public var namespaceSeed: Namespace? {
        ndctl_region_get_namespace_seed(raw).map { Namespace(region: self, raw: $0) }
    }
    public var pfnSeed: PFN? { ndctl_region_get_pfn_seed(raw).map { PFN(region: self, raw: $0) } }
    public var daxSeed: DAXSeed? { ndctl_region_get_dax_seed(raw).map { DAXSeed(region: self, raw: $0) } }
    public var bttSeed: BTT? { ndctl_region_get_btt_seed(raw).map { BTT(region: self, raw: $0) } }

    /// Media errors known for the region; wraps `ndctl_region_get_first/next_badblock`.
    public var badBlocks: [BadBlock] {
        var out: [BadBlock] = []
        var bb = ndctl_region_get_first_badblock(raw)
        while let cur = bb {
            out.append(BadBlock(offset: cur.pointee.offset, length: cur.pointee.len))
            bb = ndctl_region_get_next_badblock(raw)
        }
        return out
    }
}

/// A namespace (`namespaceX.Y`).
public final class Namespace: Equatable {
    public let region: Region
    let raw: OpaquePointer
    init(region: Region, raw: OpaquePointer) { self.region = region; self.raw = raw }
    public static func == (a: Namespace, b: Namespace) -> Bool { a.raw == b.raw }

    public var devName: String { str(ndctl_namespace_get_devname(raw)) ?? "" }
    public var id: UInt32 { ndctl_namespace_get_id(raw) }
    public var type: NamespaceType {
        switch Int32(ndctl_namespace_get_type(raw)) {
        case ND_DEVICE_NAMESPACE_IO: return .io
        case ND_DEVICE_NAMESPACE_PMEM: return .pmem
        case ND_DEVICE_NAMESPACE_BLK: return .blk
        case let v: return .unknown(Int(v))
        }
    }
    /// The personality the kernel reports; wraps `ndctl_namespace_get_mode`.
    public var mode: NamespaceMode { Self.mode(ndctl_namespace_get_mode(raw)) }
    /// The personality the namespace is claimed for; wraps `ndctl_namespace_get_enforce_mode`.
    public var enforceMode: NamespaceMode { Self.mode(ndctl_namespace_get_enforce_mode(raw)) }

    static func mode(_ m: ndctl_namespace_mode) -> NamespaceMode {
        switch m {
        case NDCTL_NS_MODE_FSDAX: return .fsdax
        case NDCTL_NS_MODE_SECTOR: return .sector
        case NDCTL_NS_MODE_RAW: return .raw
        case NDCTL_NS_MODE_DAX: return .devdax
        default: return .unknown
        }
    }

    /// Raw capacity of the namespace (before pfn/btt metadata), `nil` if unknown.
    public var size: UInt64? {
        let s = ndctl_namespace_get_size(raw)
        return s == ULLONG_MAX_ ? nil : s
    }
    public var resource: UInt64? {
        let r = ndctl_namespace_get_resource(raw)
        return r == ULLONG_MAX_ ? nil : r
    }
    /// Label uuid bytes (all zero when unset).
    public var uuidBytes: [UInt8] { readUUID { ndctl_namespace_get_uuid(raw, $0) } }
    /// Label uuid, `nil` when unset (label-less namespaces).
    public var uuid: String? {
        let b = uuidBytes
        return b.allSatisfy { $0 == 0 } ? nil : formatUUID(b)
    }
    /// Label name (`alt_name`), `nil` when empty.
    public var name: String? {
        guard let n = str(ndctl_namespace_get_alt_name(raw)), !n.isEmpty else { return nil }
        return n
    }
    /// Raw sector size (0 or `nil` when unset).
    public var sectorSize: UInt32? {
        let s = ndctl_namespace_get_sector_size(raw)
        return s == UInt32.max ? nil : s
    }
    public var numaNode: Int? {
        let n = ndctl_namespace_get_numa_node(raw)
        return n >= 0 ? Int(n) : nil
    }
    public var numaNodeRaw: Int { Int(ndctl_namespace_get_numa_node(raw)) }
    public var targetNode: Int? {
        let n = ndctl_namespace_get_target_node(raw)
        return n >= 0 ? Int(n) : nil
    }
    /// Enabled, or claimed by an enabled btt/pfn/dax; wraps `ndctl_namespace_is_active`.
    public var isActive: Bool { ndctl_namespace_is_active(raw) }
    public var isEnabled: Bool { ndctl_namespace_is_enabled(raw) != 0 }
    /// Has a size/uuid (is not an idle seed); wraps `ndctl_namespace_is_configured`.
    public var isConfigured: Bool { ndctl_namespace_is_configured(raw) != 0 }
    /// Block device name (`pmemX`) of a raw/fsdax-static namespace, `nil` if none.
    public var blockDevice: String? {
        guard let b = str(ndctl_namespace_get_block_device(raw)), !b.isEmpty else { return nil }
        return b
    }
    public var btt: BTT? { ndctl_namespace_get_btt(raw).map { BTT(region: region, raw: $0) } }
    public var pfn: PFN? { ndctl_namespace_get_pfn(raw).map { PFN(region: region, raw: $0) } }
    public var dax: DAXSeed? { ndctl_namespace_get_dax(raw).map { DAXSeed(region: region, raw: $0) } }

    /// Media errors inside the namespace; wraps `ndctl_namespace_get_first/next_badblock`.
    public var badBlocks: [BadBlock] {
        var out: [BadBlock] = []
        var bb = ndctl_namespace_get_first_badblock(raw)
        while let cur = bb {
            out.append(BadBlock(offset: cur.pointee.offset, length: cur.pointee.len))
            bb = ndctl_namespace_get_next_badblock(raw)
        }
        return out
    }
}

private func mapLocation(_ l: ndctl_pfn_loc) -> MapLocation {
    switch l {
    case NDCTL_PFN_LOC_RAM: return .mem
    case NDCTL_PFN_LOC_PMEM: return .dev
    default: return .none
    }
}

/// A pfn device (`pfnX.Y`): the fsdax personality's struct-page info block.
public final class PFN {
    public let region: Region
    let raw: OpaquePointer
    init(region: Region, raw: OpaquePointer) { self.region = region; self.raw = raw }

    public var devName: String { str(ndctl_pfn_get_devname(raw)) ?? "" }
    public var uuid: String { formatUUID(readUUID { ndctl_pfn_get_uuid(raw, $0) }) }
    public var location: MapLocation { mapLocation(ndctl_pfn_get_location(raw)) }
    public var align: UInt64 { UInt64(ndctl_pfn_get_align(raw)) }
    /// Usable data size after the info block and struct-page metadata, `nil` if unknown.
    public var size: UInt64? {
        let s = ndctl_pfn_get_size(raw)
        return s == ULLONG_MAX_ ? nil : s
    }
    public var resource: UInt64? {
        let r = ndctl_pfn_get_resource(raw)
        return r == ULLONG_MAX_ ? nil : r
    }
    public var supportedAlignments: [UInt64] {
        let n = ndctl_pfn_get_num_alignments(raw)
        guard n > 0 else { return [] }
        return (0..<n).map { UInt64(ndctl_pfn_get_supported_alignment(raw, $0)) }
    }
    public var blockDevice: String? {
        guard let b = str(ndctl_pfn_get_block_device(raw)), !b.isEmpty else { return nil }
        return b
    }
    public var isEnabled: Bool { ndctl_pfn_is_enabled(raw) != 0 }
    public var namespace: Namespace? {
        ndctl_pfn_get_namespace(raw).map { Namespace(region: region, raw: $0) }
    }
}

/// A device-dax personality (`daxX.Y` under the nvdimm bus).
public final class DAXSeed {
    public let region: Region
    let raw: OpaquePointer
    init(region: Region, raw: OpaquePointer) { self.region = region; self.raw = raw }

    public var devName: String { str(ndctl_dax_get_devname(raw)) ?? "" }
    public var uuid: String { formatUUID(readUUID { ndctl_dax_get_uuid(raw, $0) }) }
    public var location: MapLocation { mapLocation(ndctl_dax_get_location(raw)) }
    public var align: UInt64 { UInt64(ndctl_dax_get_align(raw)) }
    public var size: UInt64? {
        let s = ndctl_dax_get_size(raw)
        return s == ULLONG_MAX_ ? nil : s
    }
    public var resource: UInt64? {
        let r = ndctl_dax_get_resource(raw)
        return r == ULLONG_MAX_ ? nil : r
    }
    public var supportedAlignments: [UInt64] {
        let n = ndctl_dax_get_num_alignments(raw)
        guard n > 0 else { return [] }
        return (0..<n).map { UInt64(ndctl_dax_get_supported_alignment(raw, $0)) }
    }
    public var isEnabled: Bool { ndctl_dax_is_enabled(raw) != 0 }
    public var namespace: Namespace? {
        ndctl_dax_get_namespace(raw).map { Namespace(region: region, raw: $0) }
    }
    /// The libdaxctl view of this device's dax region, when enabled;
    /// wraps `ndctl_dax_get_daxctl_region`.
    public var daxRegion: DAXRegion? {
        ndctl_dax_get_daxctl_region(raw).map { DAXRegion(owner: region.bus.context, raw: $0) }
    }
}

/// A BTT (`bttX.Y`): the sector personality.
public final class BTT {
    public let region: Region
    let raw: OpaquePointer
    init(region: Region, raw: OpaquePointer) { self.region = region; self.raw = raw }

    public var devName: String { str(ndctl_btt_get_devname(raw)) ?? "" }
    public var uuid: String { formatUUID(readUUID { ndctl_btt_get_uuid(raw, $0) }) }
    public var sectorSize: UInt32 { ndctl_btt_get_sector_size(raw) }
    public var size: UInt64? {
        let s = ndctl_btt_get_size(raw)
        return s == ULLONG_MAX_ ? nil : s
    }
    public var supportedSectorSizes: [UInt64] {
        let n = ndctl_btt_get_num_sector_sizes(raw)
        guard n > 0 else { return [] }
        return (0..<n).map { UInt64(ndctl_btt_get_supported_sector_size(raw, $0)) }
    }
    public var blockDevice: String? {
        guard let b = str(ndctl_btt_get_block_device(raw)), !b.isEmpty else { return nil }
        return b
    }
    public var isEnabled: Bool { ndctl_btt_is_enabled(raw) != 0 }
    public var namespace: Namespace? {
        ndctl_btt_get_namespace(raw).map { Namespace(region: region, raw: $0) }
    }
}

// MARK: - Write side (kernel state changes)

/// Turns a libndctl return code into a thrown error naming the object and the action.
@inline(__always)
private func check(_ rc: Int32, _ what: @autoclosure () -> String) throws {
    if rc < 0 { throw NDCtlError.fromReturn(rc, what()) }
}

private func cMode(_ m: NamespaceMode) -> ndctl_namespace_mode {
    switch m {
    case .fsdax: return NDCTL_NS_MODE_FSDAX
    case .sector: return NDCTL_NS_MODE_SECTOR
    case .raw: return NDCTL_NS_MODE_RAW
    case .devdax: return NDCTL_NS_MODE_DAX
    case .unknown: return NDCTL_NS_MODE_UNKNOWN
    }
}

private func cLocation(_ l: MapLocation) -> ndctl_pfn_loc {
    switch l {
    case .none: return NDCTL_PFN_LOC_NONE
    case .mem: return NDCTL_PFN_LOC_RAM
    case .dev: return NDCTL_PFN_LOC_PMEM
    }
}

extension Region {
    /// Enables the region (binds nd_region); wraps `ndctl_region_enable`.
    public func enable() throws { try check(ndctl_region_enable(raw), "\(devName): enable failed") }
    /// Disables the region and invalidates its namespaces; wraps `ndctl_region_disable_invalidate`.
    public func disable() throws { try check(ndctl_region_disable_invalidate(raw), "\(devName): disable failed") }
}

extension Namespace {
    /// Whether the namespace is an idle seed (no uuid, size 0); wraps `ndctl_namespace_is_configuration_idle`.
    public var isConfigurationIdle: Bool { ndctl_namespace_is_configuration_idle(raw) != 0 }
    /// Sector sizes the namespace accepts; wraps `ndctl_namespace_get_supported_sector_size`.
    public var supportedSectorSizes: [UInt64] {
        let n = ndctl_namespace_get_num_sector_sizes(raw)
        guard n > 0 else { return [] }
        return (0..<n).map { UInt64(ndctl_namespace_get_supported_sector_size(raw, $0)) }
    }
    /// Wraps `ndctl_namespace_set_uuid`.
    public func setUUID(_ bytes: [UInt8]) throws {
        var b = bytes
        try check(b.withUnsafeMutableBufferPointer { ndctl_namespace_set_uuid(raw, $0.baseAddress!) },
                  "\(devName): set uuid failed")
    }
    /// Wraps `ndctl_namespace_set_alt_name`.
    public func setName(_ name: String) throws {
        try check(ndctl_namespace_set_alt_name(raw, name), "\(devName): set name \"\(name)\" failed")
    }
    /// Wraps `ndctl_namespace_set_size`.
    public func setSize(_ size: UInt64) throws {
        try check(ndctl_namespace_set_size(raw, size), "\(devName): set size \(size) failed")
    }
    /// Wraps `ndctl_namespace_set_sector_size`.
    public func setSectorSize(_ size: UInt32) throws {
        try check(ndctl_namespace_set_sector_size(raw, size), "\(devName): set sector size \(size) failed")
    }
    /// Claims the namespace for a personality; wraps `ndctl_namespace_set_enforce_mode`.
    /// Older kernels lack the attribute, so callers may ignore the error as ndctl does.
    @discardableResult
    public func setEnforceMode(_ mode: NamespaceMode) -> Int32 {
        ndctl_namespace_set_enforce_mode(raw, cMode(mode))
    }
    /// Wraps `ndctl_namespace_set_raw_mode`.
    public func setRawMode(_ on: Bool) throws {
        try check(ndctl_namespace_set_raw_mode(raw, on ? 1 : 0), "\(devName): set raw mode failed")
    }
    /// Binds the namespace's driver; wraps `ndctl_namespace_enable`.
    public func enable() throws { try check(ndctl_namespace_enable(raw), "\(devName): enable failed") }
    /// Unbinds, refusing when a filesystem on it is mounted; wraps `ndctl_namespace_disable_safe`.
    public func disableSafe() throws { try check(ndctl_namespace_disable_safe(raw), "\(devName): disable failed") }
    /// Unbinds and tears down its btt/pfn/dax claim; wraps `ndctl_namespace_disable_invalidate`.
    public func disableInvalidate() throws {
        try check(ndctl_namespace_disable_invalidate(raw), "\(devName): disable failed")
    }
    /// Releases the namespace's capacity and labels; wraps `ndctl_namespace_delete`.
    public func delete() throws { try check(ndctl_namespace_delete(raw), "\(devName): delete failed") }
}

extension PFN {
    public var hasAlign: Bool { ndctl_pfn_has_align(raw) != 0 }
    public func setUUID(_ bytes: [UInt8]) throws {
        var b = bytes
        try check(b.withUnsafeMutableBufferPointer { ndctl_pfn_set_uuid(raw, $0.baseAddress!) }, "\(devName): set uuid failed")
    }
    public func setLocation(_ l: MapLocation) throws {
        try check(ndctl_pfn_set_location(raw, cLocation(l)), "\(devName): set map \(l.rawValue) failed")
    }
    public func setAlign(_ a: UInt64) throws {
        try check(ndctl_pfn_set_align(raw, UInt(a)), "\(devName): set align \(a) failed")
    }
    /// Attaches (or with `nil` detaches) the namespace; wraps `ndctl_pfn_set_namespace`.
    public func setNamespace(_ ns: Namespace?) throws {
        try check(ndctl_pfn_set_namespace(raw, ns?.raw), "\(devName): set namespace failed")
    }
    /// Wraps `ndctl_pfn_enable`.
    public func enable() throws { try check(ndctl_pfn_enable(raw), "\(devName): enable failed") }
}

extension DAXSeed {
    public func setUUID(_ bytes: [UInt8]) throws {
        var b = bytes
        try check(b.withUnsafeMutableBufferPointer { ndctl_dax_set_uuid(raw, $0.baseAddress!) }, "\(devName): set uuid failed")
    }
    public func setLocation(_ l: MapLocation) throws {
        try check(ndctl_dax_set_location(raw, cLocation(l)), "\(devName): set map \(l.rawValue) failed")
    }
    public func setAlign(_ a: UInt64) throws {
        try check(ndctl_dax_set_align(raw, UInt(a)), "\(devName): set align \(a) failed")
    }
    public func setNamespace(_ ns: Namespace?) throws {
        try check(ndctl_dax_set_namespace(raw, ns?.raw), "\(devName): set namespace failed")
    }
    public func enable() throws { try check(ndctl_dax_enable(raw), "\(devName): enable failed") }
}

extension BTT {
    public func setUUID(_ bytes: [UInt8]) throws {
        var b = bytes
        try check(b.withUnsafeMutableBufferPointer { ndctl_btt_set_uuid(raw, $0.baseAddress!) }, "\(devName): set uuid failed")
    }
    public func setSectorSize(_ s: UInt32) throws {
        try check(ndctl_btt_set_sector_size(raw, s), "\(devName): set sector size \(s) failed")
    }
    public func setNamespace(_ ns: Namespace?) throws {
        try check(ndctl_btt_set_namespace(raw, ns?.raw), "\(devName): set namespace failed")
    }
    public func enable() throws { try check(ndctl_btt_enable(raw), "\(devName): enable failed") }
}

extension DIMM {
    /// Label area state: `nil` if it cannot be read, else whether a valid index exists;
    /// wraps `ndctl_dimm_read_label_index` + `ndctl_dimm_validate_labels`.
    public func labelsAreValid() -> Bool? {
        guard let cmd = ndctl_dimm_read_label_index(raw) else { return nil }
        defer { ndctl_cmd_unref(cmd) }
        return ndctl_dimm_validate_labels(raw) >= 0
    }

    /// Writes a fresh, empty label index (v1.1 or v1.2) and re-reads it into the kernel;
    /// wraps `ndctl_dimm_read_label_index`, `ndctl_dimm_init_labels`, disable/enable.
    /// - Returns: the number of label slots.
    @discardableResult
    public func initLabels(version12: Bool = false) throws -> Int {
        guard let cmd = ndctl_dimm_read_label_index(raw) else {
            throw NDCtlError(.operationFailed, "\(devName): cannot read the label index (no label area?)", underlying: .noSuchAddressOrDevice)
        }
        defer { ndctl_cmd_unref(cmd) }
        let n = ndctl_dimm_init_labels(raw, version12 ? NDCTL_NS_VERSION_1_2 : NDCTL_NS_VERSION_1_1)
        try check(n, "\(devName): init labels failed")
        if isEnabled {
            try check(ndctl_dimm_disable(raw), "\(devName): disable after label init failed")
            try check(ndctl_dimm_enable(raw), "\(devName): enable after label init failed")
        }
        return Int(n)
    }

    /// Zeroes the whole label area; wraps `ndctl_dimm_zero_labels`.
    public func zeroLabels() throws {
        try check(ndctl_dimm_zero_labels(raw), "\(devName): zero labels failed")
    }

    /// Size of one namespace label: 128 bytes for v1.1 labels, 256 for v1.2 (0 if unknown);
    /// wraps `ndctl_dimm_sizeof_namespace_label`.
    /// Reads the label index first: libndctl computes this from the read (and crashes without it).
    public var labelSize: Int {
        guard let cmd = ndctl_dimm_read_label_index(raw) else { return 0 }
        defer { ndctl_cmd_unref(cmd) }
        guard ndctl_dimm_validate_labels(raw) >= 0 else { return 0 }
        return Int(ndctl_dimm_sizeof_namespace_label(raw))
    }

    /// Free label slots; wraps `ndctl_dimm_get_available_labels`.
    public var availableLabels: Int { Int(ndctl_dimm_get_available_labels(raw)) }
}
