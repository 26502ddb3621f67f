import DaxCore
#if canImport(Glibc)
import Glibc
#endif
import DAXMemory
import NDCtl

/// One VM's device as it is on the host (after `provision apply`, or as
/// `provision status` finds it).
public struct VMState: Sendable, Equatable {
    /// The VM's name.
    public var name: String
    /// Where its memory comes from.
    public var source: ProvisionPlan.Source
    /// apply: what was done; status: what apply would do (`keep`: no drift).
    public var action: VMPlan.Action
    /// `regionN` (namespace source) or the dax region id.
    public var region: String?
    /// `namespaceX.Y` (namespace source).
    public var namespace: String?
    /// `daxX.Y`, when the device exists.
    public var device: String?
    /// Guest-usable bytes of the device (0 when there is none).
    public var usableSize: UInt64
    /// The device's alignment, in bytes.
    public var align: UInt64
    /// Host RAM its struct pages take, in bytes (``HostRAMCost``).
    public var hostRAMBytes: UInt64
    /// The device node's owner, group and permission bits as they are (nil: no node).
    public var owner: UInt32?
    /// The device node's group.
    public var group: UInt32?
    /// The device node's permission bits.
    public var mode: UInt16?
    /// What holds the device now (a running VM maps it).
    public var holders: [DeviceHolder]
    /// Why it is not as the plan says (status), in words; nil when it is.
    public var drift: String?
    /// Why the plan cannot be carried out for it (it does not fit, an owner is missing).
    public var problem: DaxError?

    /// Whether `/dev/dax/by-vm/NAME` points at the device.
    public var hasStablePath: Bool = false

    /// `/dev/daxX.Y`, when the device exists.
    public var devicePath: String? { device.map { "/dev/" + $0 } }
    /// The path to give the VMM: the stable `/dev/dax/by-vm/NAME` when it points at the
    /// device (apply makes it, and the boot unit again after a reboot, when device
    /// numbers may have changed), else `/dev/daxX.Y`.
    public var path: String? { hasStablePath ? Provisioning.stablePath(name) : devicePath }
    /// Whether a process maps or holds the device.
    public var inUse: Bool { !holders.isEmpty }
}

