// The personalities that claim a namespace: PFN (fsdax), DAXSeed (devdax), BTT (sector).
// Each is configured while idle (uuid, location/alignment or sector size, namespace) and
// then enabled.
import CNDCtl
import DaxCore

/// A personality that claims a namespace: the base of ``PFN`` (fsdax), ``DAXSeed`` (devdax)
/// and ``BTT`` (sector).
///
/// The members all three have are implemented here once, over the table of the
/// `ndctl_pfn_*`, `ndctl_dax_*` or `ndctl_btt_*` functions each one uses.
public class Personality: KernelDevice {
    /// The region the device is in.
    public let region: Region
    /// The personality's libndctl functions.
    let calls: PersonalityCalls

    init(region: Region, raw: OpaquePointer, calls: PersonalityCalls) {
        self.region = region
        self.calls = calls
        super.init(raw: raw, devName: calls.devName, id: calls.id)
    }

    /// Uuid in RFC 4122 form (all zeros when unset): of the info block of a pfn or dax
    /// device, of the BTT of a BTT.
    ///
    /// Wraps `ndctl_pfn_get_uuid`, `ndctl_dax_get_uuid` or `ndctl_btt_get_uuid`.
    public var uuid: String { formatUUID(readUUID { calls.uuid(raw, $0) }) }

    /// Usable data size in bytes, `nil` if unknown: after the info block and `struct page`
    /// array of a pfn or dax device, after the BTT metadata of a BTT.
    ///
    /// Wraps `ndctl_pfn_get_size`, `ndctl_dax_get_size` or `ndctl_btt_get_size`.
    public var size: UInt64? { known(calls.size(raw)) }

    /// Whether the personality's driver is bound: pfn, dax_pmem or btt.
    ///
    /// Wraps `ndctl_pfn_is_enabled`, `ndctl_dax_is_enabled` or `ndctl_btt_is_enabled`.
    public var isEnabled: Bool { calls.isEnabled(raw) != 0 }

    /// The namespace the device claims, `nil` when none.
    ///
    /// Wraps `ndctl_pfn_get_namespace`, `ndctl_dax_get_namespace` or `ndctl_btt_get_namespace`.
    public var namespace: Namespace? {
        calls.namespace(raw).map { Namespace(region: region, raw: $0) }
    }
}

extension Personality {
    /// Sets the uuid: of the info block of a pfn or dax device, of the BTT of a BTT.
    ///
    /// - Parameter bytes: the uuid's 16 bytes.
    /// - Throws: `DaxError` `.kernelRefused` with the errno.
    ///
    /// Wraps `ndctl_pfn_set_uuid`, `ndctl_dax_set_uuid` or `ndctl_btt_set_uuid`.
    public func setUUID(_ bytes: [UInt8]) throws {
        try check(writeUUID(bytes) { calls.setUUID(raw, $0) }, "set uuid failed")
    }

    /// Attaches the namespace to claim, or with `nil` detaches it.
    ///
    /// - Throws: `DaxError` `.kernelRefused` with the errno.
    ///
    /// Wraps `ndctl_pfn_set_namespace`, `ndctl_dax_set_namespace` or `ndctl_btt_set_namespace`.
    public func setNamespace(_ ns: Namespace?) throws {
        try check(calls.setNamespace(raw, ns?.raw), "set namespace failed")
    }

    /// Binds the personality's driver (pfn, dax_pmem or btt), which writes the info block (for
    /// a BTT, the BTT itself) and claims the namespace.
    ///
    /// - Throws: `DaxError` `.kernelRefused` with the errno.
    ///
    /// Wraps `ndctl_pfn_enable`, `ndctl_dax_enable` or `ndctl_btt_enable`.
    public func enable() throws { try check(calls.enable(raw), "enable failed") }
}

