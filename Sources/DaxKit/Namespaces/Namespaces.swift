import DaxCore
import NDCtl
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// Namespace lifecycle: plan, create, reconfigure, destroy, enable, disable — ndctl's
/// namespace.c behaviour. Every request is judged by ``CapacityPlanner/judge(_:region:existing:)``
/// before the kernel is touched; a failed kernel step is undone in reverse, with the
/// kernel's own log lines in the error; what is in use is never touched.
public enum Namespaces {
    /// The result of a create or reconfigure.
    public struct Created {
        /// The namespaces configured, in order (libndctl objects, for rendering).
        public var namespaces: [Namespace]
        /// Their plans (settled parameters and capacity layout), in the same order.
        public var plans: [NamespacePlan]
        /// With `greedy`: the error that stopped creation (or, with `force`, the last one
        /// skipped) after `namespaces` were made (ndctl's saved_rc).
        public var failure: DaxError?
    }

    /// ndctl's region_get_namespace: namespace id 0 when idle, else the region's seed.
    static func idleNamespace(_ region: Region) -> Namespace? {
        if let first = region.namespaces.first(where: { $0.id == 0 && $0.isConfigurationIdle }) { return first }
        return region.namespaceSeed
    }

    /// Regions matching the request's region and bus filters, in bus order; refuses an
    /// empty match.
    static func candidates(_ r: NamespaceRequest, context: NDContext) throws -> [Region] {
        let regions = NDFilter.regions(context, region: r.region, bus: r.bus)
        if regions.isEmpty {
            let what: Phrase = r.region.map { "\(.region, $0)" } ?? (r.bus.map { "\(.bus, $0)" } ?? "this host")
            let none = context.regions.isEmpty
            throw DaxError(.notFound, object: what, problem: none ? "no pmem region" : "no region matches",
                           fix: none ? "pmem comes from NVDIMMs, a memmap=SIZE!OFFSET kernel argument (legacy pmem) or an emulator's NVDIMM; to plan anyway, dry-run with a size and no region or bus"
                                     : "list the regions: \(.listRegions)")
        }
        return regions
    }

    /// Plans what ``create(_:context:)`` would do, by the same rules, touching nothing
    /// (`create-namespace --dry-run`).
    ///
    /// - Returns: one plan (with `greedy`, one per region that can hold the namespace).
    /// - Throws: `DaxError` as ``create(_:context:)`` would, before it touched anything.
    public static func plan(_ r: NamespaceRequest, context: NDContext) throws -> [NamespacePlan] {
        try CapacityPlanner.checkArguments(r)
        // No pmem on this host: a plan needs no region when the request gives a size.
        if context.regions.isEmpty, r.region == nil, r.bus == nil, r.reconfigure == nil {
            return [try planWithoutRegion(r)]
        }
        let regions = try candidates(r, context: context)
        if let ident = r.reconfigure {
            switch try existing(ident, in: regions, request: r) {
            case .existing(let ns): return [try judgeExisting(r, ns)]
            case .idleSeed(let ns, let create): return [try judgeIdleSeed(ns, create)]
            }
        }
        var plans: [NamespacePlan] = []
        var reasons: [DaxError] = []
        for region in regions {
            switch try verdict(r, region) {
            case .plan(let p): plans.append(p)
            case .skip(let why): reasons.append(why)
            }
            if !r.greedy && !plans.isEmpty { break }
        }
        if plans.isEmpty { throw noRegion(reasons) }
        return plans
    }

    /// Creates (or with `reconfigure`, reconfigures) namespaces as `ndctl
    /// create-namespace` does, under the host-wide lock.
    ///
    /// - Returns: what was configured; with `greedy`, also the error that stopped it.
    /// - Throws: `DaxError` naming the object, value, rule and fix; the kernel state is
    ///   as it was (a failed bind is rolled back unless `autorecover` is off).
    public static func create(_ r: NamespaceRequest, context: NDContext) throws -> Created {
        try CapacityPlanner.checkArguments(r)
        return try HostLock.withLock {
            let regions = try candidates(r, context: context)
            if let ident = r.reconfigure {
                switch try existing(ident, in: regions, request: r) {
                case .existing(let ns): return try reconfigure(ns, r)
                case .idleSeed(let ns, let create):
                    let p = try judgeIdleSeed(ns, create)
                    try setup(region: ns.region, namespace: ns, plan: p, request: create, fresh: true)
                    return Created(namespaces: [ns], plans: [p], failure: nil)
                }
            }
            var created = Created(namespaces: [], plans: [])
            var reasons: [DaxError] = []
            for region in regions {
                do {
                    var p: NamespacePlan
                    switch try verdict(r, region) {
                    case .plan(let plan): p = plan
                    case .skip(let why): reasons.append(why); continue
                    }
                    guard let seed = idleNamespace(region), seed.isConfigurationIdle else {
                        reasons.append(DaxError(.conflict, object: Phrase(region.devName), problem: "no idle namespace seed"))
                        continue
                    }
                    p.namespace = seed.devName
                    try setup(region: region, namespace: seed, plan: p, request: r, fresh: true)
                    created.namespaces.append(seed)
                    created.plans.append(p)
                } catch let e as DaxError where r.greedy {
                    // ndctl: with --continue an error stops the run, after what was
                    // already created; with --continue --force it is kept and skipped.
                    created.failure = e
                    if r.force { continue }
                    break
                }
                if !r.greedy { return created }
            }
            if created.plans.isEmpty && created.failure == nil {
                // With greedy the caller reports the count ("created 0 namespaces") first.
                guard r.greedy else { throw noRegion(reasons) }
                created.failure = noRegion(reasons)
            }
            return created
        }
    }

