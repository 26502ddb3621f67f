import CNDCtl
import DaxCore

/// A namespace (`namespaceX.Y`): a range of a region.
///
/// It is used raw or claimed by a personality: ``PFN`` for fsdax, ``DAXSeed`` for devdax,
/// ``BTT`` for sector.
///
/// Two values are equal when they wrap the same libndctl namespace. Its
/// ``KernelDevice/devName`` (`namespace1.0`) and ``KernelDevice/id`` (Y of `namespaceX.Y`)
/// wrap `ndctl_namespace_get_devname` and `ndctl_namespace_get_id`.
///
/// Wraps `struct ndctl_namespace`.
public final class Namespace: KernelDevice, Equatable, WrapsOneObject {
    /// The region the namespace is in.
    public let region: Region
    init(region: Region, raw: OpaquePointer) {
        self.region = region
        super.init(raw: raw, devName: ndctl_namespace_get_devname, id: ndctl_namespace_get_id)
    }

    /// Device type: label-less (`.io`), label-backed pmem or blk.
    ///
    /// Wraps `ndctl_namespace_get_type`.
    public var type: NamespaceType { namespaceDeviceType(ndctl_namespace_get_type(raw)) }

    /// The personality the kernel reports.
    ///
    /// Wraps `ndctl_namespace_get_mode`.
    public var mode: NamespaceMode { namespaceMode(ndctl_namespace_get_mode(raw)) }

    /// The personality the namespace is claimed for.
    ///
    /// Wraps `ndctl_namespace_get_enforce_mode`.
    public var enforceMode: NamespaceMode { namespaceMode(ndctl_namespace_get_enforce_mode(raw)) }

    /// Raw capacity in bytes (before pfn/btt metadata), `nil` when unknown.
    ///
    /// Wraps `ndctl_namespace_get_size`.
    public var size: UInt64? { known(ndctl_namespace_get_size(raw)) }

    /// Physical address of the namespace's start, `nil` when hidden (non-root) or unknown.
    ///
    /// Wraps `ndctl_namespace_get_resource`.
    public var resource: UInt64? { known(ndctl_namespace_get_resource(raw)) }

    /// Label uuid as 16 bytes, all zero when unset.
    ///
    /// Wraps `ndctl_namespace_get_uuid`.
    public var uuidBytes: [UInt8] { readUUID { ndctl_namespace_get_uuid(raw, $0) } }

    /// Label uuid in RFC 4122 form, `nil` when unset (label-less namespaces, idle seeds).
    ///
    /// Wraps `ndctl_namespace_get_uuid`.
    public var uuid: String? {
        let b = uuidBytes
        return b.allSatisfy { $0 == 0 } ? nil : formatUUID(b)
    }

    /// Label name (`alt_name`), `nil` when empty.
    ///
    /// Wraps `ndctl_namespace_get_alt_name`.
    public var name: String? { nonEmpty(ndctl_namespace_get_alt_name(raw)) }

    /// Sector size in bytes of the raw namespace: 0 when unset, `nil` when unknown.
    ///
    /// Wraps `ndctl_namespace_get_sector_size`.
    public var sectorSize: UInt32? { known(ndctl_namespace_get_sector_size(raw)) }

    /// NUMA node, `nil` when the kernel reports none.
    ///
    /// Wraps `ndctl_namespace_get_numa_node`.
    public var numaNode: Int? { nonNegative(ndctl_namespace_get_numa_node(raw)) }

    /// NUMA node as libndctl returns it, negative when there is none.
    ///
    /// Wraps `ndctl_namespace_get_numa_node`.
    public var numaNodeRaw: Int { Int(ndctl_namespace_get_numa_node(raw)) }

    /// NUMA node the memory joins when onlined as system RAM, `nil` when unknown.
    ///
    /// Wraps `ndctl_namespace_get_target_node`.
    public var targetNode: Int? { nonNegative(ndctl_namespace_get_target_node(raw)) }

    /// Whether the namespace is enabled or claimed by an enabled btt/pfn/dax.
    ///
    /// Wraps `ndctl_namespace_is_active`.
    public var isActive: Bool { ndctl_namespace_is_active(raw) }

    /// Whether the namespace's own driver is bound.
    ///
    /// Wraps `ndctl_namespace_is_enabled`.
    public var isEnabled: Bool { ndctl_namespace_is_enabled(raw) != 0 }

    /// Whether the namespace has a size and uuid (is not an idle seed).
    ///
    /// Wraps `ndctl_namespace_is_configured`.
    public var isConfigured: Bool { ndctl_namespace_is_configured(raw) != 0 }

    /// Block device name (`pmemX`) of a raw namespace, `nil` when there is none.
    ///
    /// Wraps `ndctl_namespace_get_block_device`.
    public var blockDevice: String? { nonEmpty(ndctl_namespace_get_block_device(raw)) }

    /// The btt that claims the namespace (sector mode), `nil` when none.
    ///
    /// Wraps `ndctl_namespace_get_btt`.
    public var btt: BTT? { ndctl_namespace_get_btt(raw).map { BTT(region: region, raw: $0) } }

    /// The pfn device that claims the namespace (fsdax mode), `nil` when none.
    ///
    /// Wraps `ndctl_namespace_get_pfn`.
    public var pfn: PFN? { ndctl_namespace_get_pfn(raw).map { PFN(region: region, raw: $0) } }

