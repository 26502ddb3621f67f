import DaxCore
@testable import DaxKit
import Testing

/// A 2 GiB QEMU-like host: firmware RAM below 640K and from 1 MiB to 2 GiB, everything
/// loaded, one labelled region, kernel 6.12.
private func host(cmdline: String = "") -> DoctorSnapshot {
    var s = DoctorSnapshot()
    s.kernelRelease = "6.12.0-1-amd64"
    s.commandLine = "console=ttyS0 " + cmdline
    s.firmwareMemmap = [
        .init(PhysicalRange(start: 0, end: 0x9fc00), "System RAM"),
        .init(PhysicalRange(start: 0x9fc00, end: 0xd0000), "Reserved"),
        .init(PhysicalRange(start: 0x100000, end: 0x8000_0000), "System RAM"),
    ]
    for m in ModulesCheck.modules { s.modules[m.name] = .loaded }
    var r = DoctorSnapshot.Region(name: "region0")
    r.supportedAlignments = [4 << 10, 2 << 20, 1 << 30]
    r.dimms = [.init(name: "nmem0", hasLabelArea: true, labelsValid: true)]
    s.regions = [r]
    s.transparentHugepage = "[always] madvise never"
    s.memoryBlockSize = 128 << 20
    s.autoOnlineBlocks = "offline"
    s.memmapOnMemory = "N"
    s.libndctlVersion = "76.1-1"
    s.libdaxctlVersion = "76.1-1"
    return s
}

private func finding(_ id: String, _ s: DoctorSnapshot) throws -> DoctorFinding {
    try #require(Doctor.evaluate(s).first { $0.check == id })
}

@Suite struct DoctorMemmapTests {
    @Test func parsesEveryForm() {
        let (r, bad) = MemmapRange.parse(commandLine: "a memmap=256M!1G memmap=256M%0x60000000+0xefffffff memmap=1G$0x100000000,64M!0x50000000,exactmap memmap=2G memmap=12Q!1G -- memmap=1G!1G")
        #expect(r.map(\.text) == ["256M!1G", "256M%0x60000000+0xefffffff", "1G$0x100000000", "64M!0x50000000"])
        #expect(r[0].kind == .pmem && r[0].range == PhysicalRange(start: 1 << 30, end: (1 << 30) + (256 << 20)))
        #expect(r[1].isSoftReserve && r[1].range.start == 0x6000_0000)
        #expect(r[2].kind == .reserved && r[3].range.start == 0x5000_0000)
        #expect(bad == ["12Q!1G"])
    }

    @Test func noRangesIsOK() throws {
        #expect(try finding("memmap.ranges", host()).status == .ok)
    }

    @Test func rangeInsideRAMIsOK() throws {
        var s = host(cmdline: "memmap=256M!1G memmap=256M%0x60000000+0xefffffff")
        s.iomem = [.init(PhysicalRange(start: 1 << 30, end: (1 << 30) + (256 << 20)), "Persistent Memory (legacy)")]
        let f = try finding("memmap.ranges", s)
        #expect(f.status == .ok, "\(f)")
        #expect(f.why == nil && f.fix == nil)
    }

    @Test func rangePastTheEndOfRAMFailsWithTheDataLossExplanation() throws {
        let f = try finding("memmap.ranges", host(cmdline: "memmap=256M!32G"))
        #expect(f.status == .fail)
        #expect(f.found.contains("past the end of RAM"))
        #expect(f.why?.contains("every read-back is wrong") == true)
        #expect(f.fix?.contains("memmap=256M!1G") == true, "\(f.fix ?? "")")
        #expect(Doctor.anyFailed([f]))
    }

    @Test func rangeOverAHoleFails() throws {
        let f = try finding("memmap.ranges", host(cmdline: "memmap=1M!0x80000"))
        #expect(f.status == .fail && f.found.contains("not all System RAM"), "\(f)")
    }

    @Test func overlapsAndAlignmentWarn() throws {
        let f = try finding("memmap.ranges", host(cmdline: "memmap=256M!1G memmap=128M!1100M"))
        #expect(f.status == .warn && f.found.contains("overlap"), "\(f)")
        let g = try finding("memmap.ranges", host(cmdline: "memmap=255M!1G"))
        #expect(g.status == .warn && g.found.contains("not 2 MiB aligned"), "\(g)")
        let h = try finding("memmap.ranges", host(cmdline: "memmap=1G!0x30000000"))
        #expect(h.status == .warn && h.found.contains("not 1 GiB aligned"), "\(h)")
    }

    @Test func iomemIsComparedAsRootOnly() throws {
        var s = host(cmdline: "memmap=256M!1G")
        s.iomem = [.init(PhysicalRange(start: 1 << 30, end: (1 << 30) + (256 << 20)), "Persistent Memory (legacy)")]
        #expect(try finding("memmap.ranges", s).found.contains("/proc/iomem agrees"))
        s.iomem = []
        let missing = try finding("memmap.ranges", s)
        #expect(missing.status == .warn && missing.found.contains("did not take it"))
        s.isRoot = false
        let user = try finding("memmap.ranges", s)
        #expect(user.status == .ok && user.found.contains("needs root"))
    }