extension Provisioning {
    /// Makes the host match a plan, under the host-wide lock: creates the devices of VMs
    /// that have none, recreates (with `force`) those that differ from the plan, keeps
    /// the rest, sets each device node's owner, group and mode once udev (or devtmpfs)
    /// has made it, and points each VM's stable path at its device. Applying the same
    /// plan again changes nothing.
    ///
    /// Namespace-source VMs are found by their namespace's name. Dax-source VMs are found
    /// by the exact physical ranges the state journal (``ProvisionJournal``) recorded for
    /// them; after a reboot their devices are created again on those ranges, after
    /// emptying the boot-time whole-region device of a region the plan took over. The
    /// journal records a VM's ranges before the kernel is asked for them.
    ///
    /// Before anything changes, the whole plan is judged: a VM that does not fit, an owner
    /// or group that does not exist, a recreate without `force`, or a device to recreate
    /// or empty that a process maps (even with `force`: a running VM) refuses the apply.
    /// A failed step undoes what this apply did, in reverse (devices created, boot-time
    /// devices emptied, the journal); a recreated VM's old contents cannot come back, so
    /// recreates come last.
    ///
    /// - Parameters:
    ///   - plan: the plan.
    ///   - force: consent to recreate VMs whose device differs from the plan (their
    ///     contents are lost). Never overrides "in use".
    /// - Returns: every VM's state after the apply, in the plan's order.
    /// - Throws: `DaxError` `.invalidPlan` with every problem in `details`, `.inUse`
    ///   naming the holder, the journal's `.io`, or the failing step's error (after the
    ///   undo).
    public static func apply(_ plan: ProvisionPlan, force: Bool = false) throws -> [VMState] {
        try PlanFileRights.check(plan.file)
        return try HostLock.withLock {
            let host = try ProvisionHost(dax: plan.vms.contains { $0.source == .dax })
            let report = Provisioning.plan(plan, host: host)
            var problems = report.vms.compactMap(\.problem)
            let recreate = report.vms.filter { $0.fits && $0.action == .recreate }
            FaultInjection.point("plan judged")
            for v in recreate {
                let holders = v.device.map { Holders.find(blockDevices: [], daxDevices: [$0]) } ?? []
                if let h = holders.first {
                    problems.append(DaxError(.inUse, object: Phrase("vm \(v.name)"),
                                             problem: Phrase("its device differs from the plan (\(v.reason ?? "")) and \(h)"),
                                             rule: "a device that a process maps (a running VM) is never destroyed, even with force",
                                             fix: "stop the VM first, or keep its entry as it was"))
                } else if !force && !v.resumes {
                    problems.append(DaxError(.conflict, object: Phrase("vm \(v.name)"),
                                             problem: Phrase("its \(v.source == .dax ? "device \(v.device ?? "")" : "namespace \(v.namespace ?? "")") differs from the plan: \(v.reason ?? "")"),
                                             rule: "recreating it loses its contents",
                                             fix: "\(enable: .force) to recreate it, or keep its entry as it was"))
                }
            }
            for d in report.reclaims {
                if let h = Holders.find(blockDevices: [], daxDevices: [d]).first {
                    problems.append(DaxError(.inUse, object: Phrase(d),
                                             problem: Phrase("holds its whole region, as at boot, and \(h)"),
                                             rule: "the plan's dax VMs need its room, and a device a process maps is never emptied",
                                             fix: "stop what maps it"))
                }
            }
            guard problems.isEmpty else {
                throw DaxError(.invalidPlan, object: Phrase(plan.file.isEmpty ? "plan" : plan.file),
                               problem: Phrase("\(problems.count) problem\(problems.count == 1 ? "" : "s"); nothing was changed"),
                               details: problems)
            }

            // The intent: every dax VM's ranges, before the kernel is asked for them.
            // Entries of VMs that left the plan and have no device are dropped.
            let before = host.journal
            var journal = before
            for v in report.vms where v.source == .dax {
                var e = ProvisionJournal.Entry(name: v.name, region: v.regionDevice ?? "", regionStart: v.regionStart,
                                               size: v.rawSize, align: v.align, ranges: v.ranges, device: v.device)
                if v.action == .recreate, let old = host.daxRegions.flatMap(\.devices).first(where: { $0.name == v.device }) {
                    e.replacing = old.ranges
                }
                journal.record(e)
            }
            journal.vms.removeAll { e in
                !plan.vms.contains { $0.name == e.name } && !host.daxRegions.contains { $0.devices.contains { $0.size > 0 && $0.ranges == e.ranges } }
            }
            if journal != before {
                try journal.save()
                FaultInjection.point("journal: intent")
            }

            // Listening before the kernel makes anything, so no device's uevent is missed.
            let nodes = try DeviceNodeWatcher(subsystem: "dax")
            var created: [(source: ProvisionPlan.Source, name: String)] = []
            var emptied: [String] = []
            var recreated: [String] = []
            do {
                for d in report.reclaims {
                    try DaxDevices.emptyBootDevice(d)
                    emptied.append(d)
                    FaultInjection.point("\(d) emptied")
                }
                // New devices first; recreates (which lose contents) last, so that a
                // failure before them leaves every existing VM as it was.
                for v in report.vms where v.action == .create {
                    let vm = plan.vms.first { $0.name == v.name }!
                    switch v.source {
                    case .namespace: created.append((.namespace, try create(vm, in: v.region!)))
                    case .dax: created.append((.dax, try createDax(v)))
                    }
                }
                for v in report.vms where v.needsEnable {
                    switch v.source {
                    case .namespace: try enableClaim(v.namespace!)
                    case .dax: _ = try DaxDevices.enable(v.device!, region: nil, context: try DAXContext())
                    }
                    FaultInjection.point("\(v.namespace ?? v.device!) enabled")
                }
                // What an interrupted apply left never held data: finish it first.
                for v in recreate.sorted(by: { $0.resumes && !$1.resumes }) {
                    let vm = plan.vms.first { $0.name == v.name }!
                    switch v.source {
                    case .namespace:
                        _ = try Namespaces.destroy(v.namespace!, region: v.region, bus: nil, force: true, context: try NDContext())
                        _ = try create(vm, in: v.region!)
                    case .dax:
                        _ = try DaxDevices.destroy(v.device!, region: nil, force: true, context: try DAXContext())
                        FaultInjection.point("\(v.device!) destroyed")
                        _ = try createDax(v)
                    }
                    recreated.append(v.name)
                }
            } catch {
                for c in created.reversed() {
                    switch c.source {
                    case .namespace: _ = try? Namespaces.destroy(c.name, region: nil, bus: nil, force: true, context: try NDContext())
                    case .dax: _ = try? DaxDevices.destroy(c.name, region: nil, force: true, context: try DAXContext())
                    }
                }
                for d in emptied.reversed() { try? DaxDevices.refillBootDevice(d) }
                // The journal as it was, but for the recreates that were done (their old
                // devices are gone; the new ones are theirs).
                var back = before
                for name in recreated { if var e = journal.entry(name) { e.replacing = nil; back.record(e) } }
                if back != journal { try? back.save() }
                throw error
            }
            // Nothing changed: the host as read at the start is the host now.
            let changed = !report.reclaims.isEmpty || report.vms.contains { $0.action != .keep || $0.needsEnable }
            var states = changed ? try status(plan) : status(plan, host: host, report: report)
            var seen = journal
            var rules = udevRules()
            let rulesBefore = rules
            for i in states.indices {
                let vm = plan.vms[i]
                if let path = states[i].devicePath, let device = states[i].device {
                    try nodes.wait(for: device, made: report.vms[i].action != .keep || report.vms[i].needsEnable)
                    if let o = try setOwner(path, vm: vm) { (states[i].owner, states[i].group, states[i].mode) = o }
                    FaultInjection.point("\(path) owner and mode")
                    // A link already pointing at the device is left alone (a re-apply
                    // writes nothing).
                    if !states[i].hasStablePath { try linkStablePath(vm.name, to: device) }
                    try writeUdevRule(vm, device: device, rules: &rules)
                    FaultInjection.point("\(stablePath(vm.name)) linked")
                    states[i].hasStablePath = true
                    states[i].drift = nil
                    if vm.source == .dax, var e = seen.entry(vm.name) {
                        e.device = device
                        e.replacing = nil
                        seen.record(e)
                    }
                }
                states[i].action = report.vms[i].action
            }
            if seen != journal { try seen.save() }
            // A rule written now must hold for the next re-probe, not only after
            // udevd's own 3 s look at its rule directories.
            if rules != rulesBefore { UdevReload.request() }
            return states
        }
    }

