import DaxCore
@testable import DaxKit
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Dax-source VMs across reboots and interrupted applies, planned from the state journal
/// and a dax region snapshot (the default lab's soft-reserved region).
@Suite("provisioning: dax sources and the state journal")
struct ProvisionJournalTests {
    static let M: UInt64 = 1 << 20
    static let start: UInt64 = 0x6000_0000
    typealias R = DaxRegionSnapshot.Range

    static func region(_ devices: [DaxRegionSnapshot.Device]) -> DaxRegionSnapshot {
        let used = devices.reduce(0) { $0 + $1.size }
        return DaxRegionSnapshot(id: 0, device: "hmem.0", size: 256 * M, availableSize: 256 * M - used, align: 2 * M,
                                 isDynamic: true, range: R(start: start, end: start + 256 * M - 1), devices: devices)
    }
    static func range(_ offsetMiB: UInt64, _ sizeMiB: UInt64) -> R {
        R(start: start + offsetMiB * M, end: start + (offsetMiB + sizeMiB) * M - 1)
    }
    static func device(_ id: Int, _ ranges: [R], enabled: Bool = true) -> DaxRegionSnapshot.Device {
        .init(name: "dax0.\(id)", id: id, size: ranges.reduce(0) { $0 + $1.size }, align: 2 * M, isEnabled: enabled, ranges: ranges)
    }
    static let plan = ProvisionPlan(vms: [.init(name: "web1", size: 64 * M, source: .dax),
                                          .init(name: "web2", size: 32 * M, source: .dax)])

    /// The journal after a first apply: web1 at +64M (after a 64M device of someone
    /// else's), web2 at +128M.
    static func journal() -> ProvisionJournal {
        var j = ProvisionJournal()
        j.record(.init(name: "web1", region: "hmem.0", regionStart: start, size: 64 * M, align: 2 * M, ranges: [range(64, 64)], device: "dax0.2"))
        j.record(.init(name: "web2", region: "hmem.0", regionStart: start, size: 32 * M, align: 2 * M, ranges: [range(128, 32)], device: "dax0.3"))
        return j
    }

    @Test("a first plan takes first-fit aligned ranges and says which; the journal is not needed")
    func firstPlacement() {
        let host = ProvisionHost(regions: [], daxRegions: [Self.region([Self.device(1, [Self.range(0, 64)])])])
        let r = Provisioning.plan(Self.plan, host: host)
        #expect(r.fits && r.reclaims.isEmpty)
        #expect(r.vms.map(\.action) == [.create, .create])
        #expect(r.vms[0].ranges == [Self.range(64, 64)] && r.vms[1].ranges == [Self.range(128, 32)])
        #expect(r.vms[0].regionDevice == "hmem.0" && r.vms[0].regionStart == Self.start && !r.vms[0].restores)
    }

    @Test("devices holding exactly the recorded ranges are the VMs' own: kept (a disabled one enabled)")
    func keep() {
        let host = ProvisionHost(regions: [], daxRegions: [Self.region([Self.device(1, [Self.range(0, 64)]),
                                                                        Self.device(2, [Self.range(64, 64)]),
                                                                        Self.device(3, [Self.range(128, 32)], enabled: false)])],
                                 journal: Self.journal())
        let r = Provisioning.plan(Self.plan, host: host)
        #expect(r.vms.map(\.action) == [.keep, .keep])
        #expect(r.vms.map(\.device) == ["dax0.2", "dax0.3"])
        #expect(!r.vms[0].needsEnable && r.vms[1].needsEnable)
    }

    @Test("after a reboot (the boot-time device spans the region again): it is emptied, and both VMs come back on their ranges")
    func restoreAfterReboot() {
        let boot = Self.device(0, [Self.range(0, 256)])
        let host = ProvisionHost(regions: [], daxRegions: [Self.region([boot])], journal: Self.journal())
        let r = Provisioning.plan(Self.plan, host: host)
        #expect(r.fits)
        #expect(r.reclaims == ["dax0.0"])
        #expect(r.vms.map(\.action) == [.create, .create] && r.vms.allSatisfy(\.restores))
        #expect(r.vms[0].ranges == [Self.range(64, 64)] && r.vms[1].ranges == [Self.range(128, 32)])
        // A new VM is placed around the restored ranges, not on them.
        var grown = Self.plan
        grown.vms.insert(.init(name: "new", size: 64 * Self.M, source: .dax), at: 0)
        let g = Provisioning.plan(grown, host: host)
        #expect(g.vms[0].ranges == [Self.range(0, 64)] && g.vms[1].ranges == [Self.range(64, 64)] && g.vms[2].ranges == [Self.range(128, 32)])
    }

