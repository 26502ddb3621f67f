import DaxCore
import NDCtl

/// What provisioning needs to know of the host, as plain values: the pmem regions with
/// their namespaces, the dax regions with their devices, and whether the kernel
/// deduplicates compound-page vmemmap. ``Provisioning/plan(_:host:)`` decides from this
/// alone, so every planning rule runs as a host unit test.
public struct ProvisionHost: Sendable, Hashable {
    /// A namespace that may be a VM's: its snapshot and its region.
    public struct Namespace: Sendable, Hashable {
        /// The namespace (its `label` is the VM name that owns it).
        public var snapshot: NamespaceSnapshot
        /// Where its struct pages live (fsdax/devdax); nil otherwise.
        public var map: MapLocation?
        /// `regionN`.
        public var region: String
        /// The dax device of a devdax namespace (`daxX.Y`), when enabled.
        public var device: String?
        /// Whether the namespace is enabled (itself or through its personality).
        public var isActive: Bool

        /// A namespace described by hand.
        public init(snapshot: NamespaceSnapshot, map: MapLocation?, region: String, device: String? = nil,
                    isActive: Bool = true) {
            self.snapshot = snapshot
            self.map = map
            self.region = region
            self.device = device
            self.isActive = isActive
        }
    }

    /// The pmem regions.
    public var regions: [RegionSnapshot]
    /// The namespaces that carry a name (label), in every region.
    public var namespaces: [Namespace]
    /// The dax regions (dynamic ones take dax-source VMs).
    public var daxRegions: [DaxRegionSnapshot]
    /// Whether 2 MiB/1 GiB device-dax shares struct pages (Linux 5.17 and later).
    public var compoundVmemmap: Bool
    /// What dax-source VMs own (their ranges) and the dax regions the plan took over.
    public var journal: ProvisionJournal

    /// A host described by hand (tests, planning for another host).
    public init(regions: [RegionSnapshot], namespaces: [Namespace] = [], daxRegions: [DaxRegionSnapshot] = [],
                compoundVmemmap: Bool = true, journal: ProvisionJournal = ProvisionJournal()) {
        self.regions = regions
        self.namespaces = namespaces
        self.daxRegions = daxRegions
        self.compoundVmemmap = compoundVmemmap
        self.journal = journal
    }

    /// Reads this host through libndctl, libdaxctl, sysfs and `uname(2)`, and the state
    /// journal (``ProvisionJournal/load(from:)``).
    ///
    /// - Parameter dax: whether to read the dax regions (libdaxctl), which only
    ///   dax-source VMs need; they are read anyway when the journal records any. Without
    ///   them, devdax namespaces' devices are found in sysfs (the nd dax device's child).
    /// - Throws: `DaxError` `.contextCreation` when libndctl/libdaxctl cannot start; the
    ///   journal's errors.
    public init(dax readDax: Bool = true) throws {
        let journal = try ProvisionJournal.load()
        let nd = try NDContext()
        var daxRegions: [DaxRegionSnapshot] = []
        // A devdax namespace's device, by its nd dax device (`.../regionN/daxN.M`, whose
        // child is the device): one walk for all of them, not one libdaxctl region per
        // namespace through ndctl_dax_get_daxctl_region().
        var deviceOf: [String: String] = [:]
        let daxRead = readDax || !journal.vms.isEmpty
        if daxRead {
            let dax = try DAXContext()
            daxRegions = dax.regions.map { DaxRegionSnapshot($0) }
            for r in dax.regions {
                if let parent = r.path?.split(separator: "/").last, let first = r.devices.first {
                    deviceOf[String(parent)] = first.devName
                }
            }
        }
        func device(of seed: DAXSeed) -> String? {
            if let d = deviceOf[seed.devName] { return d }
            if daxRead { return seed.daxRegion?.devices.first?.devName }
            let dir = "/sys/bus/nd/devices/" + seed.devName
            return HostFile.list(dir).first { $0.hasPrefix("dax") && HostFile.trimmed(dir + "/" + $0 + "/dev") != nil }
        }
        var namespaces: [Namespace] = []
        for region in nd.regions {
            // Idle namespaces (destroyed by a tool that leaves the name, or seeds) hold
            // nothing: they are no VM's.
            for ns in region.namespaces where !(ns.name ?? "").isEmpty && !Namespaces.isIdle(ns) {
                let map = ns.dax?.location ?? ns.pfn?.location
                namespaces.append(Namespace(snapshot: NamespaceSnapshot(ns), map: map,
                                            region: region.devName,
                                            device: ns.dax.flatMap(device(of:)),
                                            isActive: ns.isActive))
            }
        }
        self.init(regions: nd.regions.map { RegionSnapshot($0) }, namespaces: namespaces,
                  daxRegions: daxRegions,
                  compoundVmemmap: HostRAMCost.kernelHasCompoundVmemmap(release: KernelModules.kernelRelease()),
                  journal: journal)
    }
}

