// The personalities that claim a namespace: PFN (fsdax), DAXSeed (devdax), BTT (sector).
// Each is configured while idle (uuid, location/alignment or sector size, namespace) and
// then enabled.
import CNDCtl
import DaxCore

/// A pfn device (`pfnX.Y`): the fsdax personality of a namespace.
///
/// Its info block reserves room for the namespace's `struct page` array.
///
/// Wraps `struct ndctl_pfn`.
public final class PFN: KernelDevice {
    /// The region the device is in.
    public let region: Region
    let raw: OpaquePointer
    init(region: Region, raw: OpaquePointer) { self.region = region; self.raw = raw }

    /// Kernel device name, e.g. `pfn1.0`; empty when libndctl has none.
    ///
    /// Wraps `ndctl_pfn_get_devname`.
    public var devName: String { str(ndctl_pfn_get_devname(raw)) ?? "" }

    /// Info block uuid in RFC 4122 form (all zeros when unset).
    ///
    /// Wraps `ndctl_pfn_get_uuid`.
    public var uuid: String { formatUUID(readUUID { ndctl_pfn_get_uuid(raw, $0) }) }

    /// Where the `struct page` array lives.
    ///
    /// Wraps `ndctl_pfn_get_location`.
    public var location: MapLocation { mapLocation(ndctl_pfn_get_location(raw)) }

    /// Mapping alignment in bytes (0 when unset).
    ///
    /// Wraps `ndctl_pfn_get_align`.
    public var align: UInt64 { UInt64(ndctl_pfn_get_align(raw)) }

    /// Usable data size in bytes after the info block and `struct page` array, `nil` if unknown.
    ///
    /// Wraps `ndctl_pfn_get_size`.
    public var size: UInt64? { known(ndctl_pfn_get_size(raw)) }

    /// Physical address of the data start, `nil` when hidden (non-root) or unknown.
    ///
    /// Wraps `ndctl_pfn_get_resource`.
    public var resource: UInt64? { known(ndctl_pfn_get_resource(raw)) }

    /// Alignments in bytes the kernel accepts; empty when it reports none.
    ///
    /// Wraps `ndctl_pfn_get_num_alignments` and `ndctl_pfn_get_supported_alignment`.
    public var supportedAlignments: [UInt64] {
        supportedValues(ndctl_pfn_get_num_alignments(raw)) {
            ndctl_pfn_get_supported_alignment(raw, $0)
        }
    }

    /// Block device name (`pmemX`), `nil` when there is none (not enabled).
    ///
    /// Wraps `ndctl_pfn_get_block_device`.
    public var blockDevice: String? { nonEmpty(ndctl_pfn_get_block_device(raw)) }

    /// Whether the pfn driver is bound.
    ///
    /// Wraps `ndctl_pfn_is_enabled`.
    public var isEnabled: Bool { ndctl_pfn_is_enabled(raw) != 0 }

    /// The namespace the device claims, `nil` when none.
    ///
    /// Wraps `ndctl_pfn_get_namespace`.
    public var namespace: Namespace? {
        ndctl_pfn_get_namespace(raw).map { Namespace(region: region, raw: $0) }
    }
}

extension PFN {
    /// Whether the kernel lets the alignment be set.
    ///
    /// Wraps `ndctl_pfn_has_align`.
    public var hasAlign: Bool { ndctl_pfn_has_align(raw) != 0 }

    /// Sets the info block uuid.
    ///
    /// - Parameter bytes: the uuid's 16 bytes.
    /// - Throws: `DaxError` `.kernelRefused` with the errno.
    ///
    /// Wraps `ndctl_pfn_set_uuid`.
    public func setUUID(_ bytes: [UInt8]) throws {
        try check(writeUUID(bytes) { ndctl_pfn_set_uuid(raw, $0) }, "set uuid failed")
    }

    /// Sets where the `struct page` array lives.
    ///
    /// - Throws: `DaxError` `.kernelRefused` with the errno.
    ///
    /// Wraps `ndctl_pfn_set_location`.
    public func setLocation(_ l: MapLocation) throws {
        try check(ndctl_pfn_set_location(raw, cLocation(l)), "set map \(l.rawValue) failed")
    }

    /// Sets the mapping alignment.
    ///
    /// - Parameter a: the alignment in bytes, one of ``supportedAlignments``.
    /// - Throws: `DaxError` `.kernelRefused` with the errno.
    ///
    /// Wraps `ndctl_pfn_set_align`.
    public func setAlign(_ a: UInt64) throws {
        try check(ndctl_pfn_set_align(raw, UInt(a)), "set align \(a) failed")
    }