    /// The dax device that claims the namespace (devdax mode), `nil` when none.
    ///
    /// Wraps `ndctl_namespace_get_dax`.
    public var dax: DAXSeed? { ndctl_namespace_get_dax(raw).map { DAXSeed(region: region, raw: $0) } }

    /// Media errors inside the namespace; empty when there are none.
    ///
    /// Wraps `ndctl_namespace_get_first_badblock` and `ndctl_namespace_get_next_badblock`.
    public var badBlocks: [BadBlock] {
        collectBadBlocks(ndctl_namespace_get_first_badblock(raw)) {
            ndctl_namespace_get_next_badblock(raw)
        }
    }
}

// MARK: - Configuration (kernel state changes)

extension Namespace {
    /// Whether the namespace is an idle seed (no uuid, size 0).
    ///
    /// Wraps `ndctl_namespace_is_configuration_idle`.
    public var isConfigurationIdle: Bool { ndctl_namespace_is_configuration_idle(raw) != 0 }

    /// Sector sizes in bytes the namespace accepts; empty when it reports none.
    ///
    /// Wraps `ndctl_namespace_get_num_sector_sizes` and
    /// `ndctl_namespace_get_supported_sector_size`.
    public var supportedSectorSizes: [UInt64] {
        supportedValues(ndctl_namespace_get_num_sector_sizes(raw)) {
            ndctl_namespace_get_supported_sector_size(raw, $0)
        }
    }

    /// Sets the label uuid.
    ///
    /// - Parameter bytes: the uuid's 16 bytes.
    /// - Throws: `DaxError` `.kernelRefused` with the errno.
    ///
    /// Wraps `ndctl_namespace_set_uuid`.
    public func setUUID(_ bytes: [UInt8]) throws {
        try check(writeUUID(bytes) { ndctl_namespace_set_uuid(raw, $0) }, "set uuid failed")
    }

    /// Sets the label name (`alt_name`).
    ///
    /// - Throws: `DaxError` `.kernelRefused` with the errno.
    ///
    /// Wraps `ndctl_namespace_set_alt_name`.
    public func setName(_ name: String) throws {
        try check(ndctl_namespace_set_alt_name(raw, name), "set name \"\(name)\" failed")
    }

    /// Sets the raw capacity, allocating it from the region.
    ///
    /// - Parameter size: the capacity in bytes; 0 releases it.
    /// - Throws: `DaxError` `.kernelRefused` with the errno.
    ///
    /// Wraps `ndctl_namespace_set_size`.
    public func setSize(_ size: UInt64) throws {
        try check(ndctl_namespace_set_size(raw, size), "set size \(size) failed")
    }

    /// Sets the sector size of the raw namespace.
    ///
    /// - Parameter size: the sector size in bytes, one of ``supportedSectorSizes``.
    /// - Throws: `DaxError` `.kernelRefused` with the errno.
    ///
    /// Wraps `ndctl_namespace_set_sector_size`.
    public func setSectorSize(_ size: UInt32) throws {
        try check(ndctl_namespace_set_sector_size(raw, size), "set sector size \(size) failed")
    }

    /// Claims the namespace for a personality.
    ///
    /// Does not throw: older kernels lack the attribute, so callers may ignore the result
    /// as ndctl does.
    ///
    /// - Returns: 0, or a negative errno.
    ///
    /// Wraps `ndctl_namespace_set_enforce_mode`.
    @discardableResult
    public func setEnforceMode(_ mode: NamespaceMode) -> Int32 {
        ndctl_namespace_set_enforce_mode(raw, cMode(mode))
    }

    /// Forces the namespace to be used raw, ignoring any personality info block on it.
    ///
    /// - Throws: `DaxError` `.kernelRefused` with the errno.
    ///
    /// Wraps `ndctl_namespace_set_raw_mode`.
    public func setRawMode(_ on: Bool) throws {
        try check(ndctl_namespace_set_raw_mode(raw, on ? 1 : 0), "set raw mode failed")
    }

    /// Binds the namespace's driver.
    ///
    /// - Throws: `DaxError` `.kernelRefused` with the errno.
    ///
    /// Wraps `ndctl_namespace_enable`.
    public func enable() throws { try check(ndctl_namespace_enable(raw), "enable failed") }

    /// Unbinds the namespace's driver, refusing while a filesystem on it is mounted.
    ///
    /// - Throws: `DaxError` `.kernelRefused` with the errno (`EBUSY` when mounted).
    ///
    /// Wraps `ndctl_namespace_disable_safe`.
    public func disableSafe() throws { try check(ndctl_namespace_disable_safe(raw), "disable failed") }

    /// Unbinds the namespace and tears down its btt/pfn/dax claim.
    ///
    /// - Throws: `DaxError` `.kernelRefused` with the errno.
    ///
    /// Wraps `ndctl_namespace_disable_invalidate`.
    public func disableInvalidate() throws {
        try check(ndctl_namespace_disable_invalidate(raw), "disable failed")
    }

    /// Releases the namespace's capacity and labels; the namespace must be disabled.
    ///
    /// - Throws: `DaxError` `.kernelRefused` with the errno.
    ///
    /// Wraps `ndctl_namespace_delete`.
    public func delete() throws { try check(ndctl_namespace_delete(raw), "delete failed") }
}