    /// Creates a dax-source VM's device on exactly the planned ranges
    /// (``DaxDevices/create(region:size:align:ranges:context:)``: its rules, and the
    /// undo of a half-made device).
    ///
    /// - Returns: the device created (`daxX.Y`).
    static func createDax(_ v: VMPlan) throws -> String {
        let out = try DaxDevices.create(region: v.region, size: nil, align: ByteCount(bytes: v.align), ranges: v.ranges,
                                        context: try DAXContext())
        guard let dev = out.devices.first else {
            throw DaxError(.kernelRefused, object: Phrase("vm \(v.name)"), problem: Phrase("no dax device was created in dax region \(v.region ?? "")"))
        }
        FaultInjection.point("\(dev.devName) created")
        return dev.devName
    }

    /// Each VM's device as it is, and how it differs from the plan.
    ///
    /// - Returns: one state per VM, in the plan's order; `action` is what apply would do.
    /// - Throws: `DaxError` `.contextCreation` when libndctl/libdaxctl cannot start.
    public static func status(_ plan: ProvisionPlan) throws -> [VMState] {
        let host = try ProvisionHost(dax: plan.vms.contains { $0.source == .dax })
        return status(plan, host: host, report: Provisioning.plan(plan, host: host))
    }

    /// Each VM's state on a host already read and planned (apply reuses its own reading
    /// when it changed nothing). `/proc` is scanned once for all the VMs' holders.
    static func status(_ plan: ProvisionPlan, host: ProvisionHost, report: ProvisionReport) -> [VMState] {
        let devices = report.vms.compactMap(\.device)
        let holders = devices.isEmpty ? [] : Holders.find(blockDevices: [], daxDevices: devices)
        return report.vms.map { v in
            let existing = host.namespaces.first { $0.snapshot.label == v.name }
            var s = VMState(name: v.name, source: v.source, action: v.action, region: v.region, namespace: v.namespace,
                            device: v.device, usableSize: 0, align: existing?.snapshot.align ?? v.align,
                            hostRAMBytes: 0, owner: nil, group: nil, mode: nil, holders: [], drift: nil, problem: v.problem)
            var device: String?
            if v.source == .namespace, let existing, let d = existing.device {
                device = d
                s.hostRAMBytes = HostRAMCost.bytes(for: existing.snapshot.size, mode: existing.snapshot.mode,
                                                   map: existing.map ?? .dev, align: existing.snapshot.align ?? v.align,
                                                   compoundVmemmap: host.compoundVmemmap)
            } else if v.source == .dax, v.action != .create, !v.resumes, let d = v.device,
                      let live = host.daxRegions.flatMap(\.devices).first(where: { $0.name == d }) {
                device = d
                s.align = live.align
                s.hostRAMBytes = HostRAMCost.bytes(for: live.size, mode: .devdax, map: .mem, align: live.align,
                                                   compoundVmemmap: host.compoundVmemmap)
            }
            s.device = device
            if let device {
                let devPath = "/dev/" + device
                s.hasStablePath = HostFile.readlink(stablePath(v.name)) == "../../" + device
                s.usableSize = UInt64(HostFile.trimmed("/sys/bus/dax/devices/\(device)/size").flatMap { UInt64($0) } ?? 0)
                if let o = try? Syscall.owner(devPath).get() { (s.owner, s.group, s.mode) = o }
                s.holders = holders.filter { $0.device == device }
            }
            let vm = plan.vms.first { $0.name == v.name }
            switch v.action {
            case .create: s.drift = v.restores ? "its device is gone (a reboot): apply makes it again on its recorded ranges" : "no device yet"
            case .recreate: s.drift = v.reason
            case .keep:
                var d: [String] = []
                if let o = vm?.owner, let uid = Syscall.uid(o), s.owner != uid { d.append("owner \(s.owner.map(String.init) ?? "-"), not \(o)") }
                if let g = vm?.group, let gid = Syscall.gid(g), s.group != gid { d.append("group \(s.group.map(String.init) ?? "-"), not \(g)") }
                if let m = vm?.mode, s.mode != m { d.append("mode \(s.mode.map { String($0, radix: 8) } ?? "-"), not \(String(m, radix: 8))") }
                if s.device != nil, !s.hasStablePath { d.append("no \(stablePath(v.name)) pointing at /dev/\(s.device!)") }
                if v.needsEnable, let r = v.reason { d.append(r) }
                s.drift = d.isEmpty ? nil : d.joined(separator: ", ")
            }
            return s
        }
    }