    /// Attaches the namespace to claim, or with `nil` detaches it.
    ///
    /// - Throws: `DaxError` `.kernelRefused` with the errno.
    ///
    /// Wraps `ndctl_pfn_set_namespace`.
    public func setNamespace(_ ns: Namespace?) throws {
        try check(ndctl_pfn_set_namespace(raw, ns?.raw), "set namespace failed")
    }

    /// Binds the pfn driver, which writes the info block and claims the namespace.
    ///
    /// - Throws: `DaxError` `.kernelRefused` with the errno.
    ///
    /// Wraps `ndctl_pfn_enable`.
    public func enable() throws { try check(ndctl_pfn_enable(raw), "enable failed") }
}

/// A device-dax personality (`daxX.Y` under the nvdimm bus): the devdax side of a namespace.
///
/// Once enabled it is a ``DAXRegion`` with its ``DAXDevice``s.
///
/// Wraps `struct ndctl_dax`.
public final class DAXSeed: KernelDevice {
    /// The region the device is in.
    public let region: Region
    let raw: OpaquePointer
    init(region: Region, raw: OpaquePointer) { self.region = region; self.raw = raw }

    /// Kernel device name, e.g. `dax1.0`; empty when libndctl has none.
    ///
    /// Wraps `ndctl_dax_get_devname`.
    public var devName: String { str(ndctl_dax_get_devname(raw)) ?? "" }

    /// Info block uuid in RFC 4122 form (all zeros when unset).
    ///
    /// Wraps `ndctl_dax_get_uuid`.
    public var uuid: String { formatUUID(readUUID { ndctl_dax_get_uuid(raw, $0) }) }

    /// Where the `struct page` array lives.
    ///
    /// Wraps `ndctl_dax_get_location`.
    public var location: MapLocation { mapLocation(ndctl_dax_get_location(raw)) }

    /// Mapping alignment in bytes (0 when unset).
    ///
    /// Wraps `ndctl_dax_get_align`.
    public var align: UInt64 { UInt64(ndctl_dax_get_align(raw)) }

    /// Usable data size in bytes after the info block and `struct page` array, `nil` if unknown.
    ///
    /// Wraps `ndctl_dax_get_size`.
    public var size: UInt64? { known(ndctl_dax_get_size(raw)) }

    /// Physical address of the data start, `nil` when hidden (non-root) or unknown.
    ///
    /// Wraps `ndctl_dax_get_resource`.
    public var resource: UInt64? { known(ndctl_dax_get_resource(raw)) }

    /// Alignments in bytes the kernel accepts; empty when it reports none.
    ///
    /// Wraps `ndctl_dax_get_num_alignments` and `ndctl_dax_get_supported_alignment`.
    public var supportedAlignments: [UInt64] {
        supportedValues(ndctl_dax_get_num_alignments(raw)) {
            ndctl_dax_get_supported_alignment(raw, $0)
        }
    }

    /// Whether the dax_pmem driver is bound.
    ///
    /// Wraps `ndctl_dax_is_enabled`.
    public var isEnabled: Bool { ndctl_dax_is_enabled(raw) != 0 }

    /// The namespace the device claims, `nil` when none.
    ///
    /// Wraps `ndctl_dax_get_namespace`.
    public var namespace: Namespace? {
        ndctl_dax_get_namespace(raw).map { Namespace(region: region, raw: $0) }
    }

    /// The libdaxctl view of this device's dax region, `nil` when not enabled.
    ///
    /// Wraps `ndctl_dax_get_daxctl_region`.
    public var daxRegion: DAXRegion? {
        ndctl_dax_get_daxctl_region(raw).map { DAXRegion(owner: region.bus.context, raw: $0) }
    }
}

extension DAXSeed {
    /// Sets the info block uuid.
    ///
    /// - Parameter bytes: the uuid's 16 bytes.
    /// - Throws: `DaxError` `.kernelRefused` with the errno.
    ///
    /// Wraps `ndctl_dax_set_uuid`.
    public func setUUID(_ bytes: [UInt8]) throws {
        try check(writeUUID(bytes) { ndctl_dax_set_uuid(raw, $0) }, "set uuid failed")
    }

    /// Sets where the `struct page` array lives.
    ///
    /// - Throws: `DaxError` `.kernelRefused` with the errno (`.none` is refused by kernels
    ///   without struct-page-less device-dax).
    ///
    /// Wraps `ndctl_dax_set_location`.
    public func setLocation(_ l: MapLocation) throws {
        try check(ndctl_dax_set_location(raw, cLocation(l)), "set map \(l.rawValue) failed")
    }

