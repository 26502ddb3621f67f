import CNDCtl
import DaxCore
#if canImport(Glibc)
import Glibc
#endif

/// A libndctl library context (`struct ndctl_ctx`), the root of the object model.
///
/// Every object reached from it (``Bus``, ``DIMM``, ``Region``, ``Namespace``, ``PFN``,
/// ``DAXSeed``, ``BTT``) holds the context that owns it, so an object never outlives the
/// C memory it points into. libndctl is not thread-safe: use one context from one thread
/// at a time.
///
/// Wraps `ndctl_new` and `ndctl_unref`.
public final class NDContext {
    let raw: OpaquePointer

    /// Creates a context with libndctl's own logging off unless `NDCTL_LOG` is set.
    ///
    /// libndctl logs failures to stderr itself; callers report one line per error instead.
    /// Setting `NDCTL_LOG` (e.g. `debug`) in the environment keeps its logging on.
    ///
    /// - Throws: `DaxError` `.contextCreation` with the errno.
    ///
    /// Wraps `ndctl_new` and `ndctl_set_log_priority`.
    public init() throws {
        var ctx: OpaquePointer?
        let rc = ndctl_new(&ctx)
        guard rc == 0, let ctx else { throw contextCreationError("ndctl", rc) }
        raw = ctx
        if getenv("NDCTL_LOG") == nil { ndctl_set_log_priority(ctx, 0) }
    }

    deinit { ndctl_unref(raw) }

    /// All NVDIMM buses, in libndctl's order.
    ///
    /// Wraps `ndctl_bus_get_first` and `ndctl_bus_get_next`.
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
    ///
    /// Wraps `ndctl_region_get_first` and `ndctl_region_get_next` on each of ``buses``.
    public var regions: [Region] { buses.flatMap(\.regions) }

    /// Every DIMM on every bus, in bus order.
    ///
    /// Wraps `ndctl_dimm_get_first` and `ndctl_dimm_get_next` on each of ``buses``.
    public var dimms: [DIMM] { buses.flatMap(\.dimms) }
}