    /// Creates a VM's devdax namespace in `region` (by create-namespace's own path: its
    /// rules, rollback and in-use checks).
    ///
    /// - Returns: the namespace created (`namespaceX.Y`).
    static func create(_ vm: ProvisionPlan.VM, in region: String) throws -> String {
        let out = try Namespaces.create(request(vm, region: region), context: try NDContext())
        guard let ns = out.namespaces.first else {
            throw DaxError(.kernelRefused, object: Phrase("vm \(vm.name)"), problem: Phrase("no namespace was created in \(region)"))
        }
        return ns.devName
    }

    /// Enables a disabled devdax namespace through the dax device that claims it (the
    /// kernel's dax_pmem probe: it reads the info block, or writes it when an interrupted
    /// create bound the seed but never enabled it), keeping the data.
    ///
    /// - Throws: `DaxError` `.notFound`, or the bind's failure.
    static func enableClaim(_ name: String) throws {
        let context = try NDContext()
        guard let ns = context.regions.flatMap(\.namespaces).first(where: { $0.devName == name }) else {
            throw DaxError(.notFound, object: Phrase("namespace \(name)"), problem: "not found")
        }
        if let dax = ns.dax { try dax.enable() } else { _ = try Namespaces.enable(name, region: nil, bus: nil, context: context) }
    }

    /// Where each VM's stable device path lives: `/dev/dax/by-vm/NAME` (a symbolic link to
    /// `../../daxX.Y`, as udev's by-* links are).
    public static let stablePathDirectory = "/dev/dax/by-vm"