    /// Sets the mapping alignment.
    ///
    /// - Parameter a: the alignment in bytes, one of ``supportedAlignments``.
    /// - Throws: `DaxError` `.kernelRefused` with the errno.
    ///
    /// Wraps `ndctl_dax_set_align`.
    public func setAlign(_ a: UInt64) throws {
        try check(ndctl_dax_set_align(raw, UInt(a)), "set align \(a) failed")
    }

    /// Attaches the namespace to claim, or with `nil` detaches it.
    ///
    /// - Throws: `DaxError` `.kernelRefused` with the errno.
    ///
    /// Wraps `ndctl_dax_set_namespace`.
    public func setNamespace(_ ns: Namespace?) throws {
        try check(ndctl_dax_set_namespace(raw, ns?.raw), "set namespace failed")
    }

    /// Binds the dax_pmem driver, which writes the info block and claims the namespace.
    ///
    /// - Throws: `DaxError` `.kernelRefused` with the errno.
    ///
    /// Wraps `ndctl_dax_enable`.
    public func enable() throws { try check(ndctl_dax_enable(raw), "enable failed") }
}

/// A BTT (`bttX.Y`): the sector personality of a namespace.
///
/// The block translation table makes sector writes atomic.
///
/// Wraps `struct ndctl_btt`.
public final class BTT: KernelDevice {
    /// The region the device is in.
    public let region: Region
    let raw: OpaquePointer
    init(region: Region, raw: OpaquePointer) { self.region = region; self.raw = raw }

    /// Kernel device name, e.g. `btt1.0`; empty when libndctl has none.
    ///
    /// Wraps `ndctl_btt_get_devname`.
    public var devName: String { str(ndctl_btt_get_devname(raw)) ?? "" }

    /// BTT uuid in RFC 4122 form (all zeros when unset).
    ///
    /// Wraps `ndctl_btt_get_uuid`.
    public var uuid: String { formatUUID(readUUID { ndctl_btt_get_uuid(raw, $0) }) }

    /// Sector size in bytes.
    ///
    /// Wraps `ndctl_btt_get_sector_size`.
    public var sectorSize: UInt32 { ndctl_btt_get_sector_size(raw) }

    /// Usable data size in bytes after the BTT metadata, `nil` when unknown.
    ///
    /// Wraps `ndctl_btt_get_size`.
    public var size: UInt64? { known(ndctl_btt_get_size(raw)) }

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

    /// Whether the btt driver is bound.
    ///
    /// Wraps `ndctl_btt_is_enabled`.
    public var isEnabled: Bool { ndctl_btt_is_enabled(raw) != 0 }

    /// The namespace the BTT claims, `nil` when none.
    ///
    /// Wraps `ndctl_btt_get_namespace`.
    public var namespace: Namespace? {
        ndctl_btt_get_namespace(raw).map { Namespace(region: region, raw: $0) }
    }
}

extension BTT {
    /// Sets the BTT uuid.
    ///
    /// - Parameter bytes: the uuid's 16 bytes.
    /// - Throws: `DaxError` `.kernelRefused` with the errno.
    ///
    /// Wraps `ndctl_btt_set_uuid`.
    public func setUUID(_ bytes: [UInt8]) throws {
        try check(writeUUID(bytes) { ndctl_btt_set_uuid(raw, $0) }, "set uuid failed")
    }

    /// Sets the sector size.
    ///
    /// - Parameter s: the sector size in bytes, one of ``supportedSectorSizes``.
    /// - Throws: `DaxError` `.kernelRefused` with the errno.
    ///
    /// Wraps `ndctl_btt_set_sector_size`.
    public func setSectorSize(_ s: UInt32) throws {
        try check(ndctl_btt_set_sector_size(raw, s), "set sector size \(s) failed")
    }

    /// Attaches the namespace to claim, or with `nil` detaches it.
    ///
    /// - Throws: `DaxError` `.kernelRefused` with the errno.
    ///
    /// Wraps `ndctl_btt_set_namespace`.
    public func setNamespace(_ ns: Namespace?) throws {
        try check(ndctl_btt_set_namespace(raw, ns?.raw), "set namespace failed")
    }

    /// Binds the btt driver, which writes the BTT and claims the namespace.
    ///
    /// - Throws: `DaxError` `.kernelRefused` with the errno.
    ///
    /// Wraps `ndctl_btt_enable`.
    public func enable() throws { try check(ndctl_btt_enable(raw), "enable failed") }
}
