import DaxCore
import NDCtl

extension Namespaces {
    /// What a destroy, enable or disable acted on.
    public struct Outcome: Sendable {
        /// The namespaces acted on (`namespaceX.Y`), in order.
        public var processed: [String] = []
        /// Namespaces named that are idle (size 0, no uuid: a region's unused seed, or a
        /// destroyed namespace): nothing was done to them and they are not counted.
        public var idle: [String] = []
        /// What was done beyond the count, one line each (a label-less namespace reset,
        /// not destroyed).
        public var notes: [String] = []
    }

    /// Whether a namespace is idle: size 0 and a zero uuid (a region's unused seed, or
    /// destroyed). Label-less (io) namespaces are never idle: they are the region.
    static func isIdle(_ ns: Namespace) -> Bool {
        ns.type != .io && (ns.size ?? 0) == 0 && ns.uuidBytes.allSatisfy { $0 == 0 }
    }

    /// Namespaces named by `ident` (`namespaceX.Y`, `X.Y` or `all`) in the given regions;
    /// `all` skips idle seeds as ndctl does.
    static func select(_ ident: String, regions: [Region]) -> [Namespace] {
        regions.flatMap(\.namespaces).filter { ns in
            if ident == "all" { return !isIdle(ns) }
            if ns.devName == ident { return true }
            if let (r, n) = scanDotted(ident), r == Int(ns.region.id), n == Int(ns.id) { return true }
            return false
        }
    }

    /// Takes the host lock, resolves `ident` to namespaces (refusing an unknown name) and
    /// runs `body` on the ones that are not idle while the lock is held, with an outcome
    /// that already lists the idle ones named.
    static func withTargets(_ ident: String, region: String?, bus: String?, context: NDContext,
                            _ body: (inout Outcome, [Namespace]) throws -> Void) throws -> Outcome {
        try HostLock.withLock {
            let named = select(ident, regions: NDFilter.regions(context, region: region, bus: bus))
            if named.isEmpty && ident != "all" {
                throw DaxError(.notFound, object: Phrase("namespace \(ident)"), problem: "not found",
                               fix: "list them: \(.listNamespaces)")
            }
            var out = Outcome(idle: named.filter(isIdle).map(\.devName))
            try body(&out, named.filter { !isIdle($0) })
            return out
        }
    }

    /// Destroys namespaces, releasing their capacity (`ndctl destroy-namespace`).
    ///
    /// - Parameters:
    ///   - ident: `namespaceX.Y`, `X.Y` or `all`.
    ///   - region, bus: filters as ndctl's `-r`/`-b`.
    ///   - force: consent to destroy active namespaces; never overrides "in use".
    /// - Returns: the namespaces destroyed; idle ones named are listed apart, uncounted.
    /// - Throws: `DaxError` `.inUse` (mapped, mounted, held open, system RAM — checked for
    ///   every target before any is touched), `.notFound`, `.conflict` (read-only), or a
    ///   libndctl failure.
    public static func destroy(_ ident: String, region: String?, bus: String?, force: Bool, context: NDContext) throws -> Outcome {
        try withTargets(ident, region: region, bus: bus, context: context) { out, targets in
            // Check every target before touching any, so a refusal leaves all state as it was.
            try ensureNotInUse(targets, action: "destroyed")
            for ns in targets {
                if ns.isActive && !force {
                    throw DaxError(.inUse, object: Phrase(ns.devName), problem: "active",
                                   fix: "\(enable: .force) to destroy it (its data will be lost)")
                }
                if ns.region.isReadOnly {
                    throw DaxError(.conflict, object: Phrase(ns.devName), problem: "on read-only \(ns.region.devName)",
                                   fix: "make the region writable first")
                }
            }
            for ns in targets {
                let name = ns.devName
                try prepareReconfigure(ns, force: force, action: "destroyed", holdersChecked: true)
                guard ns.type != .io else {
                    // ndctl's namespace_destroy: a label-less namespace is the whole region;
                    // it is reset (disabled, info block cleared) but not counted.
                    out.notes.append("\(name) is label-less: reset to raw (its info block cleared), not destroyed: its capacity is the whole region")
                    continue
                }
                // The label name would outlive the namespace (and match lookups by name);
                // the kernel takes an empty one while it is disabled.
                FaultInjection.point("\(name) disabled")
                try ns.setName("")
                FaultInjection.point("\(name) name cleared")
                try ns.delete()
                FaultInjection.point("\(name) deleted")
                out.processed.append(name)
            }
        }
    }

