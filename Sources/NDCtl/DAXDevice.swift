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
