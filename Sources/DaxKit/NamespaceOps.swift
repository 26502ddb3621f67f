import NDCtl

#if canImport(Glibc)
import Glibc
#endif

extension Namespaces {
    /// ndctl prints a created namespace with dax detail, human units on a terminal.
    static var createFlags: ListFlags { isatty(1) != 0 ? [.dax, .daxDevices, .human] : [.dax, .daxDevices] }

    /// The result of a create or reconfigure: the namespaces' JSON as ndctl prints it.
    public struct Created: Sendable {
        public var namespaces: [JSON]
        public var plans: [NamespacePlan]
        /// With `--continue`: the error that stopped creation (or, with `--force`,
        /// the last one skipped) after `namespaces` were made. The caller prints
        /// what was created, then this error, and fails (ndctl's saved_rc).
        public var failure: DaxKitError? = nil
    }

    /// Regions matching `--bus`/`--region` (ndctl's filters), in bus order.
    static func regions(_ r: NamespaceRequest, context: NDContext) -> [Region] {
        NDFilter.regions(context, region: r.region, bus: r.bus)
    }

    /// ndctl's region_get_namespace: namespace id 0 when idle, else the region's seed.
    static func idleNamespace(_ region: Region) -> Namespace? {
        if let first = region.namespaces.first(where: { $0.id == 0 && $0.isConfigurationIdle }) { return first }
        return region.namespaceSeed
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

    /// Refuses to touch namespaces that something is using, even with --force: a VM
    /// mapping a dax device, a mounted filesystem, an open block device, kmem. One scan
    /// of /proc covers all of them.
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
        let fix: String
        switch first.kind {
        case .mapped, .open: fix = "stop PID \(first.pid ?? 0) first (a VM whose guest RAM this is?); --force does not override this"
        case .mounted: fix = "unmount \(first.detail ?? "it") first; --force does not override this"
        case .stacked: fix = "remove the stacked device first; --force does not override this"
        case .systemRAM: fix = "offline the memory and reconfigure the device to devdax first (daxctl reconfigure-device --mode=devdax); --force does not override this"
        }
        throw DaxKitError(.inUse, "\(name) is in use and will not be \(action): \(first)\(more); \(fix)")
    }

    static func ensureNotInUse(_ ns: Namespace, action: String) throws {
        try ensureNotInUse([ns], action: action)
    }

    /// Creates (or with `-e` reconfigures) namespaces as `ndctl create-namespace` does.
    /// - Throws: `DaxKitError` with one line naming the object, value, rule and fix.
    public static func create(_ r: NamespaceRequest, context: NDContext) throws -> Created {
        try validateArguments(r)
        let lock = r.dryRun ? nil : try HostLock()
        defer { _ = lock }
        let candidates = regions(r, context: context)
        if candidates.isEmpty {
            throw DaxKitError(.notFound, "create-namespace: no region matches \(r.region.map { "--region \($0)" } ?? "")\(r.bus.map { " --bus \($0)" } ?? ""); list them with daxkit list -R -i")
        }

        if let ident = r.reconfigure {
            guard ident != "all", let ns = select(ident, regions: candidates).first else {
                throw DaxKitError(.notFound, "create-namespace: namespace \(ident) not found; list them with daxkit list -N -i")
            }
            return try reconfigure(ns, r)
        }

        var created = Created(namespaces: [], plans: [])
        var reasons: [String] = []
        for region in candidates {
            do {
                let (planned, reason) = try plan(r, region: region, existing: nil)
                guard var p = planned else {
                    if let reason { reasons.append(reason) }
                    continue
                }
                guard let seed = idleNamespace(region), seed.isConfigurationIdle else {
                    reasons.append("\(region.devName) has no idle namespace seed")
                    continue
                }
                p.namespace = seed.devName
                let layout = capacity(p, region: region)
                // map=none goes to the kernel as mode "none" (it decides; see setup()).
                if let refusal = layout.refusal, refusal.code != .unsupportedMap {
                    throw DaxKitError(.invalidArgument, "\(region.devName): \(refusal.message)")
                }
                if !r.dryRun {
                    try setup(region: region, namespace: seed, plan: p, autorecover: r.autorecover, force: r.force, fresh: true)
                    if let j = Render.namespace(seed, createFlags) {
                        created.namespaces.append(j)
                    }
                }
                created.plans.append(p)
            } catch where r.greedy {
                // ndctl: with --continue an error stops the run, after what was
                // already created; with --continue --force it is kept and skipped.
                created.failure = error as? DaxKitError
                    ?? DaxKitError(.kernelRefused, "\(region.devName): \(error)", underlying: error)
                if r.force { continue }
                break
            }
            if !r.greedy { return created }
        }
        if created.plans.isEmpty && created.failure == nil {
            let why = reasons.isEmpty ? "" : ": " + reasons.joined(separator: "; ")
            let e = DaxKitError(.invalidArgument, "create-namespace: no region can hold the namespace\(why)")
            // With --continue the caller reports the count ("created 0 namespaces") first.
            guard r.greedy else { throw e }
            created.failure = e
        }
        return created
    }