/// The libndctl functions behind the members of a ``Personality``, one table a personality.
struct PersonalityCalls: Sendable {
    let devName: @Sendable (OpaquePointer) -> UnsafePointer<CChar>?
    let id: @Sendable (OpaquePointer) -> UInt32
    let uuid: @Sendable (OpaquePointer, UnsafeMutablePointer<UInt8>) -> Void
    let setUUID: @Sendable (OpaquePointer, UnsafeMutablePointer<UInt8>) -> Int32
    let size: @Sendable (OpaquePointer) -> UInt64
    let isEnabled: @Sendable (OpaquePointer) -> Int32
    let namespace: @Sendable (OpaquePointer) -> OpaquePointer?
    let setNamespace: @Sendable (OpaquePointer, OpaquePointer?) -> Int32
    let enable: @Sendable (OpaquePointer) -> Int32

    /// `ndctl_pfn_*`.
    static let pfn = PersonalityCalls(
        devName: ndctl_pfn_get_devname, id: ndctl_pfn_get_id,
        uuid: ndctl_pfn_get_uuid, setUUID: ndctl_pfn_set_uuid, size: ndctl_pfn_get_size,
        isEnabled: ndctl_pfn_is_enabled, namespace: ndctl_pfn_get_namespace,
        setNamespace: ndctl_pfn_set_namespace, enable: ndctl_pfn_enable)

    /// `ndctl_dax_*`.
    static let dax = PersonalityCalls(
        devName: ndctl_dax_get_devname, id: ndctl_dax_get_id,
        uuid: ndctl_dax_get_uuid, setUUID: ndctl_dax_set_uuid, size: ndctl_dax_get_size,
        isEnabled: ndctl_dax_is_enabled, namespace: ndctl_dax_get_namespace,
        setNamespace: ndctl_dax_set_namespace, enable: ndctl_dax_enable)

    /// `ndctl_btt_*`.
    static let btt = PersonalityCalls(
        devName: ndctl_btt_get_devname, id: ndctl_btt_get_id,
        uuid: ndctl_btt_get_uuid, setUUID: ndctl_btt_set_uuid, size: ndctl_btt_get_size,
        isEnabled: ndctl_btt_is_enabled, namespace: ndctl_btt_get_namespace,
        setNamespace: ndctl_btt_set_namespace, enable: ndctl_btt_enable)
}

/// A personality that lays out `struct page` for the namespace it claims: the base of ``PFN``
/// (fsdax) and ``DAXSeed`` (devdax), whose location and alignment libndctl programs the same
/// way.
///
/// Its members are implemented once, over the table of the `ndctl_pfn_*` or `ndctl_dax_*`
/// functions each one uses.
public class PageMapPersonality: Personality {
    /// The personality's libndctl functions for `struct page` and alignment.
    let pageMap: PageMapCalls

    init(region: Region, raw: OpaquePointer, calls: PersonalityCalls, pageMap: PageMapCalls) {
        self.pageMap = pageMap
        super.init(region: region, raw: raw, calls: calls)
    }

    /// Where the `struct page` array lives.
    ///
    /// Wraps `ndctl_pfn_get_location` or `ndctl_dax_get_location`.
    public var location: MapLocation { mapLocation(pageMap.location(raw)) }

    /// Mapping alignment in bytes (0 when unset).
    ///
    /// Wraps `ndctl_pfn_get_align` or `ndctl_dax_get_align`.
    public var align: UInt64 { UInt64(pageMap.align(raw)) }

    /// Physical address of the data start, `nil` when hidden (non-root) or unknown.
    ///
    /// Wraps `ndctl_pfn_get_resource` or `ndctl_dax_get_resource`.
    public var resource: UInt64? { known(pageMap.resource(raw)) }

    /// Alignments in bytes the kernel accepts; empty when it reports none.
    ///
    /// Wraps `ndctl_pfn_get_num_alignments` and `ndctl_pfn_get_supported_alignment`, or
    /// `ndctl_dax_get_num_alignments` and `ndctl_dax_get_supported_alignment`.
    public var supportedAlignments: [UInt64] {
        supportedValues(pageMap.numAlignments(raw)) { pageMap.supportedAlignment(raw, $0) }
    }
}