    @Test func noFirmwareMapWarns() throws {
        var s = host(cmdline: "memmap=256M!1G")
        s.firmwareMemmap = nil
        #expect(try finding("memmap.ranges", s).status == .warn)
    }
}

@Suite struct DoctorCheckTests {
    @Test func aHealthyHostIsAllOK() {
        let findings = Doctor.evaluate(host())
        #expect(findings.filter { $0.status != .ok }.map(\.check) == [], "\(findings.filter { $0.status != .ok })")
    }

    @Test func modules() throws {
        var s = host(cmdline: "memmap=256M!1G")
        s.modules[KernelModules.kmem] = .missing
        let kmem = try finding("module.kmem", s)
        #expect(kmem.status == .warn && kmem.why?.contains("system-ram") == true)
        s.modules[KernelModules.ndE820] = .missing
        #expect(try finding("module.nd_e820", s).status == .fail)
        s.modules[KernelModules.daxHMEM] = .available
        #expect(try finding("module.dax_hmem", s).status == .ok)
        s.iomem = [.init(PhysicalRange(start: 0, end: 0), "Soft Reserved")]
        let hmem = try finding("module.dax_hmem", s)
        #expect(hmem.status == .warn && hmem.fix?.contains("modprobe dax_hmem") == true)
        // A hardware driver missing where the hardware is absent takes nothing away.
        s.modules["cxl_pci"] = .missing
        s.hasCXL = false
        #expect(try finding("module.cxl_pci", s).status == .ok)
        s.hasCXL = true
        #expect(try finding("module.cxl_pci", s).status == .fail)
    }

    @Test func softReserved() throws {
        var s = host()
        s.iomem = [.init(PhysicalRange(start: 0, end: 0), "Soft Reserved")]
        #expect(try finding("soft-reserved", s).status == .warn)
        s.daxRegions = [.init(name: "hmem.0", isDynamic: true, size: 256 << 20, sizedDevices: 1)]
        #expect(try finding("soft-reserved", s).status == .ok)
        s.daxRegions[0].sizedDevices = 0
        #expect(try finding("soft-reserved", s).found.contains("no device"))
    }

    @Test func pageSizes() throws {
        var s = host()
        s.regions[0].supportedAlignments = [4 << 10, 2 << 20]
        #expect(try finding("page-sizes", s).status == .warn)
        s.regions = []
        s.cpuHas1GPages = true
        #expect(try finding("page-sizes", s).status == .ok)
        s.transparentHugepage = nil
        #expect(try finding("page-sizes", s).found.hasPrefix("2M no"))
    }

    @Test func vmemmapAndMapNone() throws {
        var s = host()
        let ok = try finding("vmemmap-dedup", s)
        #expect(ok.status == .ok && ok.found.contains("per GiB at 2M"), "\(ok)")
        #expect(try finding("map-none", s).status == .ok)
        s.kernelRelease = "5.15.0-91-generic"
        #expect(try finding("vmemmap-dedup", s).status == .warn)
        #expect(try finding("map-none", s).fix?.contains("map=dev") == true)
        #expect(VmemmapCheck.perGiB(align: 4 << 10, dedup: false) == 16 << 20)
    }

    @Test func hotplug() throws {
        var s = host()
        #expect(try finding("hotplug", s).status == .ok)
        s.autoOnlineBlocks = "online"
        let f = try finding("hotplug", s)
        #expect(f.status == .warn && f.why?.contains("EBUSY") == true)
        s.autoOnlineBlocks = "online_movable"
        #expect(try finding("hotplug", s).status == .ok)
        s.memoryBlockSize = nil
        #expect(try finding("hotplug", s).status == .warn)
    }

    @Test func deviceNodes() throws {
        var s = host()
        s.expectedNodes = ["dax0.0"]
        s.deviceNodes = [.init(path: "/dev/dax0.0")]
        #expect(try finding("device-nodes", s).status == .ok)
        s.deviceNodes[0].mode = 0o666
        #expect(try finding("device-nodes", s).found.contains("any user can write"))
        s.deviceNodes[0].mode = 0o600
        s.planNodes = [.init(vm: "db1", node: .init(path: "/dev/dax0.0"), uid: 64055, mode: 0o660)]
        let f = try finding("device-nodes", s)
        #expect(f.status == .warn && f.found.contains("owner 0, planned 64055") && f.found.contains("mode 0600, planned 0660"), "\(f)")
        s.expectedNodes = ["dax0.0", "dax1.0"]
        s.planNodes = nil
        #expect(try finding("device-nodes", s).found.contains("no node for dax1.0"))
    }