/// What provisioning would do for one VM, and what it costs.
public struct VMPlan: Sendable, Hashable {
    /// What happens to the VM's device.
    public enum Action: String, Sendable, Hashable {
        /// A new device is created.
        case create
        /// The device the VM has is as the plan says: nothing changes.
        case keep
        /// The VM's device differs from the plan (size, align, map, region): it is
        /// destroyed and created again, and its contents are lost.
        case recreate
    }

    /// The VM's name.
    public var name: String
    /// Where its memory comes from.
    public var source: ProvisionPlan.Source
    /// What apply would do.
    public var action: Action
    /// The region it is (or would be) in: `regionN`, or `daxN`'s region id for dax.
    public var region: String?
    /// Its namespace (`namespaceX.Y`), for a namespace source that exists.
    public var namespace: String?
    /// Its device (`daxX.Y`), when it exists.
    public var device: String?
    /// The guest-usable bytes the plan asks for.
    public var requestedSize: UInt64
    /// The usable bytes it gets (at least ``requestedSize``).
    public var usableSize: UInt64
    /// The bytes taken from the region (namespace raw size, dax device size).
    public var rawSize: UInt64
    /// Alignment in bytes: the page size its memory maps with.
    public var align: UInt64
    /// Where struct pages live (namespace source); `.mem` for dax sources.
    public var map: MapLocation
    /// Bytes of pmem that hold struct pages (`map=dev`).
    public var metadataBytes: UInt64
    /// Bytes of host RAM its struct pages and their page tables take once enabled
    /// (``HostRAMCost``).
    public var hostRAMBytes: UInt64
    /// Why it cannot be provisioned as planned; nil when it can.
    public var problem: DaxError?
    /// Why the action is what it is (what differs, for `recreate`), in words.
    public var reason: String?
    /// `recreate` of what an interrupted apply left (a namespace carrying the VM's name
    /// that was never bound as devdax: it never held data), which needs no consent.
    public var resumes = false
    /// `keep` of a devdax namespace that is disabled: apply enables it (its data stays).
    public var needsEnable = false
    /// Dax source: the physical ranges (inclusive ends, device order) its device has or
    /// will get; with ``restores``, the ones the journal recorded.
    public var ranges: [DaxRegionSnapshot.Range] = []
    /// Dax source: its region's resource name (`hmem.0`) and first physical address.
    public var regionDevice: String?
    /// Dax source: its region's first physical address (0 when /proc/iomem hides it).
    public var regionStart: UInt64 = 0
    /// Dax source, `create`: the device comes back on the ranges the journal recorded
    /// (after a reboot, when dax devices are gone).
    public var restores = false

    /// Whether the VM fits as planned.
    public var fits: Bool { problem == nil }
}

/// The plan for a whole provisioning file: one ``VMPlan`` per VM, in the file's order.
public struct ProvisionReport: Sendable, Hashable {
    /// The plan file (for messages).
    public var file: String
    /// One entry per VM.
    public var vms: [VMPlan]
    /// Dax regions' boot-time devices that apply empties first (`daxN.0` spanning a region
    /// the plan took over, as the kernel brings it back at boot), by name.
    public var reclaims: [String] = []

