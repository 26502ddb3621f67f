import DaxCore
import NDCtl

/// Region and DIMM label operations: enable-region, disable-region, init-labels,
/// zero-labels (ndctl's region.c and dimm.c), under the host-wide lock.
public enum Regions {
    /// The regions `ident` names (`regionN`, `N` or `all`) on the buses `bus` selects.
    static func targets(_ ident: String, bus: String?, context: NDContext) throws -> [Region] {
        let targets = NDFilter.regions(context, region: ident, bus: bus)
        if targets.isEmpty {
            throw DaxError(.notFound, object: Phrase("region \(ident)"), problem: "not found", fix: "list them: \(.listRegions)")
        }
        return targets
    }

    /// Enables regions (binds nd_region).
    ///
    /// - Returns: the regions enabled (those already enabled are not counted).
    /// - Throws: `DaxError` `.notFound`, or `.kernelRefused` from `ndctl_region_enable`.
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

    /// Disables regions; refuses any of whose namespaces is in use (mapped, mounted,
    /// held open, system RAM).
    ///
    /// - Returns: the regions disabled.
    /// - Throws: `DaxError` `.inUse`, `.notFound`, or `.kernelRefused` from
    ///   `ndctl_region_disable_invalidate`.
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
            if matched.isEmpty {
                throw DaxError(.notFound, object: Phrase("DIMM \(ident)"), problem: "not found", fix: "list them: \(.listDIMMs)")
            }
            for d in matched where !out.contains(d) { out.append(d) }
        }
        return out
    }

    /// Refuses DIMMs whose regions are active: labels are written only while disabled.
    static func ensureInactive(_ dimms: [DIMM]) throws {
        for d in dimms where d.isActive {
            throw DaxError(.inUse, object: Phrase(d.devName), problem: "its regions are active, labels cannot be written",
                           fix: "disable them first (\(.disableRegion("all")))")
        }
    }

    /// Writes an empty label index on DIMMs (`ndctl init-labels`). Their regions must be
    /// disabled; existing valid labels are kept unless `force`.
    ///
    /// - Parameter v12: write v1.2 labels (else v1.1, ndctl's default).
    /// - Returns: the DIMMs initialised.
    /// - Throws: `DaxError` `.inUse`, `.conflict` (valid labels without `force`),
    ///   `.invalidArgument` (no label area), `.notFound`, or `.kernelRefused`.
    public static func initLabels(_ idents: [String], bus: String?, force: Bool, v12: Bool, context: NDContext) throws -> [String] {
        try HostLock.withLock {
            let targets = try dimms(idents, bus: bus, context: context)
            try ensureInactive(targets)
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

    /// Erases the label area of DIMMs (`ndctl zero-labels`); their regions must be disabled.
    ///
    /// - Returns: the DIMMs zeroed.
    /// - Throws: `DaxError` `.inUse`, `.notFound`, or `.kernelRefused`.
    public static func zeroLabels(_ idents: [String], bus: String?, context: NDContext) throws -> [String] {
        try HostLock.withLock {
            let targets = try dimms(idents, bus: bus, context: context)
            try ensureInactive(targets)
            var done: [String] = []
            for d in targets {
                try d.zeroLabels()
                done.append(d.devName)
            }
            return done
        }
    }
}