    /// `-e NS`: reconfigure an existing namespace (needs --force while it is active).
    static func reconfigure(_ ns: Namespace, _ r: NamespaceRequest) throws -> Created {
        let region = ns.region
        let (planned, reason) = try plan(r, region: region, existing: ns)
        guard let p = planned else {
            throw DaxKitError(.invalidArgument, "create-namespace: cannot reconfigure \(ns.devName): \(reason ?? "region unavailable")")
        }
        if r.dryRun { return Created(namespaces: [], plans: [p]) }
        try prepareReconfigure(ns, force: r.force, action: "reconfigured")
        var target = ns
        if region.isLabelless && r.autolabel {
            // Labels need label storage on every DIMM; a memmap region has none.
            // (ndctl's enable_labels): skipped when there are no mappings.
            if region.mappingCount > 0, region.dimms.allSatisfy({ $0.labelsAreValid() != nil }) {
                try? region.disable()
                for d in region.dimms { _ = try? d.initLabels(version12: true) }
                try? region.enable()
                if let seed = idleNamespace(region) { target = seed }
            }
        }
        try setup(region: region, namespace: target, plan: p, autorecover: r.autorecover, force: r.force, fresh: false)
        let flags = createFlags
        return Created(namespaces: Render.namespace(target, flags).map { [$0] } ?? [], plans: [p])
    }

    /// ndctl's namespace_prep_reconfig: refuse active without --force, refuse in use
    /// always, then disable, unclaim and zero the info block.
    static func prepareReconfigure(_ ns: Namespace, force: Bool, action: String, holdersChecked: Bool = false) throws {
        if ns.region.isReadOnly {
            throw DaxKitError(.invalidArgument, "\(ns.devName) is on read-only \(ns.region.devName); make the region writable first")
        }
        if !holdersChecked { try ensureNotInUse(ns, action: action) }
        if ns.isActive && !force {
            throw DaxKitError(.inUse, "\(ns.devName) is active; pass --force to have it \(action) (its data will be lost)")
        }
        try ns.disableSafe()
        ns.setEnforceMode(.raw)
        try zeroInfoBlock(ns)
    }

