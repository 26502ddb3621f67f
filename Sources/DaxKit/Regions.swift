import DaxCore
import NDCtl

/// Region and DIMM label operations: enable-region, disable-region, init-labels,
/// zero-labels (ndctl's region.c and dimm.c), under the host-wide lock.
public enum Regions {
    /// The regions `ident` names (`regionN`, `N` or `all`) on the buses `bus` selects.
    static func targets(_ ident: String, bus: String?, context: NDContext) throws -> [Region] {
        let targets = NDFilter.regions(context, region: ident, bus: bus)
        // `all` matching nothing (no bus, or no region on it) is a count of 0, as ndctl.
        if targets.isEmpty && ident != "all" {
            throw DaxError(.notFound, object: Phrase("region \(ident)"), problem: "not found", fix: "list them: \(.listRegions)")
        }
        return targets
    }

    /// Enables the regions `ident` names (binds them to nd_region), under ``HostLock``.
    ///
    /// - Parameters:
    ///   - ident: `regionN`, `N`, a space-separated list of them, or `all`.
    ///   - bus: Only regions on the buses this selects (id, provider or `ndbusN`); nil
    ///     for every bus.
    /// - Returns: The device names (`regionN`) of the regions enabled; those already
    ///   enabled are left out.
    /// - Throws: `DaxError` `.notFound` when no region matches, `.io` when the host-wide
    ///   lock cannot be taken, `.kernelRefused` when the kernel refuses.
    ///
    /// Wraps `ndctl_region_enable` (ndctl's `enable-region`).
    public static func enable(_ ident: String, bus: String?, context: NDContext) throws -> [String] {
        try HostLock.withLock {
            var done: [String] = []
            for r in try targets(ident, bus: bus, context: context) where !r.isEnabled {
                try r.enable()
                done.append(r.devName)
            }
            return done
        }
    }

    /// Disables the regions `ident` names, under ``HostLock``; refuses all of them when
    /// any of their active namespaces is in use (mapped, mounted, held open, stacked on,
    /// or online as system RAM).
    ///
    /// - Parameters:
    ///   - ident: `regionN`, `N`, a space-separated list of them, or `all`.
    ///   - bus: Only regions on the buses this selects; nil for every bus.
    /// - Returns: The device names of the regions disabled; those already disabled are
    ///   left out.
    /// - Throws: `DaxError` `.notFound` when no region matches, `.inUse` naming the
    ///   first holder (see ``Holders``), `.io` when the host-wide lock cannot be taken,
    ///   `.kernelRefused` when the kernel refuses.
    ///
    /// Wraps `ndctl_region_disable_invalidate` (ndctl's `disable-region`).
    public static func disable(_ ident: String, bus: String?, context: NDContext) throws -> [String] {
        try HostLock.withLock {
            let regions = try targets(ident, bus: bus, context: context)
            try Namespaces.ensureNotInUse(regions.flatMap { $0.namespaces.filter(\.isActive) },
                                          action: "disabled with its region")
            var done: [String] = []
            for r in regions where r.isEnabled {
                try r.disable()
                done.append(r.devName)
            }
            return done
        }
    }

    /// The DIMMs `idents` name (`nmemN`, `N` or `all`), each refused when unknown.
    static func dimms(_ idents: [String], bus: String?, context: NDContext) throws -> [DIMM] {
        let all = context.buses.filter { NDFilter.bus($0, bus) }.flatMap(\.dimms)
        var out: [DIMM] = []
        for ident in idents {
            let matched = all.filter { NDFilter.dimm($0, ident) }
            if matched.isEmpty && ident != "all" {
                throw DaxError(.notFound, object: Phrase("DIMM \(ident)"), problem: "not found", fix: "list them: \(.listDIMMs)")
            }
            for d in matched where !out.contains(d) { out.append(d) }
        }
        return out
    }