extension PageMapPersonality {
    /// Sets where the `struct page` array lives.
    ///
    /// - Throws: `DaxError` `.kernelRefused` with the errno (for a dax seed, `.none` is
    ///   refused by kernels without struct-page-less device-dax).
    ///
    /// Wraps `ndctl_pfn_set_location` or `ndctl_dax_set_location`.
    public func setLocation(_ l: MapLocation) throws {
        try check(pageMap.setLocation(raw, cLocation(l)), "set map \(l.rawValue) failed")
    }

    /// Sets the mapping alignment.
    ///
    /// - Parameter a: the alignment in bytes, one of ``supportedAlignments``.
    /// - Throws: `DaxError` `.kernelRefused` with the errno.
    ///
    /// Wraps `ndctl_pfn_set_align` or `ndctl_dax_set_align`.
    public func setAlign(_ a: UInt64) throws {
        try check(pageMap.setAlign(raw, UInt(a)), "set align \(a) failed")
    }
}

/// The libndctl functions behind the members of a ``PageMapPersonality``, one table a
/// personality.
struct PageMapCalls: Sendable {
    let location: @Sendable (OpaquePointer) -> ndctl_pfn_loc
    let setLocation: @Sendable (OpaquePointer, ndctl_pfn_loc) -> Int32
    let align: @Sendable (OpaquePointer) -> UInt
    let setAlign: @Sendable (OpaquePointer, UInt) -> Int32
    let resource: @Sendable (OpaquePointer) -> UInt64
    let numAlignments: @Sendable (OpaquePointer) -> Int32
    let supportedAlignment: @Sendable (OpaquePointer, Int32) -> UInt

    /// `ndctl_pfn_*`.
    static let pfn = PageMapCalls(
        location: ndctl_pfn_get_location, setLocation: ndctl_pfn_set_location,
        align: ndctl_pfn_get_align, setAlign: ndctl_pfn_set_align, resource: ndctl_pfn_get_resource,
        numAlignments: ndctl_pfn_get_num_alignments,
        supportedAlignment: ndctl_pfn_get_supported_alignment)

    /// `ndctl_dax_*`.
    static let dax = PageMapCalls(
        location: ndctl_dax_get_location, setLocation: ndctl_dax_set_location,
        align: ndctl_dax_get_align, setAlign: ndctl_dax_set_align, resource: ndctl_dax_get_resource,
        numAlignments: ndctl_dax_get_num_alignments,
        supportedAlignment: ndctl_dax_get_supported_alignment)
}

/// A pfn device (`pfnX.Y`): the fsdax personality of a namespace.
///
/// Its info block reserves room for the namespace's `struct page` array. Its driver is pfn;
/// the members it inherits wrap the `ndctl_pfn_*` functions.
///
/// Wraps `struct ndctl_pfn`.
public final class PFN: PageMapPersonality {
    init(region: Region, raw: OpaquePointer) {
        super.init(region: region, raw: raw, calls: .pfn, pageMap: .pfn)
    }

    /// Block device name (`pmemX`), `nil` when there is none (not enabled).
    ///
    /// Wraps `ndctl_pfn_get_block_device`.
    public var blockDevice: String? { nonEmpty(ndctl_pfn_get_block_device(raw)) }
}

extension PFN {
    /// Whether the kernel lets the alignment be set.
    ///
    /// Wraps `ndctl_pfn_has_align`.
    public var hasAlign: Bool { ndctl_pfn_has_align(raw) != 0 }
}

/// A device-dax personality (`daxX.Y` under the nvdimm bus): the devdax side of a namespace.
///
/// Once enabled it is a ``DAXRegion`` with its ``DAXDevice``s. Its driver is dax_pmem; the
/// members it inherits wrap the `ndctl_dax_*` functions.
///
/// Wraps `struct ndctl_dax`.
public final class DAXSeed: PageMapPersonality {
    init(region: Region, raw: OpaquePointer) {
        super.init(region: region, raw: raw, calls: .dax, pageMap: .dax)
    }