    /// Whether every VM fits.
    public var fits: Bool { vms.allSatisfy(\.fits) }
    /// Bytes taken from regions by the VMs that fit.
    public var rawSize: UInt64 { vms.filter(\.fits).reduce(0) { $0 + $1.rawSize } }
    /// Guest-usable bytes of the VMs that fit.
    public var usableSize: UInt64 { vms.filter(\.fits).reduce(0) { $0 + $1.usableSize } }
    /// Bytes of pmem holding struct pages, for the VMs that fit.
    public var metadataBytes: UInt64 { vms.filter(\.fits).reduce(0) { $0 + $1.metadataBytes } }
    /// Bytes of host RAM for the VMs that fit.
    public var hostRAMBytes: UInt64 { vms.filter(\.fits).reduce(0) { $0 + $1.hostRAMBytes } }
}

/// Per-VM provisioning of guest memory on `/dev/daxX.Y`: plan (pure, from a
/// ``ProvisionHost``), then apply.
public enum Provisioning {
    /// Plans a provisioning file against a host: per VM, the action (create, keep,
    /// recreate), the region, raw and usable bytes, and the host-RAM cost. VMs are
    /// placed in the order apply makes them (keeps and creates in the file's order, then
    /// recreates, each of which frees its old room first), each in the region asked for
    /// or the best fit (the region with the least room that holds it), by the same rules as
    /// `create-namespace` (``CapacityPlanner/judge(_:region:existing:)``) and
    /// `create-device` (``DaxDeviceRules/create(in:size:align:ranges:)``); each placement
    /// takes its room from the region before the next VM is placed.
    ///
    /// The model is conservative where the host hides facts: capacity that a recreated
    /// namespace frees joins the largest free extent only where that is certain
    /// (``free(_:in:)``).
    ///
    /// What the arguments alone decide comes first, as with create-namespace: a size
    /// below a namespace's minimum, an owner or group that does not exist. A VM whose
    /// source has no region on this host is still sized and costed, against a region
    /// with the kernel's defaults, and does not fit.
    ///
    /// - Parameters:
    ///   - plan: the plan.
    ///   - host: the host's regions and namespaces.
    ///   - accountExists: whether a user (`false`) or group (`true`) name exists; by
    ///     default this host's (`getpwnam_r(3)`, `getgrnam_r(3)`).
    /// - Returns: the report; a VM that does not fit carries its ``VMPlan/problem``.
    public static func plan(_ plan: ProvisionPlan, host: ProvisionHost,
                            accountExists: (_ name: String, _ isGroup: Bool) -> Bool = systemAccountExists) -> ProvisionReport {
        // In apply's order: keeps and creates first, with every device still where it
        // is; then recreates, each freeing its own old room before it is placed. (A
        // first pass finds which VMs are recreates.)
        func place(_ order: [Int]) -> [Int: VMPlan] {
            var regions = host.regions
            var daxRegions = host.daxRegions
            _ = prepareDax(plan, host: host, regions: &daxRegions)
            var out: [Int: VMPlan] = [:]
            for i in order {
                let vm = plan.vms[i]
                switch vm.source {
                case .namespace: out[i] = planNamespace(vm, host: host, regions: &regions)
                case .dax: out[i] = planDax(vm, host: host, regions: &daxRegions)
                }
            }
            return out
        }
        var scratch = host.daxRegions
        let reclaims = prepareDax(plan, host: host, regions: &scratch)
        let first = place(Array(plan.vms.indices))
        let recreates = plan.vms.indices.filter { first[$0]?.action == .recreate }
        let placed = recreates.isEmpty ? first : place(plan.vms.indices.filter { !recreates.contains($0) } + recreates)
        var out: [VMPlan] = []
        for (i, vm) in plan.vms.enumerated() {
            var p = placed[i]!
            if let o = vm.owner, !accountExists(o, false) {
                p.problem = DaxError(.notFound, object: Phrase("vm \(vm.name)"), problem: Phrase("owner \(o): no such user"),
                                     fix: "create the user or name another owner")
            }
            if let g = vm.group, !accountExists(g, true) {
                p.problem = DaxError(.notFound, object: Phrase("vm \(vm.name)"), problem: Phrase("group \(g): no such group"),
                                     fix: "create the group or name another")
            }
            out.append(p)
        }
        var report = ProvisionReport(file: plan.file, vms: out)
        report.reclaims = reclaims
        return report
    }

