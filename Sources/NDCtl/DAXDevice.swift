import CNDCtl

/// A device-dax instance (`daxX.Y`, the character device `/dev/daxX.Y`).
///
/// Wraps `struct daxctl_dev`.
public final class DAXDevice {
    /// The dax region the device is carved from.
    public let region: DAXRegion
    let raw: OpaquePointer
    init(region: DAXRegion, raw: OpaquePointer) { self.region = region; self.raw = raw }

    /// Kernel device name, e.g. `dax1.0`; empty when libdaxctl has none.
    ///
    /// Wraps `daxctl_dev_get_devname`.
    public var devName: String { str(daxctl_dev_get_devname(raw)) ?? "" }

    /// Device id Y of `daxX.Y`.
    ///
    /// Wraps `daxctl_dev_get_id`.
    public var id: Int { Int(daxctl_dev_get_id(raw)) }

    /// Size in bytes.
    ///
    /// Wraps `daxctl_dev_get_size`.
    public var size: UInt64 { daxctl_dev_get_size(raw) }

    /// NUMA node the memory joins when onlined as system RAM, `nil` when unknown.
    ///
    /// Wraps `daxctl_dev_get_target_node`.
    public var targetNode: Int? { nonNegative(daxctl_dev_get_target_node(raw)) }

    /// Mapping alignment in bytes, `nil` when the kernel does not report one.
    ///
    /// Wraps `daxctl_dev_get_align`.
    public var align: UInt64? {
        let a = Int(bitPattern: UInt(daxctl_dev_get_align(raw)))
        return a > 0 ? UInt64(a) : nil
    }

    /// The alignment as ndctl stores it (an `int`, truncated from the `unsigned long`).
    ///
    /// Wraps `daxctl_dev_get_align`.
    public var alignAsInt: Int32 { Int32(truncatingIfNeeded: daxctl_dev_get_align(raw)) }

    /// Physical address of the device's start, 0 when the kernel does not report it.
    ///
    /// Wraps `daxctl_dev_get_resource`.
    public var resource: UInt64 { daxctl_dev_get_resource(raw) }

    /// Character device major number.
    ///
    /// Wraps `daxctl_dev_get_major`.
    public var major: Int { Int(daxctl_dev_get_major(raw)) }

    /// Character device minor number.
    ///
    /// Wraps `daxctl_dev_get_minor`.
    public var minor: Int { Int(daxctl_dev_get_minor(raw)) }

    /// Whether a driver (device_dax or kmem) is bound.
    ///
    /// Wraps `daxctl_dev_is_enabled`.
    public var isEnabled: Bool { daxctl_dev_is_enabled(raw) != 0 }

    /// Whether the device is bound to kmem (system-ram mode).
    ///
    /// Wraps `daxctl_dev_get_memory`.
    public var isSystemRAM: Bool { daxctl_dev_get_memory(raw) != nil }

    /// Memory block state in system-ram mode, `nil` otherwise or when the resource is unknown.
    ///
    /// Wraps `daxctl_dev_get_memory`, `daxctl_memory_is_online`,
    /// `daxctl_memory_num_sections` and `daxctl_memory_is_movable`.
    public var memoryBlocks: DAXMemoryBlocks? {
        guard let mem = daxctl_dev_get_memory(raw), daxctl_dev_get_resource(raw) != 0 else { return nil }
        let mv = daxctl_memory_is_movable(mem)
        return DAXMemoryBlocks(online: Int(daxctl_memory_is_online(mem)),
                               total: Int(daxctl_memory_num_sections(mem)),
                               movable: mv == 1 ? true : mv == 0 ? false : nil)
    }

    /// The device's physical extents, in libdaxctl's order.
    ///
    /// Wraps `daxctl_mapping_get_first`, `daxctl_mapping_get_next`,
    /// `daxctl_mapping_get_offset`, `daxctl_mapping_get_start`, `daxctl_mapping_get_end`
    /// and `daxctl_mapping_get_size`.
    public var mappings: [DAXMapping] {
        collect(daxctl_mapping_get_first(raw), next: daxctl_mapping_get_next) {
            DAXMapping(pageOffset: daxctl_mapping_get_offset($0), start: daxctl_mapping_get_start($0),
                       end: daxctl_mapping_get_end($0), size: daxctl_mapping_get_size($0))
        }
    }
}

