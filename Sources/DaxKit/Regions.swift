import NDCtl

/// Region and DIMM label operations: enable-region, disable-region, init-labels, zero-labels.
public enum Regions {
    public static func enable(_ ident: String, bus: String?, context: NDContext) throws -> [String] {
        let lock = try HostLock()
        defer { _ = lock }
        let targets = NDFilter.regions(context, region: ident, bus: bus)
        if targets.isEmpty { throw DaxKitError(.notFound, "enable-region: region \(ident) not found; list them with daxkit list -R -i") }
        var done: [String] = []
        for r in targets where !r.isEnabled {
            try r.enable()
            done.append(r.devName)
        }
        return done
    }

    /// Refuses a region any of whose namespaces is in use (mapped, mounted, system RAM).
    public static func disable(_ ident: String, bus: String?, context: NDContext) throws -> [String] {
        let lock = try HostLock()
        defer { _ = lock }
        let targets = NDFilter.regions(context, region: ident, bus: bus)
        if targets.isEmpty { throw DaxKitError(.notFound, "disable-region: region \(ident) not found; list them with daxkit list -R -i") }
        try Namespaces.ensureNotInUse(targets.flatMap { $0.namespaces.filter(\.isActive) },
                                      action: "disabled with its region")
        var done: [String] = []
        for r in targets where r.isEnabled {
            try r.disable()
            done.append(r.devName)
        }
        return done
    }

    static func dimms(_ idents: [String], bus: String?, context: NDContext) throws -> [DIMM] {
        let all = context.buses.filter { NDFilter.bus($0, bus) }.flatMap(\.dimms)
        var out: [DIMM] = []
        for ident in idents {
            let matched = all.filter { NDFilter.dimm($0, ident) }
            if matched.isEmpty { throw DaxKitError(.notFound, "DIMM \(ident) not found; list them with daxkit list -D -i") }
            for d in matched where !out.contains(d) { out.append(d) }
        }
        return out
    }

    /// `init-labels`: writes an empty label index. The DIMM's regions must be disabled;
    /// existing valid labels are kept unless `force`.
    public static func initLabels(_ idents: [String], bus: String?, force: Bool, v12: Bool, context: NDContext) throws -> [String] {
        let lock = try HostLock()
        defer { _ = lock }
        let targets = try dimms(idents, bus: bus, context: context)
        for d in targets {
            if d.isActive {
                throw DaxKitError(.inUse, "\(d.devName): its regions are active, labels cannot be written; disable them first (daxkit disable-region all)")
            }
            guard let valid = d.labelsAreValid() else {
                throw DaxKitError(.invalidArgument, "\(d.devName) has no readable label area (an NVDIMM without labels, e.g. QEMU label-size=0); nothing to initialise")
            }
            if valid && !force {
                throw DaxKitError(.conflict, "\(d.devName): labels already initialized; pass --force to overwrite them (all namespaces on it are lost)")
            }
        }
        var done: [String] = []
        for d in targets {
            try d.initLabels(version12: v12)
            done.append(d.devName)
        }
        return done
    }

    /// `zero-labels`: erases the label area. The DIMM's regions must be disabled.
    public static func zeroLabels(_ idents: [String], bus: String?, context: NDContext) throws -> [String] {
        let lock = try HostLock()
        defer { _ = lock }
        let targets = try dimms(idents, bus: bus, context: context)
        for d in targets where d.isActive {
            throw DaxKitError(.inUse, "\(d.devName): its regions are active, labels cannot be written; disable them first (daxkit disable-region all)")
        }
        var done: [String] = []
        for d in targets {
            try d.zeroLabels()
            done.append(d.devName)
        }
        return done
    }
}