    /// Whether a user (or, with `isGroup`, a group) of this name or number exists here.
    public static func systemAccountExists(_ name: String, _ isGroup: Bool) -> Bool {
        isGroup ? Syscall.gid(name) != nil : Syscall.uid(name) != nil
    }

    // MARK: - Namespace source

    static func request(_ vm: ProvisionPlan.VM, region: String) -> NamespaceRequest {
        var r = NamespaceRequest()
        r.region = region
        r.mode = .devdax
        r.map = vm.map
        r.usableSize = ByteCount(bytes: vm.size)
        r.align = ByteCount(bytes: vm.align)
        r.name = vm.name
        return r
    }

    static func planNamespace(_ vm: ProvisionPlan.VM, host: ProvisionHost, regions: inout [RegionSnapshot]) -> VMPlan {
        var result = VMPlan(name: vm.name, source: .namespace, action: .create, region: vm.region, namespace: nil,
                            device: nil, requestedSize: vm.size, usableSize: 0, rawSize: 0, align: vm.align,
                            map: vm.map, metadataBytes: 0, hostRAMBytes: 0, problem: nil, reason: nil)
        let owned = host.namespaces.filter { $0.snapshot.label == vm.name }
        if owned.count > 1 {
            result.problem = DaxError(.conflict, object: Phrase("vm \(vm.name)"),
                                      problem: Phrase("\(owned.count) namespaces are named \(vm.name): \(owned.map(\.snapshot.name).joined(separator: ", "))"),
                                      rule: "a VM's namespace is the one namespace carrying its name",
                                      fix: "destroy or rename all but one (\(Operation.listNamespaces))")
            return result
        }
        // The arguments' own mistakes (a size below the minimum) before any region's state.
        do {
            try CapacityPlanner.checkArguments(request(vm, region: vm.region ?? "any"))
        } catch let e as DaxError {
            result.problem = DaxError(e.code, object: Phrase("vm \(vm.name): ") + e.object, problem: e.problem, rule: e.rule, fix: e.fix)
            return result
        } catch {}
        let existing = owned.first
        if let existing {
            result.namespace = existing.snapshot.name
            result.device = existing.device
            result.region = existing.region
        }
        // What the VM would get if it were created now, in its own region first.
        var candidates = regions.indices.filter { regions[$0].isPMEM && !regions[$0].isLabelless }
        if let wanted = vm.region {
            candidates = regions.indices.filter { regions[$0].name == wanted || "region\(regions[$0].id)" == wanted || "\(regions[$0].id)" == wanted }
            if candidates.isEmpty {
                result.problem = DaxError(.notFound, object: Phrase("vm \(vm.name)"), problem: Phrase("no pmem region \(wanted)"),
                                          fix: regions.isEmpty ? "this host has no pmem region; remove region to plan for one with the kernel's defaults"
                                              : "name one of \(regions.map(\.name).joined(separator: ", ")) or remove region (\(Operation.listRegions))")
                return result
            }
        }
        if let existing {
            // Keep what already is as planned: same region (if one is asked), mode, map,
            // alignment, and the raw size a create would choose now.
            let region = regions.first { $0.name == existing.region }
            let inRegion = vm.region == nil || candidates.contains { regions[$0].name == existing.region }
            var want: NamespacePlan?
            if let region, inRegion {
                // Judge the size as if the namespace's capacity were free again.
                var freed = region
                freed.availableSize += existing.snapshot.size
                freed.maxAvailableExtent = max(freed.maxAvailableExtent ?? 0, existing.snapshot.size)
                freed.nextStart = existing.snapshot.resource ?? freed.nextStart
                want = try? verdictPlan(request(vm, region: region.name), freed)
            }
            let s = existing.snapshot
            var differs: [String] = []
            if !inRegion { differs.append("region \(existing.region), not \(vm.region ?? "")") }
            if s.mode != .devdax { differs.append("mode \(s.mode.rawValue), not devdax") }
            if let a = s.align, a != vm.align { differs.append("align \(ByteCount.compact(a)), not \(ByteCount.compact(vm.align))") }
            if let m = existing.map, m != vm.map { differs.append("map \(m.rawValue), not \(vm.map.rawValue)") }
            if let want, want.capacity.rawSize != s.size {
                differs.append("\(ByteCount.format(Int(s.size))) raw, not \(ByteCount.format(Int(want.capacity.rawSize)))")
            }
            if differs.isEmpty, let want {
                result.action = .keep
                fill(&result, want.capacity, host: host)
                if !existing.isActive {
                    result.needsEnable = true
                    result.reason = "\(s.name) is disabled: apply enables it (its data stays)"
                }
                return result
            }
            result.action = .recreate
            result.reason = differs.joined(separator: ", ")
            if !existing.isActive && s.mode != .devdax {
                // Left by an apply that was interrupted before the dax bind: it never
                // became a device, so it never held a VM's data.
                result.resumes = true
                result.reason = "\(s.name) was left by an interrupted apply (never bound as devdax)"
            }
            // Its capacity comes back before the new one is taken.
            if let i = regions.firstIndex(where: { $0.name == existing.region }) {
                free(s, in: &regions[i])
            }
        }
        // Best fit: the candidate whose largest free extent is the smallest that holds it.
        var reasons: [DaxError] = []
        var best: (index: Int, plan: NamespacePlan)?
        for i in candidates {
            do {
                let p = try verdictPlan(request(vm, region: regions[i].name), regions[i])
                if best == nil || regions[i].largestFree < regions[best!.index].largestFree { best = (i, p) }
            } catch let e as DaxError {
                reasons.append(e)
            } catch {
                reasons.append(DaxError(.invalidArgument, object: Phrase(regions[i].name), problem: Phrase("\(error)")))
            }
        }
        if candidates.isEmpty, let p = try? verdictPlan(request(vm, region: RegionSnapshot.hypotheticalName), .hypothetical()) {
            // Sized and costed all the same, for a region with the kernel's defaults.
            fill(&result, p.capacity, host: host)
            result.reason = "planned for a labelled region with the kernel's defaults: this host has none"
        }
        guard let best else {
            result.problem = noFit(vm, reasons, none: candidates.isEmpty ? "no labelled pmem region on this host" : nil,
                                   some: "no region can hold it",
                                   fix: "pmem for namespaces comes from NVDIMMs with labels (or an emulator's NVDIMM)")
            return result
        }
        result.region = regions[best.index].name
        fill(&result, best.plan.capacity, host: host)
        if let refusal = best.plan.capacity.refusal {
            var problem: Phrase = refusal.message
            if vm.map == MapLocation.none {
                let mem = HostRAMCost.bytes(for: best.plan.capacity.rawSize, mode: .devdax, map: .mem, align: vm.align,
                                            compoundVmemmap: host.compoundVmemmap)
                problem = problem + Phrase("; with map mem and align \(ByteCount.compact(vm.align)) it costs \(ByteCount.format(Int(mem))) of host RAM")
            }
            result.problem = DaxError(.kernelRefused, object: Phrase("vm \(vm.name)"), problem: problem)
            return result
        }
        take(best.plan.capacity.rawSize, from: &regions[best.index])
        return result
    }