    @Test("a region the plan never took over: its boot-time device is not touched, and the fix says how to hand it over")
    func bootDeviceOfARegionNotTakenOver() {
        let host = ProvisionHost(regions: [], daxRegions: [Self.region([Self.device(0, [Self.range(0, 256)])])])
        let r = Provisioning.plan(Self.plan, host: host)
        #expect(r.reclaims.isEmpty && !r.fits)
        let words = r.vms[0].problem?.description ?? ""
        #expect(words.contains("dax0.0 holds its whole region") && words.contains("destroy") && words.contains("apply empties dax0.0 again after each reboot"), "\(words)")
    }

    @Test("a device on part of a VM's recorded ranges (an interrupted apply) is replaced without consent; a changed size is a recreate")
    func leftoverAndChange() {
        let half = Self.device(2, [R(start: Self.range(64, 64).start, end: Self.range(64, 64).start + 32 * Self.M - 1)], enabled: false)
        let host = ProvisionHost(regions: [], daxRegions: [Self.region([Self.device(1, [Self.range(0, 64)]), half,
                                                                        Self.device(3, [Self.range(128, 32)])])],
                                 journal: Self.journal())
        let r = Provisioning.plan(Self.plan, host: host)
        #expect(r.vms[0].action == .recreate && r.vms[0].resumes && r.vms[0].device == "dax0.2" && r.vms[0].ranges == [Self.range(64, 64)])
        #expect(r.vms[1].action == .keep)
        var bigger = Self.plan
        bigger.vms[1].size = 64 * Self.M
        let b = Provisioning.plan(bigger, host: host)
        #expect(b.vms[1].action == .recreate && !b.vms[1].resumes && b.vms[1].reason == "32 MiB, not 64 MiB")
    }

    @Test("planned in apply's order: a recreate's old room goes to no VM created before it; a recreate interrupted after the journal recorded it is finished without consent")
    func applyOrderAndInterruptedRecreate() {
        // web1 (64M at +64M) shrinks to 32M and a new 64M VM comes first in the file:
        // apply makes the new one before web1 is recreated, so it cannot use web1's room.
        let full = Self.region([Self.device(1, [Self.range(0, 64)]), Self.device(2, [Self.range(64, 64)]),
                                Self.device(3, [Self.range(128, 32)]), Self.device(4, [Self.range(160, 64)])])
        let host = ProvisionHost(regions: [], daxRegions: [full], journal: Self.journal())
        var changed = Self.plan
        changed.vms[0].size = 32 * Self.M
        changed.vms.insert(.init(name: "new", size: 64 * Self.M, source: .dax), at: 0)
        let r = Provisioning.plan(changed, host: host)
        #expect(r.vms[0].name == "new" && !r.vms[0].fits, "the only free room is 32M: \(r.vms[0])")
        #expect(r.vms[1].action == .recreate && r.vms[1].fits && r.vms[1].ranges == [Self.range(64, 32)])
        var smaller = changed
        smaller.vms[0].size = 32 * Self.M
        let ok = Provisioning.plan(smaller, host: host)
        #expect(ok.vms[0].fits && ok.vms[0].ranges == [Self.range(224, 32)], "\(ok.vms[0])")
        #expect(ok.vms[1].ranges == [Self.range(64, 32)])

        // The journal already holds web1's new ranges and the old ones as replacing: a
        // re-run destroys the old device (consent was given) and uses the new ranges.
        var j = Self.journal()
        j.record(.init(name: "web1", region: "hmem.0", regionStart: Self.start, size: 32 * Self.M, align: 2 * Self.M,
                       ranges: [Self.range(64, 32)], device: "dax0.2"))
        var e = j.entry("web1")!
        e.replacing = [Self.range(64, 64)]
        j.record(e)
        let resumed = Provisioning.plan(changed, host: ProvisionHost(regions: [], daxRegions: [full], journal: j))
        #expect(resumed.vms[1].action == .recreate && resumed.vms[1].resumes && resumed.vms[1].device == "dax0.2")
        #expect(resumed.vms[1].ranges == [Self.range(64, 32)])
    }