    /// A VM's stable device path.
    public static func stablePath(_ vm: String) -> String { stablePathDirectory + "/" + vm }

    /// Points a VM's stable path at its device, replacing an older link atomically.
    ///
    /// - Throws: `DaxError` `.io` with the errno of `mkdir(2)`, `symlink(2)` or `rename(2)`.
    static func linkStablePath(_ vm: String, to device: String) throws {
        if case .failure(let e) = Syscall.makeDirectories(stablePathDirectory) {
            throw DaxError(.io, object: Phrase(stablePathDirectory), problem: "cannot create it", underlyingError: e)
        }
        if case .failure(let e) = Syscall.replaceSymlink(stablePath(vm), to: "../../" + device) {
            throw DaxError(.io, object: Phrase(stablePath(vm)), problem: Phrase("cannot point it at /dev/\(device)"), underlyingError: e)
        }
    }

    /// Where a VM's udev rule lives: `/run/udev/rules.d/70-daxkit-vm-NAME.rules`
    /// (volatile: device numbers may change at a reboot, and the boot unit's apply writes
    /// it again).
    public static func udevRulePath(_ vm: String) -> String { "/run/udev/rules.d/70-daxkit-vm-\(vm).rules" }

    /// A VM's udev rule: when udev sees its device again (a re-probe: the namespace or the
    /// device disabled and enabled, `udevadm trigger`), it gives the node the plan's
    /// owner, group and mode (final, `:=`, so later rules do not undo them) and makes the
    /// stable path, as apply did. One line, matching the device's kernel name in the dax
    /// subsystem.
    public static func udevRule(_ vm: ProvisionPlan.VM, device: String) -> String {
        var keys = ["SUBSYSTEM==\"dax\"", "KERNEL==\"\(device)\""]
        if let o = vm.owner { keys.append("OWNER:=\"\(o)\"") }
        if let g = vm.group { keys.append("GROUP:=\"\(g)\"") }
        if let m = vm.mode { keys.append("MODE:=\"0\(String(m, radix: 8))\"") }
        keys.append("SYMLINK+=\"dax/by-vm/\(vm.name)\"")
        return "# daxkit provision: vm \(vm.name); written by each apply (device numbers can change at a reboot)\n"
            + keys.joined(separator: ", ") + "\n"
    }

    /// A VM rule file as apply found or wrote it.
    struct UdevRuleFile: Equatable {
        /// The file's text.
        var text: String
        /// The dax device its `KERNEL=="daxX.Y"` key matches; nil when it has none.
        var device: Substring?

        init(_ text: String) {
            self.text = text
            // `KERNEL=="NAME"` among the comma-separated keys of a rule line (on the
            // UTF-8 bytes: Character-wise splitting cost 100,000 instructions a file).
            let key = Array("KERNEL==\"".utf8), quote = UInt8(ascii: "\"")
            device = nil
            for line in text.utf8.split(separator: UInt8(ascii: "\n")) where line.first != UInt8(ascii: "#") {
                for field in line.split(separator: UInt8(ascii: ",")) {
                    let k = field.drop { $0 == UInt8(ascii: " ") }
                    if k.starts(with: key), k.count > key.count + 1, k.last == quote {
                        device = Substring(k.dropFirst(key.count).dropLast())
                        return
                    }
                }
            }
        }
    }

    /// Writes a VM's udev rule (``udevRule(_:device:)``) atomically, when it changed.
    ///
    /// - Throws: `DaxError` `.io` naming the step that failed.
    ///
    /// - Parameter rules: the VM rule files there are, by path (read once per apply by
    ///   ``udevRules()``), kept up to date.
    static func writeUdevRule(_ vm: ProvisionPlan.VM, device: String, rules: inout [String: UdevRuleFile]) throws {
        let path = udevRulePath(vm.name), text = udevRule(vm, device: device)
        // Another VM's rule for this device number (a VM that left, its device since
        // reused) would give this VM's device its owner and link: it goes.
        for (other, rule) in rules where other != path && rule.device == device[...] {
            _ = Syscall.removeIfPresent(other)
            rules[other] = nil
        }
        guard rules[path]?.text != text else { return }
        rules[path] = UdevRuleFile(text)
        if case .failure(let e) = Syscall.makeDirectories("/run/udev/rules.d") {
            throw DaxError(.io, object: "/run/udev/rules.d", problem: "cannot create it", underlyingError: e)
        }
        try AtomicFile.write(text, to: path)
    }