    /// Why a VM fits in no region: the one region's own reason, or every region's; with
    /// no region of its source at all (`none`), that and where such regions come from.
    static func noFit(_ vm: ProvisionPlan.VM, _ reasons: [DaxError], none: Phrase?, some: Phrase, fix: Phrase) -> DaxError {
        if let none {
            return DaxError(.noCapacity, object: Phrase("vm \(vm.name)"), problem: none, fix: fix)
        }
        if reasons.count == 1 { return reasons[0] }
        return DaxError(.noCapacity, object: Phrase("vm \(vm.name)"), problem: some,
                        rule: Phrase.joined(reasons.map(\.sentence), separator: "; "))
    }

    /// The plan of a request judged against one region, or the reason it cannot be.
    static func verdictPlan(_ r: NamespaceRequest, _ region: RegionSnapshot) throws -> NamespacePlan {
        try CapacityPlanner.checkArguments(r)
        switch try CapacityPlanner.judge(r, region: region) {
        case .plan(let p): return p
        case .skip(let why): throw why
        }
    }

    static func fill(_ result: inout VMPlan, _ c: CapacityPlan, host: ProvisionHost) {
        result.rawSize = c.rawSize
        result.usableSize = c.usableSize
        result.metadataBytes = c.map == .dev ? c.metadataBytes : 0
        result.hostRAMBytes = HostRAMCost.bytes(for: c.rawSize, mode: .devdax, map: c.map ?? .dev,
                                                align: c.align ?? result.align, compoundVmemmap: host.compoundVmemmap)
    }