/// Hot-plugged memory state of a dax device in system-ram mode.
///
/// Wraps `struct daxctl_memory`.
public struct DAXMemoryBlocks: Sendable, Equatable {
    /// Number of memory blocks online.
    public var online: Int
    /// Number of memory blocks the device spans.
    public var total: Int
    /// Whether the blocks are onlined movable (`ZONE_MOVABLE`), `nil` when unknown.
    public var movable: Bool?
}

/// A physical extent of a dax device (`mappingN`).
///
/// Wraps `struct daxctl_mapping`.
public struct DAXMapping: Sendable, Equatable {
    /// Offset of the extent within the device, in pages (sysfs `page_offset`).
    public var pageOffset: UInt64
    /// Physical address of the extent's first byte.
    public var start: UInt64
    /// Physical address of the extent's last byte (inclusive).
    public var end: UInt64
    /// Size of the extent in bytes.
    public var size: UInt64
}

// MARK: - Write side (kernel state changes)

extension DAXDevice {
    /// Sets the device's size, in bytes: a dynamic region allocates it from its free
    /// ranges, first fit (several ranges when fragmented); 0 releases them. The device
    /// must be disabled.
    ///
    /// - Throws: `DaxError` `.kernelRefused` (EBUSY when enabled, ENOSPC without room,
    ///   EINVAL when not a multiple of the alignment).
    ///
    /// Wraps `daxctl_dev_set_size` (sysfs `size`).
    public func setSize(_ bytes: UInt64) throws {
        try checkRC(daxctl_dev_set_size(raw, bytes), devName, "set size \(bytes) failed")
    }

    /// Sets the device's mapping alignment, in bytes (4K, 2M or 1G); the device must be
    /// disabled and of size 0 on dynamic regions.
    ///
    /// - Throws: `DaxError` `.kernelRefused` (EINVAL for an alignment the region refuses).
    ///
    /// Wraps `daxctl_dev_set_align` (sysfs `align`).
    public func setAlign(_ bytes: UInt64) throws {
        try checkRC(daxctl_dev_set_align(raw, UInt(bytes)), devName, "set align \(bytes) failed")
    }

    /// Claims an exact physical range for the device, appended to its mappings: what
    /// replays a saved layout. Both addresses are physical, `end` inclusive.
    ///
    /// - Throws: `DaxError` `.kernelRefused` (EINVAL when the range is not free or not
    ///   aligned).
    ///
    /// Wraps `daxctl_dev_set_mapping` (sysfs `mapping`, "START-END").
    public func setMapping(start: UInt64, end: UInt64) throws {
        try checkRC(daxctl_dev_set_mapping(raw, start, end), devName,
                    "claim range \(hexAddress(start))-\(hexAddress(end)) failed")
    }

    /// Unbinds the device's driver (device_dax or kmem); kmem's memory must be offline.
    ///
    /// - Throws: `DaxError` `.kernelRefused` (EBUSY with memory online).
    ///
    /// Wraps `daxctl_dev_disable`.
    public func disable() throws {
        try checkRC(daxctl_dev_disable(raw), devName, "disable failed")
    }

    /// Binds device_dax: the device becomes `/dev/daxX.Y` (devdax mode).
    ///
    /// - Throws: `DaxError` `.kernelRefused`.
    ///
    /// Wraps `daxctl_dev_enable_devdax` (which loads device_dax when needed).
    public func enableDevdax() throws {
        try checkRC(daxctl_dev_enable_devdax(raw), devName, "enable in devdax mode failed")
    }

    /// Binds kmem: the device's memory blocks are hot-added (system-ram mode); whether they
    /// come online is the kernel's auto-online policy.
    ///
    /// - Throws: `DaxError` `.kernelRefused` (EINVAL when no whole memory block fits).
    ///
    /// Wraps `daxctl_dev_enable_ram` (which loads kmem when needed).
    public func enableSystemRAM() throws {
        try checkRC(daxctl_dev_enable_ram(raw), devName, "enable in system-ram mode failed")
    }

