// The one funnel to libdaxctl: every daxctl_* call of the NDCtl module lives in this file.
import CNDCtl
import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

@inline(__always)
private func str(_ p: UnsafePointer<CChar>?) -> String? {
    guard let p else { return nil }
    return String(cString: p)
}

/// A libdaxctl library context (`struct daxctl_ctx`); wraps `daxctl_new`/`daxctl_unref`.
public final class DAXContext {
    let raw: OpaquePointer

    /// Creates a context; wraps `daxctl_new`.
    public init() throws {
        var ctx: OpaquePointer?
        let rc = daxctl_new(&ctx)
        guard rc == 0, let ctx else {
            throw NDCtlError.fromReturn(rc, "daxctl context: cannot initialise libdaxctl (is sysfs mounted?)", code: .contextCreation)
        }
        raw = ctx
        if getenv("DAXCTL_LOG") == nil { daxctl_set_log_priority(ctx, 0) }
    }

    deinit { daxctl_unref(raw) }

    /// Every dax region on the system (pmem-backed, hmem, CXL); wraps `daxctl_region_get_first/next`.
    public var regions: [DAXRegion] {
        var out: [DAXRegion] = []
        var r = daxctl_region_get_first(raw)
        while let cur = r {
            out.append(DAXRegion(owner: self, raw: cur))
            r = daxctl_region_get_next(cur)
        }
        return out
    }
}

/// A dax region: a physical range from which dax devices are carved.
public final class DAXRegion {
    /// Keeps the owning context (DAXContext or NDContext) alive.
    let owner: AnyObject
    let raw: OpaquePointer
    init(owner: AnyObject, raw: OpaquePointer) { self.owner = owner; self.raw = raw }

    public var id: Int { Int(daxctl_region_get_id(raw)) }
    /// Full sysfs path of the region's parent device.
    public var path: String? { str(daxctl_region_get_path(raw)) }
    public var devName: String? { str(daxctl_region_get_devname(raw)) }
    /// Size in bytes, `nil` if unknown.
    public var size: UInt64? {
        let s = daxctl_region_get_size(raw)
        return s == UInt64.max ? nil : s
    }
    /// Bytes not yet assigned to a device (dynamic regions only; 0 for static ones).
    public var availableSize: UInt64 { daxctl_region_get_available_size(raw) }
    /// Region alignment, `nil` if unknown.
    public var align: UInt64? {
        let a = daxctl_region_get_align(raw)
        return a == UInt.max ? nil : UInt64(a)
    }
    public var devices: [DAXDevice] {
        var out: [DAXDevice] = []
        var d = daxctl_dev_get_first(raw)
        while let cur = d {
            out.append(DAXDevice(region: self, raw: cur))
            d = daxctl_dev_get_next(cur)
        }
        return out
    }
}

/// Hot-plugged memory state of a dax device in system-ram mode.
public struct DAXMemoryBlocks: Sendable, Equatable {
    public var online: Int
    public var total: Int
    /// `nil` when unknown.
    public var movable: Bool?
}

/// A physical extent of a dax device.
public struct DAXMapping: Sendable, Equatable {
    public var pageOffset: UInt64
    public var start: UInt64
    public var end: UInt64
    public var size: UInt64
}

/// A device-dax instance (`daxX.Y`).
public final class DAXDevice {
    public let region: DAXRegion
    let raw: OpaquePointer
    init(region: DAXRegion, raw: OpaquePointer) { self.region = region; self.raw = raw }

    public var devName: String { str(daxctl_dev_get_devname(raw)) ?? "" }
    public var id: Int { Int(daxctl_dev_get_id(raw)) }
    public var size: UInt64 { daxctl_dev_get_size(raw) }
    public var targetNode: Int? {
        let n = daxctl_dev_get_target_node(raw)
        return n >= 0 ? Int(n) : nil
    }
    /// Device alignment, `nil` when the kernel does not report one.
    public var align: UInt64? {
        let a = Int(bitPattern: UInt(daxctl_dev_get_align(raw)))
        return a > 0 ? UInt64(a) : nil
    }
    /// Raw value of daxctl_dev_get_align as ndctl stores it (an int).
    public var alignAsInt: Int32 { Int32(truncatingIfNeeded: daxctl_dev_get_align(raw)) }
    public var resource: UInt64 { daxctl_dev_get_resource(raw) }
    public var major: Int { Int(daxctl_dev_get_major(raw)) }
    public var minor: Int { Int(daxctl_dev_get_minor(raw)) }
    public var isEnabled: Bool { daxctl_dev_is_enabled(raw) != 0 }
    /// True when bound to kmem (system-ram mode); wraps `daxctl_dev_get_memory`.
    public var isSystemRAM: Bool { daxctl_dev_get_memory(raw) != nil }
    /// Memory block state when in system-ram mode with a known resource.
    public var memoryBlocks: DAXMemoryBlocks? {
        guard let mem = daxctl_dev_get_memory(raw), daxctl_dev_get_resource(raw) != 0 else { return nil }
        let mv = daxctl_memory_is_movable(mem)
        return DAXMemoryBlocks(online: Int(daxctl_memory_is_online(mem)),
                               total: Int(daxctl_memory_num_sections(mem)),
                               movable: mv == 1 ? true : mv == 0 ? false : nil)
    }
    public var mappings: [DAXMapping] {
        var out: [DAXMapping] = []
        var m = daxctl_mapping_get_first(raw)
        while let cur = m {
            out.append(DAXMapping(pageOffset: daxctl_mapping_get_offset(cur),
                                  start: daxctl_mapping_get_start(cur),
                                  end: daxctl_mapping_get_end(cur),
                                  size: daxctl_mapping_get_size(cur)))
            m = daxctl_mapping_get_next(cur)
        }
        return out
    }
}