    @Test("an enabled device on a VM's recorded ranges after a reboot is someone else's: not taken, the VM placed elsewhere")
    func enabledDeviceIsNotALeftover() {
        let boot = Self.device(0, [])
        let theirs = Self.device(1, [Self.range(64, 32)])
        let host = ProvisionHost(regions: [], daxRegions: [Self.region([boot, theirs])], journal: Self.journal())
        let r = Provisioning.plan(Self.plan, host: host)
        #expect(!r.vms[0].resumes && r.vms[0].action == .create && !r.vms[0].restores)
        #expect(!r.vms[0].ranges.contains { $0.start <= Self.range(64, 32).end && Self.range(64, 32).start <= $0.end }, "\(r.vms[0].ranges)")
    }

    @Test("the udev rule gives a re-probed node the plan's owner, group, mode and stable path")
    func udevRule() {
        let vm = ProvisionPlan.VM(name: "db1", size: Self.M, owner: "libvirt-qemu", group: "kvm", mode: 0o660)
        #expect(Provisioning.udevRule(vm, device: "dax1.0") == """
            # daxkit provision: vm db1; written by each apply (device numbers can change at a reboot)
            SUBSYSTEM=="dax", KERNEL=="dax1.0", OWNER:="libvirt-qemu", GROUP:="kvm", MODE:="0660", SYMLINK+="dax/by-vm/db1"

            """)
        #expect(Provisioning.udevRule(.init(name: "web1", size: Self.M), device: "dax0.3")
                .hasSuffix("SUBSYSTEM==\"dax\", KERNEL==\"dax0.3\", SYMLINK+=\"dax/by-vm/web1\"\n"))
        #expect(Provisioning.udevRulePath("db1") == "/run/udev/rules.d/70-daxkit-vm-db1.rules")
        // Apply finds the device a rule file is for (to remove another VM's rule for a
        // reused device number) from its KERNEL key, not from anywhere in the text.
        #expect(Provisioning.UdevRuleFile(Provisioning.udevRule(vm, device: "dax1.0")).device == "dax1.0")
        #expect(Provisioning.UdevRuleFile("# KERNEL==\"dax9.9\"\nSUBSYSTEM==\"dax\", KERNEL==\"dax0.12\"\n").device == "dax0.12")
        #expect(Provisioning.UdevRuleFile("SUBSYSTEM==\"dax\", SYMLINK+=\"KERNEL==\"\n").device == nil)
        #expect(Provisioning.UdevRuleFile("").device == nil)
    }

    @Test("the journal survives a write and a read; a missing one is empty; a damaged one is refused naming the file")
    func journalFile() throws {
        let dir = "/tmp/daxkit-journal-\(getpid())"
        defer { _ = Syscall.removeIfPresent(dir + "/provision.json"); rmdir(dir) }
        #expect(try ProvisionJournal.load(from: dir + "/provision.json") == ProvisionJournal())
        try Self.journal().save(to: dir + "/provision.json")
        #expect(try ProvisionJournal.load(from: dir + "/provision.json") == Self.journal())
        let text = HostFile.read(dir + "/provision.json") ?? ""
        #expect(text.contains("\"region_start\":\(Self.start)"), "\(text)")
        _ = String(text.dropLast(20)).withCString { p in Self.FILE_write(dir + "/provision.json", p) }
        #expect(throws: DaxError.self) { try ProvisionJournal.load(from: dir + "/provision.json") }
    }

    static func FILE_write(_ path: String, _ s: UnsafePointer<CChar>) -> Bool {
        guard let f = fopen(path, "w") else { return false }
        fputs(s, f)
        return fclose(f) == 0
    }
}