    /// The VM rule files in `/run/udev/rules.d`, by path.
    static func udevRules() -> [String: UdevRuleFile] {
        var out: [String: UdevRuleFile] = [:]
        for f in HostFile.list("/run/udev/rules.d") where f.hasPrefix("70-daxkit-vm-") {
            out["/run/udev/rules.d/" + f] = UdevRuleFile(HostFile.read("/run/udev/rules.d/" + f) ?? "")
        }
        return out
    }

    /// Sets a device node's owner, group and mode as the VM's entry says (what it leaves
    /// out stays as it is).
    ///
    /// - Returns: the node's owner, group and permission bits after the change (one
    ///   `stat(2)` before it: what is already as the entry says is not written again);
    ///   nil when the node cannot be stat'ed and the entry sets nothing.
    /// - Throws: `DaxError` `.io` with the errno of `stat(2)`, `chown(2)` or `chmod(2)`.
    static func setOwner(_ path: String, vm: ProvisionPlan.VM) throws -> (uid: UInt32, gid: UInt32, mode: UInt16)? {
        var now: (uid: UInt32, gid: UInt32, mode: UInt16)
        switch Syscall.owner(path) {
        case .success(let o): now = o
        case .failure(let e):
            // A node the entry sets something on must be there; else there is nothing to report.
            guard vm.owner != nil || vm.group != nil || vm.mode != nil else { return nil }
            throw DaxError(.io, object: Phrase(path), problem: "cannot change its owner or mode", underlyingError: e)
        }
        let uid = vm.owner.flatMap(Syscall.uid).flatMap { $0 == now.uid ? nil : $0 }
        let gid = vm.group.flatMap(Syscall.gid).flatMap { $0 == now.gid ? nil : $0 }
        if uid != nil || gid != nil {
            if case .failure(let e) = Syscall.chown(path, uid: uid ?? UInt32.max, gid: gid ?? UInt32.max) {
                throw DaxError(.io, object: Phrase(path), problem: "cannot change its owner", underlyingError: e)
            }
            now.uid = uid ?? now.uid
            now.gid = gid ?? now.gid
        }
        if let m = vm.mode, m != now.mode {
            if case .failure(let e) = Syscall.chmod(path, mode_t(m)) {
                throw DaxError(.io, object: Phrase(path), problem: "cannot change its mode", underlyingError: e)
            }
            now.mode = m
        }
        return now
    }
}