    /// The libdaxctl view of this device's dax region, `nil` when not enabled.
    ///
    /// Wraps `ndctl_dax_get_daxctl_region`.
    public var daxRegion: DAXRegion? {
        ndctl_dax_get_daxctl_region(raw).map { DAXRegion(owner: region.bus.context, raw: $0) }
    }
}

/// A BTT (`bttX.Y`): the sector personality of a namespace.
///
/// The block translation table makes sector writes atomic. Its driver is btt; the members it
/// inherits wrap the `ndctl_btt_*` functions.
///
/// Wraps `struct ndctl_btt`.
public final class BTT: Personality {
    init(region: Region, raw: OpaquePointer) { super.init(region: region, raw: raw, calls: .btt) }

    /// Sector size in bytes.
    ///
    /// Wraps `ndctl_btt_get_sector_size`.
    public var sectorSize: UInt32 { ndctl_btt_get_sector_size(raw) }

    /// Sector sizes in bytes the kernel accepts; empty when it reports none.
    ///
    /// Wraps `ndctl_btt_get_num_sector_sizes` and `ndctl_btt_get_supported_sector_size`.
    public var supportedSectorSizes: [UInt64] {
        supportedValues(ndctl_btt_get_num_sector_sizes(raw)) {
            ndctl_btt_get_supported_sector_size(raw, $0)
        }
    }

    /// Block device name (`pmemXs`), `nil` when there is none (not enabled).
    ///
    /// Wraps `ndctl_btt_get_block_device`.
    public var blockDevice: String? { nonEmpty(ndctl_btt_get_block_device(raw)) }
}

extension BTT {
    /// Sets the sector size.
    ///
    /// - Parameter s: the sector size in bytes, one of ``supportedSectorSizes``.
    /// - Throws: `DaxError` `.kernelRefused` with the errno.
    ///
    /// Wraps `ndctl_btt_set_sector_size`.
    public func setSectorSize(_ s: UInt32) throws {
        try check(ndctl_btt_set_sector_size(raw, s), "set sector size \(s) failed")
    }
}

/// A seed that lays out struct page for the namespace it claims: the pfn (fsdax) and
/// dax (devdax) personalities, which the kernel serves with the same code
/// (drivers/nvdimm/pfn_devs.c) and libndctl programs the same way (uuid, location,
/// alignment, namespace, enable). Lets one routine configure either.
public protocol PageMapSeed: AnyObject {
    /// `pfnX.Y` or `daxX.Y`.
    var devName: String { get }
    /// Where struct page lives now.
    var location: MapLocation { get }
    /// The alignment now, in bytes.
    var align: UInt64 { get }
    /// Whether the seed has an `align` attribute (pfn seeds of old kernels lack it).
    var hasAlign: Bool { get }
    /// Sets the info-block uuid. - Throws: `DaxError` `.kernelRefused`.
    func setUUID(_ bytes: [UInt8]) throws
    /// Sets where struct page lives. - Throws: `DaxError` `.kernelRefused`.
    func setLocation(_ l: MapLocation) throws
    /// Sets the alignment, in bytes. - Throws: `DaxError` `.kernelRefused`.
    func setAlign(_ a: UInt64) throws
    /// Claims (or with nil releases) a namespace. - Throws: `DaxError` `.kernelRefused`.
    func setNamespace(_ ns: Namespace?) throws
    /// Binds the personality's driver. - Throws: `DaxError` `.kernelRefused`.
    func enable() throws
}

extension PFN: PageMapSeed {}

extension DAXSeed: PageMapSeed {
    /// Always true: every kernel with dax seeds has their `align` attribute.
    public var hasAlign: Bool { true }
}