    /// Gives a namespace's capacity back to its region. It joins the largest free extent
    /// only where that is certain: the region's free space is one extent and the
    /// namespace ends where it starts.
    static func free(_ ns: NamespaceSnapshot, in region: inout RegionSnapshot) {
        let oneExtent = region.maxAvailableExtent == region.availableSize
        region.availableSize += ns.size
        if oneExtent, let start = ns.resource, let next = region.nextStart, start + ns.size == next {
            region.maxAvailableExtent = (region.maxAvailableExtent ?? 0) + ns.size
            region.nextStart = start
        }
    }

    /// Takes `raw` bytes from a region, first fit after its last namespace.
    static func take(_ raw: UInt64, from region: inout RegionSnapshot) {
        region.availableSize -= min(raw, region.availableSize)
        if let m = region.maxAvailableExtent { region.maxAvailableExtent = m - min(raw, m) }
        if let n = region.allocationStart { region.nextStart = n + raw }
    }

    // MARK: - Dax source

    /// The name that stands, in a region snapshot, for ranges the journal holds for a VM
    /// whose device is not there (yet).
    static func reservation(_ vm: String) -> String { "vm " + vm }

    /// Before any dax VM is placed: empties (in the snapshot) the boot-time whole-region
    /// device of every region the journal says the plan took over, and reserves the
    /// recorded ranges of every VM of the plan whose device is gone (after a reboot) and
    /// whose size and alignment are unchanged, so that no other VM is placed on them. A
    /// device that holds part of a VM's recorded ranges, not all, is what an interrupted
    /// apply left: it is replaced by the reservation too.
    ///
    /// - Returns: the boot-time devices apply must empty.
    static func prepareDax(_ plan: ProvisionPlan, host: ProvisionHost, regions: inout [DaxRegionSnapshot]) -> [String] {
        var reclaims: [String] = []
        for i in regions.indices {
            guard let range = regions[i].range, host.journal.owns(regionStart: range.start),
                  let boot = regions[i].devices.firstIndex(where: { $0 == regions[i].bootDevice }) else { continue }
            // Only when a VM of the plan needs this region's room.
            guard plan.vms.contains(where: { vm in
                vm.source == .dax && (host.journal.entry(vm.name)?.regionStart == range.start || vm.region == nil
                    || vm.region == "\(regions[i].id)" || vm.region == "region\(regions[i].id)" || vm.region == regions[i].device)
            }) else { continue }
            reclaims.append(regions[i].devices[boot].name)
            regions[i].availableSize += regions[i].devices[boot].size
            regions[i].devices[boot].size = 0
            regions[i].devices[boot].ranges = []
            regions[i].devices[boot].isEnabled = false
        }
        for vm in plan.vms where vm.source == .dax {
            guard let e = host.journal.entry(vm.name), e.size == roundedDaxSize(vm), e.align == vm.align,
                  let i = regions.firstIndex(where: { $0.range?.start == e.regionStart }),
                  !regions[i].devices.contains(where: { $0.size > 0 && ($0.ranges == e.ranges || $0.ranges == e.replacing) })
            else { continue }
            // Only a device never enabled is what an interrupted apply left (apply enables
            // a device as the last step of making it); an enabled one is someone's.
            let partial = regions[i].devices.filter { d in
                d.size > 0 && !d.isEnabled && !d.isSystemRAM && d.ranges.allSatisfy { r in e.ranges.contains { $0.start <= r.start && r.end <= $0.end } }
            }
            var freed = regions[i]
            freed.devices.removeAll { d in partial.contains(d) }
            guard e.ranges.allSatisfy({ r in freed.freeRanges.contains { $0.start <= r.start && r.end <= $0.end } }) else { continue }
            regions[i] = freed
            regions[i].availableSize += partial.reduce(0) { $0 + $1.size }
            regions[i].availableSize -= min(e.size, regions[i].availableSize)
            regions[i].devices.append(.init(name: reservation(vm.name), id: -1, size: e.size, align: e.align, isEnabled: false,
                                            ranges: e.ranges))
            if let leftover = partial.first {
                regions[i].devices[regions[i].devices.count - 1].name = reservation(vm.name) + " " + leftover.name
            }
        }
        return reclaims
    }

