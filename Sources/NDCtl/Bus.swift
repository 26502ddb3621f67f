import CNDCtl

/// An NVDIMM bus (`ndbusN`), e.g. the ACPI NFIT or the e820 legacy bus.
///
/// Wraps `struct ndctl_bus`.
public final class Bus {
    /// The context that owns the bus.
    public let context: NDContext
    let raw: OpaquePointer
    init(ctx: NDContext, raw: OpaquePointer) { context = ctx; self.raw = raw }

    /// Provider name, e.g. `ACPI.NFIT` or `e820`; empty when libndctl has none.
    ///
    /// Wraps `ndctl_bus_get_provider`.
    public var provider: String { str(ndctl_bus_get_provider(raw)) ?? "" }

    /// Kernel device name, e.g. `ndbus0`; empty when libndctl has none.
    ///
    /// Wraps `ndctl_bus_get_devname`.
    public var devName: String { str(ndctl_bus_get_devname(raw)) ?? "" }

    /// Kernel id N of `ndbusN`.
    ///
    /// Wraps `ndctl_bus_get_id`.
    public var id: UInt32 { ndctl_bus_get_id(raw) }

    /// Whether an address range scrub is running, `nil` when the bus has no scrub.
    ///
    /// Wraps `ndctl_bus_get_scrub_state`.
    public var scrubActive: Bool? {
        let s = ndctl_bus_get_scrub_state(raw)
        return s < 0 ? nil : s != 0
    }

    /// The DIMMs on this bus, in libndctl's order.
    ///
    /// Wraps `ndctl_dimm_get_first` and `ndctl_dimm_get_next`.
    public var dimms: [DIMM] {
        collect(ndctl_dimm_get_first(raw), next: ndctl_dimm_get_next) { DIMM(bus: self, raw: $0) }
    }

    /// The regions on this bus, in libndctl's order.
    ///
    /// Wraps `ndctl_region_get_first` and `ndctl_region_get_next`.
    public var regions: [Region] {
        collect(ndctl_region_get_first(raw), next: ndctl_region_get_next) {
            Region(bus: self, raw: $0)
        }
    }
}