    /// Refuses DIMMs whose regions are active: labels are written only while disabled.
    static func ensureInactive(_ dimms: [DIMM], context: NDContext) throws {
        for d in dimms where d.isActive {
            let regions = context.regions.filter { $0.isEnabled && $0.dimms.contains(d) }.map(\.devName)
            throw DaxError(.inUse, object: Phrase(d.devName), problem: "its regions are active, labels cannot be written",
                           fix: "disable \(regions.count == 1 ? "it" : "them") first (\(Phrase.joined(regions.map { "\(Operation.disableRegion($0))" }, separator: ", ")))")
        }
    }

    /// Writes an empty label index on DIMMs (`ndctl init-labels`), under ``HostLock``.
    /// Their regions must be disabled; existing valid labels are kept unless `force`.
    /// Every DIMM is checked before any is written.
    ///
    /// - Parameters:
    ///   - idents: DIMMs, each `nmemN`, `N` or `all`.
    ///   - bus: Only DIMMs on the buses this selects; nil for every bus.
    ///   - force: Overwrite a valid label index (every namespace on the DIMM is lost).
    ///   - v12: Write v1.2 labels (else v1.1, ndctl's default).
    /// - Returns: The device names (`nmemN`) of the DIMMs initialised.
    /// - Throws: `DaxError` `.notFound` when an identifier matches no DIMM, `.inUse` when
    ///   a DIMM's regions are active, `.invalidArgument` when a DIMM has no readable label
    ///   area, `.conflict` when it has valid labels and `force` is false, `.io` when the
    ///   host-wide lock cannot be taken, `.kernelRefused` when the kernel refuses.
    ///
    /// Wraps `ndctl_dimm_is_active`, `ndctl_dimm_read_label_index`,
    /// `ndctl_dimm_validate_labels` and `ndctl_dimm_init_labels` (then `ndctl_dimm_disable`
    /// and `ndctl_dimm_enable` to reload an enabled DIMM).
    public static func initLabels(_ idents: [String], bus: String?, force: Bool, v12: Bool, context: NDContext) throws -> [String] {
        try HostLock.withLock {
            let targets = try dimms(idents, bus: bus, context: context)
            try ensureInactive(targets, context: context)
            for d in targets {
                guard let valid = d.labelsAreValid() else {
                    throw DaxError(.invalidArgument, object: Phrase(d.devName),
                                   problem: "no readable label area (an NVDIMM without labels, e.g. QEMU label-size=0)",
                                   fix: "nothing to initialise")
                }
                if valid && !force {
                    throw DaxError(.conflict, object: Phrase(d.devName), problem: "labels already initialized",
                                   fix: "\(enable: .force) to overwrite them (all namespaces on it are lost)")
                }
            }
            var done: [String] = []
            for d in targets {
                try d.initLabels(version12: v12)
                done.append(d.devName)
            }
            return done
        }
    }

    /// Erases the whole label area of DIMMs (`ndctl zero-labels`), under ``HostLock``;
    /// their regions must be disabled.
    ///
    /// - Parameters:
    ///   - idents: DIMMs, each `nmemN`, `N` or `all`.
    ///   - bus: Only DIMMs on the buses this selects; nil for every bus.
    /// - Returns: The device names (`nmemN`) of the DIMMs zeroed.
    /// - Throws: `DaxError` `.notFound` when an identifier matches no DIMM, `.inUse` when
    ///   a DIMM's regions are active, `.io` when the host-wide lock cannot be taken,
    ///   `.kernelRefused` when the kernel refuses.
    ///
    /// Wraps `ndctl_dimm_is_active` and `ndctl_dimm_zero_labels`.
    public static func zeroLabels(_ idents: [String], bus: String?, context: NDContext) throws -> [String] {
        try HostLock.withLock {
            let targets = try dimms(idents, bus: bus, context: context)
            try ensureInactive(targets, context: context)
            var done: [String] = []
            for d in targets {
                try d.zeroLabels()
                done.append(d.devName)
            }
            return done
        }
    }
}