    /// A dax VM's device size: the request rounded up to its alignment.
    static func roundedDaxSize(_ vm: ProvisionPlan.VM) -> UInt64 { (vm.size + vm.align - 1) / vm.align * vm.align }

    static func planDax(_ vm: ProvisionPlan.VM, host: ProvisionHost, regions: inout [DaxRegionSnapshot]) -> VMPlan {
        var result = VMPlan(name: vm.name, source: .dax, action: .create, region: vm.region, namespace: nil,
                            device: nil, requestedSize: vm.size, usableSize: 0, rawSize: 0, align: vm.align,
                            map: .mem, metadataBytes: 0, hostRAMBytes: 0, problem: nil, reason: nil)
        let size = roundedDaxSize(vm)
        func place(_ i: Int, _ ranges: [DaxRegionSnapshot.Range]) {
            result.region = "\(regions[i].id)"
            result.regionDevice = regions[i].device
            result.regionStart = regions[i].range?.start ?? 0
            result.ranges = ranges
            result.rawSize = size
            result.usableSize = size
            result.hostRAMBytes = HostRAMCost.bytes(for: size, mode: .devdax, map: .mem, align: vm.align,
                                                    compoundVmemmap: host.compoundVmemmap)
        }
        func matches(_ i: Int, _ wanted: String) -> Bool {
            "\(regions[i].id)" == wanted || "region\(regions[i].id)" == wanted || regions[i].device == wanted
        }
        if let e = host.journal.entry(vm.name), let i = regions.firstIndex(where: { $0.range?.start == e.regionStart }) {
            let inRegion = vm.region.map { matches(i, $0) } ?? true
            if let old = e.replacing,
               let live = regions[i].devices.first(where: { $0.id >= 0 && $0.size > 0 && $0.ranges == old }) {
                // An apply that was recreating it (with force) was interrupted before the
                // old device went: finish it, on the recorded new ranges when they are free.
                result.device = live.name
                result.action = .recreate
                result.resumes = true
                result.reason = "an interrupted apply was recreating it (\(live.name) is its old device)"
                regions[i].devices.removeAll { $0.name == live.name }
                regions[i].availableSize += live.size
                if e.size == size, e.align == vm.align,
                   e.ranges.allSatisfy({ r in regions[i].freeRanges.contains { $0.start <= r.start && r.end <= $0.end } }) {
                    place(i, e.ranges)
                    regions[i].devices.append(.init(name: reservation(vm.name), id: -1, size: e.size, align: e.align,
                                                    isEnabled: false, ranges: e.ranges))
                    regions[i].availableSize -= min(e.size, regions[i].availableSize)
                    return result
                }
            } else if let live = regions[i].devices.first(where: { $0.id >= 0 && $0.size > 0 && $0.ranges == e.ranges }) {
                result.device = live.name
                var differs: [String] = []
                if !inRegion { differs.append("region \(regions[i].id), not \(vm.region ?? "")") }
                if live.isSystemRAM { differs.append("system-ram mode, not devdax") }
                if live.size != size { differs.append("\(ByteCount.format(Int(live.size))), not \(ByteCount.format(Int(size)))") }
                if live.align != vm.align { differs.append("align \(ByteCount.compact(live.align)), not \(ByteCount.compact(vm.align))") }
                if differs.isEmpty {
                    result.action = .keep
                    place(i, e.ranges)
                    if !live.isEnabled {
                        result.needsEnable = true
                        result.reason = "\(live.name) is disabled: apply enables it (its data stays)"
                    }
                    return result
                }
                result.action = .recreate
                result.reason = differs.joined(separator: ", ")
                // Its ranges come back before the new ones are taken.
                regions[i].devices.removeAll { $0.name == live.name }
                regions[i].availableSize += live.size
            } else if inRegion, let r = regions[i].devices.first(where: { $0.name.hasPrefix(reservation(vm.name)) }) {
                // Its device is gone (a reboot) or half made (an interrupted apply): back
                // on the same ranges.
                let leftover = r.name.count > reservation(vm.name).count ? String(r.name.dropFirst(reservation(vm.name).count + 1)) : nil
                place(i, e.ranges)
                result.restores = true
                if let leftover {
                    result.action = .recreate
                    result.resumes = true
                    result.device = leftover
                    result.reason = "\(leftover) was left by an interrupted apply (part of its ranges, never the VM's)"
                } else {
                    result.reason = "restores its recorded ranges \(e.ranges.map(\.description).joined(separator: ", "))"
                }
                return result
            }
        }
        var candidates = regions.indices.filter { regions[$0].isDynamic }
        if let wanted = vm.region {
            candidates = regions.indices.filter { matches($0, wanted) }
            if candidates.isEmpty {
                result.problem = DaxError(.notFound, object: Phrase("vm \(vm.name)"), problem: Phrase("no dax region \(wanted)"),
                                          fix: "name a dax region by id (\(Operation.listDAXDevices)) or remove region")
                return result
            }
        }
        var reasons: [DaxError] = []
        var best: (index: Int, creation: DaxDeviceRules.Creation)?
        for i in candidates {
            do {
                let c = try DaxDeviceRules.create(in: regions[i], size: ByteCount(bytes: size), align: ByteCount(bytes: vm.align))
                if best == nil || regions[i].availableSize < regions[best!.index].availableSize { best = (i, c) }
            } catch let e as DaxError {
                reasons.append(e)
            } catch {}
        }
        guard let best else {
            // Sized and costed all the same: what it would take where it fits.
            result.rawSize = size
            result.usableSize = size
            result.hostRAMBytes = HostRAMCost.bytes(for: size, mode: .devdax, map: .mem, align: vm.align,
                                                    compoundVmemmap: host.compoundVmemmap)
            var fix: Phrase = "dynamic dax regions come from soft-reserved memory (EFI_MEMORY_SP, or memmap=nn%ss+0xefffffff) and CXL RAM; use source namespace for pmem"
            let snapshot = regions
            if let boot = candidates.compactMap({ i in snapshot[i].bootDevice }).first {
                fix = Phrase("\(boot.name) holds its whole region, as the kernel makes it at boot: empty it once (\(Operation.destroyDevice(boot.name))); from then on the region is the plan's and apply empties \(boot.name) again after each reboot")
            }
            result.problem = noFit(vm, reasons, none: candidates.isEmpty ? "no dynamic dax region on this host" : nil,
                                   some: "no dax region can hold it", fix: fix)
            if reasons.count == 1, candidates.count == 1, !candidates.isEmpty {
                result.problem = DaxError(reasons[0].code, object: reasons[0].object, problem: reasons[0].problem,
                                          rule: reasons[0].rule, fix: fix)
            }
            return result
        }
        if result.action == .create, host.journal.entry(vm.name) != nil {
            result.reason = "its recorded ranges are taken or its size or alignment changed: new ranges"
        }
        place(best.index, claim(best.creation.size, align: vm.align, in: &regions[best.index]))
        return result
    }

    /// Marks the first-fit aligned ranges of `size` bytes in a dax region as held (by a
    /// device that stands for the one planned), as the kernel's `alloc_dev_dax_range()`
    /// would take them.
    ///
    /// - Returns: the ranges, in device order.
    static func claim(_ size: UInt64, align: UInt64, in region: inout DaxRegionSnapshot) -> [DaxRegionSnapshot.Range] {
        var left = size
        var ranges: [DaxRegionSnapshot.Range] = []
        for free in region.freeRanges where left > 0 {
            let lo = (free.start + align - 1) / align * align
            let hi = (free.end &+ 1) / align * align
            guard hi > lo else { continue }
            let n = min(hi - lo, left)
            ranges.append(.init(start: lo, end: lo + n - 1))
            left -= n
        }
        region.availableSize -= min(size, region.availableSize)
        let id = (region.devices.map(\.id).max() ?? -1) + 1
        region.devices.append(.init(name: "dax\(region.id).\(id)", id: id, size: size, align: align, isEnabled: true, ranges: ranges))
        return ranges
    }
}