extension Provisioning {
    /// Tears down VMs' devices: destroys the namespace (namespace source) or the dax
    /// device (dax source, which the state journal then forgets) of each VM named (every
    /// VM of the plan when `vms` is empty), under the host-wide lock. With `zero`, each device is
    /// first overwritten with zeros and read back (tenant hygiene: the next owner of the
    /// capacity cannot read this VM's memory); a device that does not read back as zeros
    /// is not destroyed.
    ///
    /// Every VM is checked before any is touched: one that a process maps (a running VM)
    /// refuses the whole teardown, naming the holder. VMs without a device are skipped.
    ///
    /// - Parameters:
    ///   - plan: the plan whose VMs are meant.
    ///   - vms: names of VMs of the plan; empty: all of them.
    ///   - zero: zero and verify each device before destroying it.
    ///   - progress: called while zeroing, with the VM's name and DAXMemory's progress.
    /// - Returns: the VMs whose namespaces were destroyed, in the plan's order.
    /// - Throws: `DaxError` `.notFound` (a VM not in the plan), `.inUse`,
    ///   `.verifyMismatch` (zeroing did not hold), or a failing step's error.
    public static func destroy(_ plan: ProvisionPlan, vms names: [String] = [], zero: Bool = false,
                               progress: ((String, TouchProgress) -> Void)? = nil) throws -> [String] {
        try PlanFileRights.check(plan.file)
        for n in names where !plan.vms.contains(where: { $0.name == n }) {
            throw DaxError(.notFound, object: Phrase("vm \(n)"), problem: Phrase("not in \(plan.file.isEmpty ? "the plan" : plan.file)"),
                           fix: Phrase("name one of \(plan.vms.map(\.name).joined(separator: ", "))"))
        }
        return try HostLock.withLock {
            let states = try status(plan).filter { names.isEmpty || names.contains($0.name) }
            let targets = states.filter { $0.namespace != nil || ($0.source == .dax && $0.device != nil) }
            for s in targets {
                if let h = s.holders.first {
                    throw DaxError(.inUse, object: Phrase("vm \(s.name)"), problem: Phrase("\(h)"),
                                   rule: "a device that a process maps (a running VM) is never destroyed",
                                   fix: "stop the VM first")
                }
            }
            var journal = try ProvisionJournal.load()
            var destroyed: [String] = []
            for s in targets {
                if zero, let path = s.path {
                    try zeroAndVerify(path, vm: s.name, progress: progress)
                }
                switch s.source {
                case .namespace:
                    _ = try Namespaces.destroy(s.namespace!, region: s.region, bus: nil, force: true, context: try NDContext())
                case .dax:
                    _ = try DaxDevices.destroy(s.device!, region: nil, force: true, context: try DAXContext())
                    FaultInjection.point("\(s.device!) destroyed")
                }
                _ = Syscall.removeIfPresent(stablePath(s.name))
                _ = Syscall.removeIfPresent(udevRulePath(s.name))
                destroyed.append(s.name)
            }
            // Dax VMs named are forgotten, with a device or without (gone at a reboot); so
            // are every named VM's udev rule and stable path.
            for s in states {
                _ = Syscall.removeIfPresent(udevRulePath(s.name))
                if s.device == nil { _ = Syscall.removeIfPresent(stablePath(s.name)) }
            }
            let before = journal
            for s in states where s.source == .dax { journal.remove(s.name) }
            if journal != before { try journal.save() }
            return destroyed
        }
    }

    /// The VMs of this host by name, as a plan, for tearing them down without their plan
    /// file (a VM already removed from it): a name's dax-source entry in the state
    /// journal, else the namespace carrying the name.
    ///
    /// - Returns: a plan (`file` empty) with one VM per name, as it is on the host.
    /// - Throws: `DaxError` `.notFound` for a name that is neither; the host's reading
    ///   errors.
    public static func hostPlan(vms names: [String]) throws -> ProvisionPlan {
        let host = try ProvisionHost()
        var vms: [ProvisionPlan.VM] = []
        for n in names {
            if let e = host.journal.entry(n) {
                vms.append(.init(name: n, size: e.size, align: e.align, source: .dax))
            } else if let ns = host.namespaces.first(where: { $0.snapshot.label == n }) {
                vms.append(.init(name: n, size: ns.snapshot.size, align: ns.snapshot.align ?? 2 << 20, map: ns.map ?? .dev,
                                 region: ns.region))
            } else {
                throw DaxError(.notFound, object: Phrase("vm \(n)"),
                               problem: "no namespace carries this name and the state journal records no dax device for it",
                               fix: Phrase("list them: \(Operation.listNamespaces), or name the plan file"))
            }
        }
        return ProvisionPlan(vms: vms)
    }

    /// Overwrites a device-DAX device with zeros through a shared mapping, then reads it
    /// back.
    ///
    /// - Throws: `DaxError` from DAXMemory (open, map, touch), or `.verifyMismatch` naming
    ///   the first byte that is not zero.
    static func zeroAndVerify(_ path: String, vm: String, progress: ((String, TouchProgress) -> Void)?) throws {
        let target = try MemoryTarget.openDevice(path, access: .readWrite)
        let mapping = try target.map(offset: 0, length: nil)
        try target.close()
        _ = try mapping.touch(TouchOptions(mode: .write, seed: 0), progress: progress.map { p in { p(vm, $0) } })
        if let bad = mapping.firstNonzeroOffset() {
            try? mapping.unmap()
            throw DaxError(.verifyMismatch, object: Phrase("vm \(vm) (\(path))"),
                           problem: Phrase("byte \(bad) (0x\(String(bad, radix: 16))) is not zero after zeroing"),
                           rule: "a device is destroyed only once it reads back as zeros", fix: "nothing was destroyed; check the device and retry")
        }
        try mapping.unmap()
    }
}