    @Test func versions() throws {
        var s = host()
        #expect(try finding("versions", s).status == .ok)
        s.kernelRelease = "6.1.0-57-amd64"
        let f = try finding("versions", s)
        #expect(f.status == .warn && f.why?.contains("memunmap_pages") == true)
    }

    @Test func regionsAndLabels() throws {
        var s = host()
        s.regions[0].isReadOnly = true
        #expect(try finding("regions", s).status == .warn)
        s.regions[0].isReadOnly = false
        s.regions[0].dimms[0].labelsValid = false
        let uninit = try finding("labels", s)
        #expect(uninit.status == .warn && uninit.found.contains("not initialised") && uninit.fix?.contains("init-labels") == true)
        s.regions[0].dimms[0].labelsValid = nil
        s.isRoot = false
        let skip = try finding("labels", s)
        #expect(skip.status == .skip && skip.found.hasPrefix("needs root"))
        var labelless = DoctorSnapshot.Region(name: "region1")
        labelless.isLabelless = true
        labelless.dimms = [.init(name: "nmem1", hasLabelArea: false, labelsValid: nil)]
        s.regions.append(labelless)
        let l = try finding("labels", s)
        #expect(l.status == .warn && l.found == "label-less NVDIMM region(s): region1", "\(l.found)")
        var legacy = DoctorSnapshot.Region(name: "region2")
        legacy.isLabelless = true
        legacy.isLegacy = true
        var t = host()
        t.regions.append(legacy)
        let ok = try finding("labels", t)
        #expect(ok.status == .ok && ok.found.contains("region2 from memmap=, label-less by design"), "\(ok.found)")
        // A label area the kernel found no index in: the region is io, seen without root.
        s.regions[1].dimms[0].hasLabelArea = true
        let u = try finding("labels", s)
        #expect(u.found == "label area not initialised: nmem1 (region1)", "\(u.found)")
    }
}

@Suite struct DoctorOutputTests {
    static let ids = ["module.kmem", "memmap.ranges", "soft-reserved", "page-sizes", "vmemmap-dedup", "map-none",
                      "hotplug", "device-nodes", "versions", "regions", "labels"]

    /// The JSON schema: an array of objects with exactly check, status, found, why, fix;
    /// strings, status one of four, why and fix null exactly when ok or skip.
    @Test func jsonSchema() throws {
        var s = host(cmdline: "memmap=256M!32G")
        s.isRoot = false
        s.regions[0].dimms[0].labelsValid = nil
        s.autoOnlineBlocks = "online"
        let findings = Doctor.evaluate(s)
        #expect(Set(findings.map(\.status)) == [.ok, .warn, .fail, .skip])
        guard case .array(let items) = Doctor.json(findings) else { Issue.record("not an array"); return }
        let checks: Set<String> = Set(items.compactMap { item -> String? in
            if case .string(let c)? = item["check"] { return c }
            return nil
        })
        #expect(checks.isSuperset(of: Self.ids), "\(checks)")
        for item in items {
            guard case .object(let members) = item else { Issue.record("not an object: \(item)"); continue }
            #expect(members.map(\.0) == ["check", "status", "found", "why", "fix"])
            guard case .string(let status)? = item["status"], let st = DoctorStatus(rawValue: status) else {
                Issue.record("bad status in \(item)"); continue
            }
            guard case .string(let check)? = item["check"], case .string(let found)? = item["found"] else {
                Issue.record("check and found must be strings: \(item)"); continue
            }
            #expect(!check.isEmpty && !found.isEmpty)
            for key in ["why", "fix"] {
                switch (st, item[key]) {
                case (.ok, .null?), (.skip, .null?): break
                case (.warn, .string?), (.fail, .string?): break
                default: Issue.record("\(check): \(key) is \(String(describing: item[key])) for \(status)")
                }
            }
        }
        let text = Doctor.json(findings).rendered()
        #expect(text.hasPrefix("[\n  {\n    \"check\":"))
    }

    /// Reading this (build) host and judging it: every file, libkmod and libndctl
    /// lookup the doctor makes, natively. "Well under a second" (some 30 ms here).
    @Test func readsThisHostWellUnderASecond() {
        let clock = ContinuousClock()
        var findings: [DoctorFinding] = []
        let took = clock.measure { findings = Doctor.evaluate(DoctorSnapshot.read()) }
        #expect(took < .seconds(1), "\(took)")
        #expect(findings.count >= DoctorOutputTests.ids.count)
    }

    @Test func textLines() {
        let f = DoctorFinding("memmap.ranges", .fail, "found it", why: "it matters", fix: "do this")
        #expect(f.line == "fail memmap.ranges: found it; it matters; fix: do this")
        #expect(DoctorFinding("hotplug", .ok, "fine").line == "ok   hotplug: fine")
        #expect(Doctor.text([f]).split(separator: "\n").count == 1)
    }
}
