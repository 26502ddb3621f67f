import CNDCtl

/// A libndctl library context (`struct ndctl_ctx`), the root of the object model.
///
/// Every object reached from it (``Bus``, ``DIMM``, ``Region``, ``Namespace``, ``PFN``,
/// ``DAXSeed``, ``BTT``) holds the context that owns it, so an object never outlives the
/// C memory it points into. libndctl is not thread-safe: use one context from one thread
/// at a time.
///
/// Wraps `ndctl_new` and `ndctl_unref`.
public final class NDContext: LibraryContext {
    /// Creates a context with libndctl's own logging off unless `NDCTL_LOG` is set.
    ///
    /// libndctl logs failures to stderr itself; callers report one line per error instead.
    /// Setting `NDCTL_LOG` (e.g. `debug`) in the environment keeps its logging on.
    ///
    /// - Throws: `DaxError` `.contextCreation` with the errno.
    ///
    /// Wraps `ndctl_new` and `ndctl_set_log_priority`.
    public init() throws {
        try super.init("ndctl", new: ndctl_new, setLogPriority: ndctl_set_log_priority,
                       unref: { ndctl_unref($0) })
    }

    /// All NVDIMM buses, in libndctl's order.
    ///
    /// Wraps `ndctl_bus_get_first` and `ndctl_bus_get_next`.
    public var buses: [Bus] {
        collect(ndctl_bus_get_first(raw), next: ndctl_bus_get_next) { Bus(ctx: self, raw: $0) }
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