    /// Zeroes the first 8 KiB (pfn/btt/dax info block) so the old personality does not
    /// come back on the next enable (ndctl's zero_info_block).
    static func zeroInfoBlock(_ ns: Namespace) throws {
        defer {
            try? ns.setRawMode(false)
            try? ns.disableInvalidate()
        }
        try ns.setRawMode(true)
        guard (try? ns.enable()) != nil, let bdev = ns.blockDevice else { return }
        let fd = open("/dev/\(bdev)", O_RDWR | O_EXCL | O_CLOEXEC)
        guard fd >= 0 else {
            let e = errno
            throw DaxKitError(.io, "\(ns.devName): cannot open /dev/\(bdev) to clear its info block (\(String(cString: strerror(e)))); is it in use?")
        }
        defer { close(fd) }
        let size = 8192
        var buf = [UInt8](repeating: 0, count: size)
        let n = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress, size, 0) }
        if n == size && buf.allSatisfy({ $0 == 0 }) { return }
        buf = [UInt8](repeating: 0, count: size)
        let w = buf.withUnsafeBytes { pwrite(fd, $0.baseAddress, size, 0) }
        guard w == size else {
            throw DaxKitError(.io, "\(ns.devName): failed to clear the info block on /dev/\(bdev)")
        }
        fsync(fd)
    }

    /// ndctl's setup_namespace with autorecover: program the namespace and its
    /// personality, bind it, and on failure put back what was there.
    static func setup(region: Region, namespace ns: Namespace, plan p: NamespacePlan, autorecover: Bool,
                      force: Bool, fresh: Bool) throws {
        let log = KernelLog()
        // Names are captured up front: libndctl frees a namespace object on delete.
        let nsName = ns.devName
        var seedNames: [String] = [nsName]
        var restoreSeed: () -> Void = {}
        func undo() {
            guard autorecover else { return }
            restoreSeed()
            if fresh {
                ns.setEnforceMode(.raw)
                try? ns.delete()
            }
        }
        do {
            if ns.type != .io {
                try ns.setUUID(p.uuid)
                try ns.setName(p.name)
                try ns.setSize(p.size)
            }
            // Re-plan at the start the kernel actually allocated: some layouts (a data
            // offset past the aligned end) give a 0-byte device that 6.1 cannot tear down.
            if p.mode == .fsdax || p.mode == .devdax || p.mode == .sector, let start = ns.resource {
                let layout = capacity(p, start: start, region: region)
                if let refusal = layout.refusal, refusal.code != .unsupportedMap, refusal.code != .startMisaligned || !force {
                    throw DaxKitError(.invalidArgument, "\(nsName): \(refusal.message)")
                }
            }
            if let s = p.sectorSize, s != UInt32.max {
                if ns.supportedSectorSizes.contains(UInt64(s)) {
                    try ns.setSectorSize(s)
                } else if p.mode != .sector && s != 512 {
                    throw DaxKitError(.invalidArgument, "\(ns.devName): --sector-size \(s) is not supported; use 512")
                }
            }
            ns.setEnforceMode(p.mode)
            let uuid = randomUUID()
            let needsPFN = p.mode == .fsdax && (ns.mode != .fsdax || p.map == .dev || ns.type != .io)
            if needsPFN || p.mode == .devdax {
                // Personalities need a 16 MiB aligned start (the kernel's section size).
                if let res = ns.resource, res % (16 << 20) != 0, !force {
                    throw DaxKitError(.invalidArgument, "\(ns.devName): starts at \(JSON.cHex(res)), not 16 MiB aligned as \(p.mode.rawValue) needs; set the region's align to 16M or pass --force")
                }
            }
            if needsPFN {
                guard let pfn = region.pfnSeed else { throw DaxKitError(.kernelRefused, "\(region.devName): no pfn seed for fsdax") }
                seedNames.append(pfn.devName)
                let (oldLoc, oldAlign) = (pfn.location, pfn.align)
                restoreSeed = { try? pfn.setNamespace(nil); try? pfn.setLocation(oldLoc); if oldAlign > 0 && pfn.hasAlign { try? pfn.setAlign(oldAlign) } }
                try pfn.setUUID(uuid)
                try pfn.setLocation(p.map)
                if pfn.hasAlign { try pfn.setAlign(p.align) }
                try pfn.setNamespace(ns)
                do { try pfn.enable() } catch {
                    if autorecover { try? pfn.setNamespace(nil) }
                    throw error
                }
            } else if p.mode == .devdax {
                guard let dax = region.daxSeed else { throw DaxKitError(.kernelRefused, "\(region.devName): no dax seed for devdax") }
                seedNames.append(dax.devName)
                // Put the seed's settings back if the bind fails, so nothing is left behind.
                let (oldLoc, oldAlign) = (dax.location, dax.align)
                restoreSeed = { try? dax.setNamespace(nil); try? dax.setLocation(oldLoc); if oldAlign > 0 { try? dax.setAlign(oldAlign) } }
                try dax.setUUID(uuid)
                do {
                    try dax.setLocation(p.map)
                } catch let e as NDCtlError where p.map == .none {
                    throw DaxKitError(.kernelRefused, "\(ns.devName): this kernel has no struct-page-less device-dax (--map none, from the unmerged \"device-dax: Support devices without PFN metadata\" RFC; it rejected mode \"none\": \(e.underlyingError.map { "\($0)" } ?? "error")); use --map mem", underlying: e)
                }
                try dax.setAlign(p.align)
                try dax.setNamespace(ns)
                do { try dax.enable() } catch {
                    if autorecover { try? dax.setNamespace(nil) }
                    throw error
                }
            } else if p.mode == .sector {
                guard let btt = region.bttSeed else { throw DaxKitError(.kernelRefused, "\(region.devName): no btt seed for sector mode") }
                seedNames.append(btt.devName)
                try btt.setUUID(uuid)
                try btt.setSectorSize(p.sectorSize ?? 4096)
                try btt.setNamespace(ns)
                do { try btt.enable() } catch {
                    if autorecover { try? btt.setNamespace(nil) }
                    throw error
                }
            } else {
                try ns.enable()
            }
        } catch let e as DaxKitError {
            undo()
            throw e
        } catch let e as NDCtlError {
            let reason = log?.reason(for: seedNames) ?? ""
            undo()
            if p.map == .none && p.mode == .devdax {
                throw DaxKitError(.kernelRefused, "\(nsName): the kernel refused devdax with --map none (\(e.underlyingError.map { "\($0)" } ?? "error")): it has no struct-page-less device-dax support (the unmerged \"device-dax: Support devices without PFN metadata\" RFC)\(reason); use --map mem. Nothing was left behind", underlying: e)
            }
            throw DaxKitError(.kernelRefused, "\(e.message) (\(e.underlyingError.map { "\($0)" } ?? "error"))\(reason); \(autorecover ? "rolled back, nothing was left behind" : "left as is (--no-autorecover)")", underlying: e)
        }
    }

    /// What a destroy/enable/disable acted on.
    public struct Outcome: Sendable {
        public var processed: [String] = []
        public var verb: String
    }

    /// Namespaces named by `ident` (`namespaceX.Y`, `X.Y` or `all`) in the given regions;
    /// `all` skips idle seeds as ndctl does.
    static func select(_ ident: String, regions: [Region]) -> [Namespace] {
        regions.flatMap(\.namespaces).filter { ns in
            if ident == "all" { return !(ns.size == 0 && ns.uuidBytes.allSatisfy { $0 == 0 }) }
            if ns.devName == ident { return true }
            if let (r, n) = scanDotted(ident), r == Int(ns.region.id), n == Int(ns.id) { return true }
            return false
        }
    }

    /// Takes the host lock, resolves `ident` to namespaces (refusing an unknown name) and
    /// runs `body` on them while the lock is held.
    static func withTargets(_ command: String, _ ident: String, region: String?, bus: String?, context: NDContext,
                            _ body: ([Namespace]) throws -> Outcome) throws -> Outcome {
        let lock = try HostLock()
        return try withExtendedLifetime(lock) {
            let targets = select(ident, regions: NDFilter.regions(context, region: region, bus: bus))
            if targets.isEmpty && ident != "all" {
                throw DaxKitError(.notFound, "\(command): namespace \(ident) not found; list them with daxkit list -N -i")
            }
            return try body(targets)
        }
    }

    /// `destroy-namespace`: needs --force for an active namespace, and refuses one in use.
    public static func destroy(_ ident: String, region: String?, bus: String?, force: Bool, context: NDContext) throws -> Outcome {
        try withTargets("destroy-namespace", ident, region: region, bus: bus, context: context) { targets in
            // Check every target before touching any, so a refusal leaves all state as it was.
            try ensureNotInUse(targets, action: "destroyed")
            for ns in targets {
                if ns.isActive && !force {
                    throw DaxKitError(.inUse, "\(ns.devName) is active; pass --force to destroy it (its data will be lost)")
                }
                if ns.region.isReadOnly {
                    throw DaxKitError(.invalidArgument, "\(ns.devName) is on read-only \(ns.region.devName); make the region writable first")
                }
            }
            var out = Outcome(verb: "destroyed")
            for ns in targets {
                let name = ns.devName
                try prepareReconfigure(ns, force: force, action: "destroyed", holdersChecked: true)
                if ns.type != .io { try ns.delete() }
                out.processed.append(name)
            }
            return out
        }
    }

    /// `disable-namespace`: an active namespace needs --force; one in use is refused always.
    public static func disable(_ ident: String, region: String?, bus: String?, force: Bool, context: NDContext) throws -> Outcome {
        try withTargets("disable-namespace", ident, region: region, bus: bus, context: context) { targets in
            try ensureNotInUse(targets, action: "disabled")
            for ns in targets {
                if ns.isActive && !force {
                    throw DaxKitError(.inUse, "\(ns.devName) is active; pass --force to disable it")
                }
            }
            var out = Outcome(verb: "disabled")
            for ns in targets {
                try ns.disableSafe()
                out.processed.append(ns.devName)
            }
            return out
        }
    }

    /// `enable-namespace`.
    public static func enable(_ ident: String, region: String?, bus: String?, context: NDContext) throws -> Outcome {
        try withTargets("enable-namespace", ident, region: region, bus: bus, context: context) { targets in
            var out = Outcome(verb: "enabled")
            for ns in targets {
                let log = KernelLog()
                do { try ns.enable() } catch let e as NDCtlError {
                    throw DaxKitError(.kernelRefused, "\(e.description)\(log?.reason(for: [ns.devName]) ?? "")")
                }
                out.processed.append(ns.devName)
            }
            return out
        }
    }
}