    /// A plan for a host without pmem, by the same rules, against
    /// ``RegionSnapshot/hypothetical(name:)``: the request must give its size.
    static func planWithoutRegion(_ r: NamespaceRequest) throws -> NamespacePlan {
        guard r.size != nil || r.usableSize != nil else {
            throw DaxError(.notFound, object: "this host", problem: "no pmem region, and no size to plan for",
                           rule: "pmem comes from NVDIMMs, a memmap=SIZE!OFFSET kernel argument (legacy pmem) or an emulator's NVDIMM",
                           fix: "plan without a region by giving \(.size) or \(.usableSize)")
        }
        switch try CapacityPlanner.judge(r, region: .hypothetical()) {
        case .plan(let p): return p
        case .skip(let why): throw noRegion([why])
        }
    }

    static func verdict(_ r: NamespaceRequest, _ region: Region) throws -> CapacityPlanner.Verdict {
        try CapacityPlanner.judge(r, region: RegionSnapshot(region, labelVersion: (r.mode ?? .fsdax) == .sector))
    }

    static func judgeExisting(_ r: NamespaceRequest, _ ns: Namespace) throws -> NamespacePlan {
        let region = RegionSnapshot(ns.region, labelVersion: (r.mode ?? ns.mode) == .sector)
        switch try CapacityPlanner.judge(r, region: region, existing: NamespaceSnapshot(ns)) {
        case .plan(let p): return p
        case .skip(let why):
            throw DaxError(why.code, object: Phrase(ns.devName), problem: "cannot be reconfigured: " + why.sentence)
        }
    }

    /// The plan for an idle namespace that `-e` configures: a new namespace in its region.
    static func judgeIdleSeed(_ ns: Namespace, _ create: NamespaceRequest) throws -> NamespacePlan {
        switch try verdict(create, ns.region) {
        case .plan(var p):
            p.namespace = ns.devName
            return p
        case .skip(let why):
            throw DaxError(why.code, object: Phrase(ns.devName), problem: "cannot be configured: " + why.sentence)
        }
    }

    static func noRegion(_ reasons: [DaxError]) -> DaxError {
        DaxError(.noCapacity, object: "namespace request", problem: "no region can hold the namespace"
                 + (reasons.isEmpty ? "" : ": " + Phrase.joined(reasons.map(\.sentence), separator: "; ")))
    }

    /// What `create-namespace -e IDENT` acts on.
    enum Reconfigured {
        /// A configured namespace: reconfigured in place.
        case existing(Namespace)
        /// An idle namespace (a region's unused seed) given a size: configured as a new
        /// namespace in it, as ndctl's namespace_reconfig does (the size from `-s`, the
        /// mode from `-m`, else the seed's own, raw).
        case idleSeed(Namespace, NamespaceRequest)
    }