    /// Disables namespaces (`ndctl disable-namespace`): an active one needs no consent,
    /// as with ndctl; one in use (mapped, mounted, held open, system RAM) is refused.
    ///
    /// - Returns: the namespaces disabled; idle ones named are listed apart, uncounted.
    /// - Throws: `DaxError` `.inUse`, `.notFound`, or `.kernelRefused` from
    ///   `ndctl_namespace_disable_safe`.
    public static func disable(_ ident: String, region: String?, bus: String?, context: NDContext) throws -> Outcome {
        try withTargets(ident, region: region, bus: bus, context: context) { out, targets in
            try ensureNotInUse(targets, action: "disabled")
            for ns in targets {
                try ns.disableSafe()
                out.processed.append(ns.devName)
            }
        }
    }

    /// Enables namespaces (`ndctl enable-namespace`).
    ///
    /// - Throws: `DaxError` `.conflict` for an idle namespace named (nothing to enable),
    ///   `.notFound`, or `.kernelRefused` with the kernel's log lines for the attempt.
    public static func enable(_ ident: String, region: String?, bus: String?, context: NDContext) throws -> Outcome {
        try withTargets(ident, region: region, bus: bus, context: context) { out, targets in
            if let idle = out.idle.first { throw idleError(idle, "nothing to enable") }
            for ns in targets {
                let log = KernelLog()
                do { try ns.enable() } catch var e as DaxError {
                    if let kernel = log?.reason(for: [ns.devName]), !kernel.isEmpty { e.rule = Phrase(kernel) }
                    throw e
                }
                out.processed.append(ns.devName)
            }
        }
    }

    /// What to say of an idle namespace (`namespaceX.Y`) that a command needs configured.
    static func idleError(_ name: String, _ what: String) -> DaxError {
        let region = "region" + name.dropFirst("namespace".count).prefix { $0 != "." }
        return DaxError(.conflict, object: Phrase(name), problem: "idle (size 0, no uuid: never configured, or destroyed): \(what)",
                        fix: "create one in \(region) (\(Operation.createNamespace(in: region)))")
    }

    /// The block and dax devices a namespace currently exposes.
    static func devices(of ns: Namespace) -> (block: [String], dax: [String]) {
        var block: [String] = []
        for b in [ns.blockDevice, ns.pfn?.blockDevice, ns.btt?.blockDevice] {
            if let b { block.append(b) }
        }
        let dax = ns.dax?.daxRegion?.devices.map(\.devName) ?? []
        return (block, dax)
    }

    /// Refuses to touch namespaces that something is using, even with `force`: a VM
    /// mapping a dax device, a mounted filesystem, an open block device, kmem. One scan
    /// of /proc covers all of them.
    ///
    /// - Throws: `DaxError` `.inUse` naming the first holder (PID and command, mount
    ///   point) and what to do.
    static func ensureNotInUse(_ namespaces: [Namespace], action: String) throws {
        var owner: [String: String] = [:]
        var block: [String] = [], dax: [String] = []
        for ns in namespaces {
            let d = devices(of: ns)
            for b in d.block { owner[b] = ns.devName }
            for x in d.dax { owner[x] = ns.devName }
            block += d.block
            dax += d.dax
        }
        let holders = Holders.find(blockDevices: block, daxDevices: dax)
        guard let first = holders.first else { return }
        let name = owner[first.device] ?? first.device
        let same = holders.filter { owner[$0.device] == owner[first.device] }.count
        let more = same > 1 ? " (and \(same - 1) more holder\(same > 2 ? "s" : ""))" : ""
        let fix: Phrase
        switch first.kind {
        case .mapped, .open: fix = "stop PID \(first.pid ?? 0) first (a VM whose guest RAM this is?)"
        case .mounted: fix = "unmount \(first.detail ?? "it") first"
        case .stacked: fix = "remove the stacked device first"
        case .systemRAM: fix = "offline the memory and reconfigure the device to devdax first (\(Operation.reconfigureDevice(first.device, mode: "devdax")))"
        }
        throw DaxError(.inUse, object: Phrase(name), problem: "in use and will not be \(action): \(first)\(more)",
                       rule: "\(.force) does not override this", fix: fix)
    }
}
