import CNDCtl

/// A dax region: a physical range from which device-dax instances are carved.
///
/// Wraps `struct daxctl_region`.
public final class DAXRegion {
    /// Keeps the owning context (DAXContext or NDContext) alive.
    let owner: AnyObject
    let raw: OpaquePointer
    init(owner: AnyObject, raw: OpaquePointer) { self.owner = owner; self.raw = raw }

    /// Region id N (of `daxN.Y`).
    ///
    /// Wraps `daxctl_region_get_id`.
    public var id: Int { Int(daxctl_region_get_id(raw)) }

    /// Full sysfs path of the region's parent device, `nil` when libdaxctl has none.
    ///
    /// Wraps `daxctl_region_get_path`.
    public var path: String? { str(daxctl_region_get_path(raw)) }

    /// Device name of the region's parent device, `nil` when libdaxctl has none.
    ///
    /// Wraps `daxctl_region_get_devname`.
    public var devName: String? { str(daxctl_region_get_devname(raw)) }

    /// Size in bytes, `nil` when unknown.
    ///
    /// Wraps `daxctl_region_get_size`.
    public var size: UInt64? { known(daxctl_region_get_size(raw)) }

    /// Bytes not yet assigned to a device (dynamic regions only; 0 for static ones).
    ///
    /// Wraps `daxctl_region_get_available_size`.
    public var availableSize: UInt64 { daxctl_region_get_available_size(raw) }

    /// Region alignment in bytes, `nil` when unknown.
    ///
    /// Wraps `daxctl_region_get_align`.
    public var align: UInt64? { known(daxctl_region_get_align(raw)).map(UInt64.init) }

    /// The region's device-dax instances, in libdaxctl's order.
    ///
    /// Wraps `daxctl_dev_get_first` and `daxctl_dev_get_next`.
    public var devices: [DAXDevice] {
        collect(daxctl_dev_get_first(raw), next: daxctl_dev_get_next) {
            DAXDevice(region: self, raw: $0)
        }
    }
}

// MARK: - Write side (kernel state changes)

extension DAXRegion {
    /// The region's seed device: the 0-byte device the next create sizes.
    ///
    /// Wraps `daxctl_region_get_dev_seed`.
    public var deviceSeed: DAXDevice? { daxctl_region_get_dev_seed(raw).map { DAXDevice(region: self, raw: $0) } }

    /// Makes the kernel create a new seed device (after the current seed was sized).
    ///
    /// - Throws: `DaxError` `.kernelRefused` (ENXIO/EOPNOTSUPP on a static region).
    ///
    /// Wraps `daxctl_region_create_dev` (sysfs `dax_region/create`).
    public func createDevice() throws {
        try checkRC(daxctl_region_create_dev(raw), devName ?? "region\(id)", "create device failed")
    }

    /// Deletes a disabled, 0-byte device from the region.
    ///
    /// - Throws: `DaxError` `.kernelRefused` (EBUSY when enabled or sized).
    ///
    /// Wraps `daxctl_region_destroy_dev` (sysfs `dax_region/delete`).
    public func destroyDevice(_ device: DAXDevice) throws {
        try checkRC(daxctl_region_destroy_dev(raw, device.raw), device.devName, "destroy failed")
    }
}