    /// The namespace `ident` names among `regions`, and how `-e` treats it.
    ///
    /// - Throws: `DaxError` `.notFound`; `.invalidArgument` for `all` (ndctl reconfigures
    ///   only the first namespace it finds); `.conflict` for an idle namespace without a
    ///   size (ndctl refuses it too: a size of 0).
    static func existing(_ ident: String, in regions: [Region], request r: NamespaceRequest) throws -> Reconfigured {
        if ident == "all" {
            let named = select(ident, regions: regions).map(\.devName)
            throw DaxError(.invalidArgument, object: "\(.reconfigure, "all")", problem: "reconfigures one namespace",
                           rule: Phrase("ndctl reconfigures only the first it finds\(named.first.map { " (here \($0), of \(named.count))" } ?? ""), and leaves the rest as they are"),
                           fix: "name the namespace to reconfigure, one command per namespace")
        }
        guard let ns = select(ident, regions: regions).first else {
            throw DaxError(.notFound, object: Phrase("namespace \(ident)"), problem: "not found",
                           fix: "list them: \(.listNamespaces)")
        }
        guard isIdle(ns) else { return .existing(ns) }
        guard r.size != nil else {
            let region = ns.region.devName
            throw DaxError(.conflict, object: Phrase(ns.devName),
                           problem: "idle (size 0, no uuid: never configured, or destroyed): reconfiguring it keeps its size, 0",
                           rule: "ndctl refuses it too ('--size=' must be >= 16MiB)",
                           fix: "give \(.size) to configure it, or create one in \(region) (\(Operation.createNamespace(in: region)))")
        }
        var create = r
        create.reconfigure = nil
        create.region = ns.region.devName
        create.mode = r.mode ?? .raw
        return .idleSeed(ns, create)
    }

    /// Reconfigures an existing namespace (needs `force` while it is active).
    static func reconfigure(_ ns: Namespace, _ r: NamespaceRequest) throws -> Created {
        let region = ns.region
        let p = try judgeExisting(r, ns)
        try prepareReconfigure(ns, force: r.force, action: "reconfigured")
        var target = ns
        if region.isLabelless && r.autolabel {
            // Labels need label storage on every DIMM; a memmap region has none
            // (ndctl's enable_labels: skipped when there are no mappings).
            if region.mappingCount > 0, region.dimms.allSatisfy({ $0.labelsAreValid() != nil }) {
                try? region.disable()
                for d in region.dimms { _ = try? d.initLabels(version12: true) }
                try? region.enable()
                if let seed = idleNamespace(region) { target = seed }
            }
        }
        try setup(region: region, namespace: target, plan: p, request: r, fresh: false)
        return Created(namespaces: [target], plans: [p], failure: nil)
    }

    /// ndctl's namespace_prep_reconfig: refuse in use always and active without
    /// `force`, then disable, unclaim and zero the info block.
    static func prepareReconfigure(_ ns: Namespace, force: Bool, action: String, holdersChecked: Bool = false) throws {
        if ns.region.isReadOnly {
            throw DaxError(.conflict, object: Phrase(ns.devName), problem: "on read-only \(ns.region.devName)",
                           fix: "make the region writable first")
        }
        if !holdersChecked { try ensureNotInUse([ns], action: action) }
        if ns.isActive && !force {
            throw DaxError(.inUse, object: Phrase(ns.devName), problem: "active",
                           fix: "\(enable: .force) to have it \(action) (its data will be lost)")
        }
        try ns.disableSafe()
        ns.setEnforceMode(.raw)
        try zeroInfoBlock(ns)
    }

    /// Zeroes the first 8 KiB (the pfn/btt/dax info block) so the old personality does
    /// not come back on the next enable (ndctl's zero_info_block).
    static func zeroInfoBlock(_ ns: Namespace) throws {
        defer {
            try? ns.setRawMode(false)
            try? ns.disableInvalidate()
        }
        try ns.setRawMode(true)
        guard (try? ns.enable()) != nil, let bdev = ns.blockDevice else { return }
        let path = "/dev/\(bdev)"
        func failed(_ what: String, _ e: Errno) -> DaxError {
            DaxError(.io, object: Phrase(ns.devName), problem: "cannot \(what) \(path) to clear its info block",
                     fix: e == .resourceBusy ? "something holds it open; stop it first" : "", underlyingError: e)
        }
        let fd = try Syscall.open(path, O_RDWR | O_EXCL).mapError { failed("open", $0) }.get()
        defer { Syscall.close(fd) }
        let size = 8192
        try withUnsafeTemporaryAllocation(byteCount: size, alignment: 8) { buf in
            let n = try Syscall.pread(fd, into: buf, at: 0).mapError { failed("read", $0) }.get()
            if n == size && buf.allSatisfy({ $0 == 0 }) { return }
            buf.initializeMemory(as: UInt8.self, repeating: 0)
            try Syscall.pwrite(fd, UnsafeRawBufferPointer(buf), at: 0).mapError { failed("write", $0) }.get()
            try Syscall.fsync(fd).mapError { failed("flush", $0) }.get()
        }
    }