    /// Whether the kernel will online the memory by itself when kmem adds it
    /// (`/sys/devices/system/memory/auto_online_blocks` is not `offline`).
    ///
    /// Wraps `daxctl_dev_will_auto_online_memory`.
    public var willAutoOnlineMemory: Bool { daxctl_dev_will_auto_online_memory(raw) != 0 }

    /// Whether any of the device's memory blocks is online.
    ///
    /// Wraps `daxctl_dev_has_online_memory`.
    public var hasOnlineMemory: Bool { daxctl_dev_has_online_memory(raw) != 0 }

    /// The device's hot-plugged memory, in system-ram mode; nil otherwise.
    ///
    /// Wraps `daxctl_dev_get_memory`.
    public var memory: DAXMemory? { daxctl_dev_get_memory(raw).map { DAXMemory(device: self, raw: $0) } }
}

/// The memory blocks of a dax device in system-ram mode (`/sys/devices/system/memory/
/// memoryN` for each block the device spans).
///
/// Wraps `struct daxctl_memory`.
public final class DAXMemory {
    /// The device whose memory this is.
    public let device: DAXDevice
    let raw: OpaquePointer
    init(device: DAXDevice, raw: OpaquePointer) { self.device = device; self.raw = raw }

    /// The memory block size, in bytes (`block_size_bytes`: 128 MiB on most x86 hosts).
    ///
    /// Wraps `daxctl_memory_get_block_size`.
    public var blockSize: UInt64 { UInt64(daxctl_memory_get_block_size(raw)) }

    /// The sysfs directory of the NUMA node the memory joins, nil when unknown.
    ///
    /// Wraps `daxctl_memory_get_node_path`.
    public var nodePath: String? { str(daxctl_memory_get_node_path(raw)) }

    /// Memory blocks online; negative errno on failure.
    ///
    /// Wraps `daxctl_memory_is_online`.
    public var onlineBlocks: Int { Int(daxctl_memory_is_online(raw)) }

    /// Memory blocks the device spans.
    ///
    /// Wraps `daxctl_memory_num_sections`.
    public var totalBlocks: Int { Int(daxctl_memory_num_sections(raw)) }

    /// Whether the online blocks are in ZONE_MOVABLE (nil when mixed or none).
    ///
    /// Wraps `daxctl_memory_is_movable`.
    public var isMovable: Bool? {
        let m = daxctl_memory_is_movable(raw)
        return m == 1 ? true : m == 0 ? false : nil
    }

    /// Onlines every offline block, movable (ZONE_MOVABLE: it can be offlined again).
    ///
    /// - Returns: the number of blocks onlined.
    /// - Throws: `DaxError` `.kernelRefused`.
    ///
    /// Wraps `daxctl_memory_online` (writes `online_movable` to each block's `state`).
    @discardableResult
    public func onlineMovable() throws -> Int {
        let rc = daxctl_memory_online(raw)
        try checkRC(rc, device.devName, "online memory failed")
        return Int(rc)
    }

    /// Onlines every offline block into a normal zone: usable by the kernel itself, and
    /// so possibly never offline again (EBUSY).
    ///
    /// - Returns: the number of blocks onlined.
    /// - Throws: `DaxError` `.kernelRefused`.
    ///
    /// Wraps `daxctl_memory_online_no_movable` (writes `online` to each block's `state`).
    @discardableResult
    public func onlineNormal() throws -> Int {
        let rc = daxctl_memory_online_no_movable(raw)
        try checkRC(rc, device.devName, "online memory failed")
        return Int(rc)
    }

    /// Offlines every online block.
    ///
    /// - Returns: the number of blocks offlined.
    /// - Throws: `DaxError` `.kernelRefused` (EBUSY when a block holds unmovable pages).
    ///
    /// Wraps `daxctl_memory_offline` (writes `offline` to each block's `state`).
    @discardableResult
    public func offline() throws -> Int {
        let rc = daxctl_memory_offline(raw)
        try checkRC(rc, device.devName, "offline memory failed")
        return Int(rc)
    }
}
