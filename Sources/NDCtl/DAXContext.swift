import CNDCtl

/// A libdaxctl library context (`struct daxctl_ctx`), the root of the device-dax model.
///
/// It sees every dax region on the system, whether pmem-backed, hmem or CXL. The
/// ``DAXRegion``s and ``DAXDevice``s reached from it hold the context, so they never
/// outlive the C memory they point into. (The pmem-backed ones are also reachable from an
/// ``NDContext`` through ``DAXSeed/daxRegion``.) libdaxctl is not thread-safe: use one
/// context from one thread at a time.
///
/// Wraps `daxctl_new` and `daxctl_unref`.
public final class DAXContext: LibraryContext {
    /// Creates a context with libdaxctl's own logging off unless `DAXCTL_LOG` is set.
    ///
    /// - Throws: `DaxError` `.contextCreation` with the errno.
    ///
    /// Wraps `daxctl_new` and `daxctl_set_log_priority`.
    public init() throws {
        try super.init("daxctl", new: daxctl_new, setLogPriority: daxctl_set_log_priority,
                       unref: daxctl_unref)
    }

    /// Every dax region on the system (pmem-backed, hmem, CXL), in libdaxctl's order.
    ///
    /// Wraps `daxctl_region_get_first` and `daxctl_region_get_next`.
    public var regions: [DAXRegion] {
        collect(daxctl_region_get_first(raw), next: daxctl_region_get_next) {
            DAXRegion(owner: self, raw: $0)
        }
    }
}