    /// ndctl's setup_namespace with autorecover: program the namespace and its
    /// personality, bind it, and on failure put back what was there.
    static func setup(region: Region, namespace ns: Namespace, plan p: NamespacePlan, request r: NamespaceRequest,
                      fresh: Bool) throws {
        let log = KernelLog()
        // Names are captured up front: libndctl frees a namespace object on delete.
        let nsName = ns.devName
        var seedNames: [String] = [nsName]
        var restoreSeed: () -> Void = {}
        func undo() {
            guard r.autorecover else { return }
            restoreSeed()
            if fresh {
                ns.setEnforceMode(.raw)
                try? ns.delete()
            }
        }
        var step = "configure"
        do {
            if ns.type != .io {
                try ns.setUUID(p.uuid)
                FaultInjection.point("\(nsName) uuid")
                try ns.setName(p.name)
                FaultInjection.point("\(nsName) name")
                try ns.setSize(p.size)
                FaultInjection.point("\(nsName) size")
            }
            // Judge the layout again at the start the kernel actually allocated, by the
            // same rules the plan used.
            if p.mode == .fsdax || p.mode == .devdax || p.mode == .sector, let start = ns.resource {
                _ = try CapacityPlanner.layout(p, at: start, force: r.force)
            }
            if let s = p.sectorSize, s != UInt32.max {
                if ns.supportedSectorSizes.contains(UInt64(s)) {
                    try ns.setSectorSize(s)
                } else if p.mode != .sector && s != 512 {
                    throw DaxError(.invalidArgument, object: Phrase(nsName), problem: "\(.sectorSize, String(s)) is not supported",
                                   fix: "use \(.sectorSize, "512")")
                }
            }
            ns.setEnforceMode(p.mode)
            let uuid = randomUUID()
            let needsPFN = p.mode == .fsdax && (ns.mode != .fsdax || p.map == .dev || ns.type != .io)
            step = "bind"
            if needsPFN || p.mode == .devdax {
                let seed: (any PageMapSeed)? = needsPFN ? region.pfnSeed : region.daxSeed
                guard let seed else {
                    throw DaxError(.kernelRefused, object: Phrase(region.devName), problem: "no \(needsPFN ? "pfn" : "dax") seed for \(p.mode.rawValue)")
                }
                seedNames.append(seed.devName)
                // Put the seed's settings back if the bind fails, so nothing is left behind.
                let (oldLoc, oldAlign) = (seed.location, seed.align)
                restoreSeed = { try? seed.setNamespace(nil); try? seed.setLocation(oldLoc); if oldAlign > 0 && seed.hasAlign { try? seed.setAlign(oldAlign) } }
                try seed.setUUID(uuid)
                FaultInjection.point("\(seed.devName) uuid")
                step = "map"
                try seed.setLocation(p.map)
                FaultInjection.point("\(seed.devName) map")
                step = "bind"
                if seed.hasAlign { try seed.setAlign(p.align) }
                FaultInjection.point("\(seed.devName) align")
                try seed.setNamespace(ns)
                FaultInjection.point("\(seed.devName) namespace")
                try seed.enable()
                FaultInjection.point("\(seed.devName) enabled")
            } else if p.mode == .sector {
                guard let btt = region.bttSeed else {
                    throw DaxError(.kernelRefused, object: Phrase(region.devName), problem: "no btt seed for sector mode")
                }
                seedNames.append(btt.devName)
                restoreSeed = { try? btt.setNamespace(nil) }
                try btt.setUUID(uuid)
                try btt.setSectorSize(p.sectorSize ?? 4096)
                try btt.setNamespace(ns)
                try btt.enable()
            } else {
                try ns.enable()
            }
        } catch let e as DaxError where e.code != .kernelRefused {
            undo()
            throw e
        } catch let e as DaxError {
            let kernel = log?.reason(for: seedNames) ?? ""
            undo()
            let left: Phrase = r.autorecover ? "rolled back, nothing was left behind" : "left as is (autorecover is off)"
            if p.map == .none && p.mode == .devdax {
                let errno = e.underlyingError.map { "\($0)" } ?? "error"
                let what = step == "map" ? "rejected mode \"none\" (\(errno))" : "refused devdax with map none (\(errno))\(kernel.isEmpty ? "" : "; " + kernel)"
                throw DaxError(.kernelRefused, object: Phrase(nsName),
                               problem: "the kernel \(what): it has no struct-page-less device-dax (\(.map, "none"), from the unmerged \"device-dax: Support devices without PFN metadata\" RFC)",
                               fix: "use \(.map, "mem"). " + (r.autorecover ? "Nothing was left behind" : "Left as is (autorecover is off)"))
            }
            throw DaxError(.kernelRefused, object: e.object, problem: e.problem, rule: Phrase(kernel),
                           fix: left, underlyingError: e.underlyingError)
        }
    }
}
