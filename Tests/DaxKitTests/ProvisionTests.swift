import DaxCore
@testable import DaxKit
import Foundation
import NDCtl
import Testing

/// Provisioning plans on the host: the plan file's schema and every refusal, placement
/// and actions over the lab's region snapshots, and the host-RAM model.
@Suite("provisioning plans")
struct ProvisionTests {
    static let M: UInt64 = 1 << 20
    static let G: UInt64 = 1 << 30

    static func labRegions() throws -> [RegionSnapshot] {
        try NamespaceRulesTests.fixture("default")
    }

    /// The default lab's soft-reserved region: dax region 0 (hmem.0), 256 MiB at
    /// 0x60000000, align 2M, its seed dax0.0 shrunk to nothing.
    static func hmem() -> DaxRegionSnapshot {
        DaxRegionSnapshot(id: 0, device: "hmem.0", size: 256 * M, availableSize: 256 * M, align: 2 * M, isDynamic: true,
                          range: .init(start: 0x6000_0000, end: 0x6000_0000 + 256 * M - 1), devices: [])
    }

    /// A front end's terms, as the CLI's: parameters as options.
    struct OptionVocabulary: Vocabulary {
        func parameter(_ parameter: Parameter, value: String?) -> String { "--\(parameter.rawValue)" + (value.map { " \($0)" } ?? "") }
        func enabling(_ parameter: Parameter) -> String { "pass --\(parameter.rawValue)" }
        func operation(_ operation: DaxCore.Operation) -> String { "\(operation)" }
    }

    /// The problems as a front end says them: a plan's are in the file's terms (its
    /// keys), whatever the front end calls its own options.
    static func problems(_ text: String) -> [String] {
        do {
            _ = try ProvisionPlan.parse(text, file: "vms.yaml")
            return []
        } catch let e as DaxError {
            #expect(e.code == .invalidPlan)
            return e.details.map { $0.rendered(by: OptionVocabulary()) }
        } catch {
            Issue.record("not a DaxError: \(error)")
            return []
        }
    }

    @Test("a plan file in YAML and the same in JSON read alike, with the defaults")
    func parse() throws {
        let yaml = """
        vms:
          - name: db1
            size: 2G
            align: 1G
            map: mem
            region: region1
            owner: libvirt-qemu
            group: kvm
            mode: "0660"
          - name: web1
            size: 536870912
            source: dax
        """
        let json = """
        {"vms": [{"name": "db1", "size": "2G", "align": "1G", "map": "mem", "region": "region1",
                  "owner": "libvirt-qemu", "group": "kvm", "mode": "0660"},
                 {"name": "web1", "size": 536870912, "source": "dax"}]}
        """
        let a = try ProvisionPlan.parse(yaml, file: "vms.yaml")
        let b = try ProvisionPlan.parse(json, file: "vms.json")
        #expect(a.vms.map(\.name) == ["db1", "web1"])
        let db1 = a.vms[0], web1 = a.vms[1]
        #expect(db1.size == 2 * Self.G && db1.align == Self.G && db1.map == .mem && db1.source == .namespace)
        #expect(db1.region == "region1" && db1.owner == "libvirt-qemu" && db1.group == "kvm" && db1.mode == 0o660)
        #expect(db1.line == 2)
        #expect(web1.size == 512 * Self.M && web1.align == 2 * Self.M && web1.source == .dax && web1.map == .dev)
        #expect(web1.owner == nil && web1.mode == nil)
        // Lines differ between the two files; everything else is the same.
        #expect(a.vms.map { var v = $0; v.line = 0; return v } == b.vms.map { var v = $0; v.line = 0; return v })
    }

    @Test("a plan with mistakes is refused with every problem: file, line, VM, value, rule, fix")
    func everyProblem() {
        let text = """
        vms:
          - name: db1
            size: 2 G
            align: 3M
            sise: 4G
          - name: db1
            size: -4G
            source: dax
            map: mem
            mode: 0660
          - size: 1G
          - name: "-bad name"
            size: 0
            source: tape
            map: far
            mode: "999"
          - name: \(String(repeating: "x", count: 64))
            size: 1G
        extra: 1
        """
        let got = Self.problems(text)
        let want = [
            "vms.yaml:19: unknown key \"extra\"; a plan has one key, vms; remove it",
            "vms.yaml:5: vms[0]: unknown key \"sise\"; known: name, size, align, source, map, region, owner, group, mode; did you mean size?",
            "vms.yaml:3: vm db1: size \"2 G\": a blank before the unit; write 2G",
            "vms.yaml:4: vm db1: align 3M is not a page size; a VM's memory maps with 4K, 2M or 1G pages; use 4K, 2M or 1G",
            "vms.yaml:6: vm db1: name db1 given twice (first at line 2); a name is one VM's record; rename one of them",
            "vms.yaml:7: vm db1: size \"-4G\": negative; a size counts bytes from zero up; drop the sign",
            "vms.yaml:9: vm db1: map mem with source dax; a dax source's struct pages are always in host RAM; map chooses for namespaces only; remove map, or use source namespace",
            "vms.yaml:10: vm db1: mode 0660 is a number, not octal text; YAML reads 0660 unquoted as a decimal or octal number depending on the version; quote it: mode: \"0660\"",
            "vms.yaml:11: vms[2]: no name; give every VM a name",
            "vms.yaml:12: vm -bad name: name \"-bad name\" is not a VM name; 1 to 63 bytes of letters, digits, _ . and -, not starting with . or - (it names the namespace, the stable device path and the VMM's memory object); rename it",
            "vms.yaml:13: vm -bad name: size 0: zero bytes; a VM needs memory; give its memory size, e.g. 2G",
            "vms.yaml:14: vm -bad name: source \"tape\" is not a source; use namespace (labelled pmem) or dax (a dynamic dax region)",
            "vms.yaml:15: vm -bad name: map \"far\" is not a map; use dev, mem or none",
            "vms.yaml:16: vm -bad name: mode \"999\" is not permission bits; give octal permissions such as \"0660\"",
            "vms.yaml:17: vm \(String(repeating: "x", count: 64)): name \"\(String(repeating: "x", count: 64))\" is not a VM name (64 bytes long); 1 to 63 bytes of letters, digits, _ . and -, not starting with . or - (it names the namespace, the stable device path and the VMM's memory object); rename it",
        ]
        #expect(got == want, "\(got.joined(separator: "\n"))")
    }

    @Test("files that are not plans")
    func notPlans() {
        for (text, words) in [("vms: [", "not YAML or JSON"), ("- 1\n- 2", "not a plan"), ("vms: []", "no VM"),
                              ("vms: 3", "not a list"), ("{}", "no key vms")] {
            do {
                _ = try ProvisionPlan.parse(text, file: "f")
                Issue.record("\(text) parsed")
            } catch let e as DaxError {
                let all = ([e] + e.details).map(\.description).joined(separator: "\n")
                #expect(all.contains(words), "\(text): \(all)")
            } catch {
                Issue.record("\(error)")
            }
        }
    }

    @Test("VMs are placed in order, best fit, each taking its room; what does not fit says why")
    func placement() throws {
        let host = ProvisionHost(regions: try Self.labRegions(), daxRegions: [Self.hmem()])
        let plan = ProvisionPlan(vms: [
            .init(name: "db1", size: 2 * Self.G, align: Self.G, map: .mem),
            .init(name: "db2", size: 512 * Self.M, align: 2 * Self.M),
            .init(name: "db3", size: 1 * Self.G, align: 2 * Self.M),
            .init(name: "web1", size: 100 * Self.M, source: .dax),
            .init(name: "web2", size: 200 * Self.M, source: .dax),
        ])
        let report = Provisioning.plan(plan, host: host)
        let byName = Dictionary(uniqueKeysWithValues: report.vms.map { ($0.name, $0) })
        let db1 = try #require(byName["db1"]), db2 = try #require(byName["db2"]), db3 = try #require(byName["db3"])
        #expect(db1.fits && db1.action == .create && db1.region == "region1")
        // 1G pages: the data starts on the next 1 GiB boundary after the info block, so
        // 2 GiB usable takes 3 GiB of the region.
        #expect(db1.usableSize == 2 * Self.G && db1.rawSize == 3 * Self.G && db1.metadataBytes == 0)
        // The same request judged by create-namespace's rules alone gives the same sizes.
        var r = NamespaceRequest()
        r.region = "region1"; r.mode = .devdax; r.map = .mem; r.name = "db1"
        r.usableSize = ByteCount(bytes: 2 * Self.G); r.align = ByteCount(bytes: Self.G)
        let alone = try NamespaceRulesTests.plan(r, try NamespaceRulesTests.region("default", "region1"))
        #expect(db1.rawSize == alone.capacity.rawSize && db1.usableSize == alone.capacity.usableSize)
        #expect(db1.hostRAMBytes == HostRAMCost.bytes(for: db1.rawSize, mode: .devdax, map: .mem, align: Self.G))
        // map dev: struct pages in pmem, next to no host RAM; placed after db1.
        #expect(db2.problem == nil, "\(String(describing: db2.problem))")
        #expect(db2.fits && db2.metadataBytes > 0 && db2.hostRAMBytes <= 4096 && db2.usableSize >= 512 * Self.M)
        // What db1 and db2 left (4080M - 3G - db2) cannot hold db3, and it says so.
        #expect(!db3.fits)
        #expect(db3.problem?.code == .noCapacity, "\(String(describing: db3.problem))")
        #expect(db3.problem?.description.contains("largest free extent is \((4080 * Self.M - db1.rawSize - db2.rawSize) >> 20)M") == true,
                "\(String(describing: db3.problem))")
        // Dax sources: rounded up to the alignment, placed in the soft-reserved region.
        let web1 = try #require(byName["web1"]), web2 = try #require(byName["web2"])
        #expect(web1.fits && web1.region == "0" && web1.rawSize == 100 * Self.M && web1.usableSize == 100 * Self.M)
        #expect(web1.hostRAMBytes == HostRAMCost.bytes(for: 100 * Self.M, mode: .devdax, map: .mem, align: 2 * Self.M))
        #expect(!web2.fits, "256 MiB region, 100 MiB taken: 200 MiB does not fit")
        #expect(web2.problem?.description.contains("156 MiB available") == true, "\(String(describing: web2.problem))")
        #expect(!report.fits)
        #expect(report.usableSize == db1.usableSize + db2.usableSize + web1.usableSize)
        #expect(report.rawSize == db1.rawSize + db2.rawSize + web1.rawSize)
    }

    @Test("a VM whose namespace is as planned is kept; one that differs is recreated, saying what differs")
    func keepAndRecreate() throws {
        var regions = try Self.labRegions()
        let empty = ProvisionHost(regions: regions)
        let vm = ProvisionPlan.VM(name: "db1", size: Self.G, align: 2 * Self.M, map: .mem)
        let first = Provisioning.plan(ProvisionPlan(vms: [vm]), host: empty).vms[0]
        #expect(first.action == .create && first.fits)
        // The host after apply: the namespace exists with the planned raw size.
        let i = try #require(regions.firstIndex { $0.name == "region1" })
        let start = try #require(regions[i].nextStart)
        Provisioning.take(first.rawSize, from: &regions[i])
        let ns = NamespaceSnapshot(name: "namespace1.0", mode: .devdax, size: first.rawSize, resource: start,
                                   align: 2 * Self.M, label: "db1")
        let applied = ProvisionHost(regions: regions, namespaces: [.init(snapshot: ns, map: .mem, region: "region1", device: "dax1.0")])
        let again = Provisioning.plan(ProvisionPlan(vms: [vm]), host: applied).vms[0]
        #expect(again.action == .keep && again.fits && again.device == "dax1.0" && again.namespace == "namespace1.0")
        #expect(again.rawSize == first.rawSize && again.hostRAMBytes == first.hostRAMBytes)

        var bigger = vm
        bigger.size = 2 * Self.G
        bigger.align = Self.G
        let changed = Provisioning.plan(ProvisionPlan(vms: [bigger]), host: applied).vms[0]
        #expect(changed.problem == nil, "\(String(describing: changed.problem))")
        #expect(changed.action == .recreate && changed.fits)
        #expect(changed.reason?.contains("align 2M, not 1G") == true, "\(String(describing: changed.reason))")

        // Two namespaces carrying one VM's name: refused, naming both.
        var twice = applied
        twice.namespaces.append(.init(snapshot: NamespaceSnapshot(name: "namespace1.1", mode: .devdax, size: 16 * Self.M,
                                                                  resource: nil, align: 2 * Self.M, label: "db1"),
                                      map: .dev, region: "region1"))
        let ambiguous = Provisioning.plan(ProvisionPlan(vms: [vm]), host: twice).vms[0]
        #expect(ambiguous.problem?.code == .conflict)
        #expect(ambiguous.problem?.description.contains("namespace1.0, namespace1.1") == true)
    }

    @Test("map none: the kernel decides; the plan says so and what map mem would cost")
    func mapNone() throws {
        let host = ProvisionHost(regions: try Self.labRegions())
        let vm = ProvisionPlan.VM(name: "vm", size: Self.G, align: 2 * Self.M, map: .none)
        let p = Provisioning.plan(ProvisionPlan(vms: [vm]), host: host).vms[0]
        #expect(!p.fits)
        let words = p.problem?.description ?? ""
        #expect(words.contains("mainline kernels have no pfn mode without struct page") && words.contains("with map mem and align 2M it costs"), "\(words)")
    }

    @Test("a region named that does not exist, and a host without the source")
    func missingRegions() throws {
        let host = ProvisionHost(regions: try Self.labRegions())
        let p = Provisioning.plan(ProvisionPlan(vms: [.init(name: "a", size: Self.G, region: "region7"),
                                                      .init(name: "b", size: Self.G, source: .dax)]), host: host)
        #expect(p.vms[0].problem?.description == "vm a: no pmem region region7; name one of region2, region1 or remove region (list regions)")
        #expect(p.vms[1].problem?.description.hasPrefix("vm b: no dynamic dax region on this host") == true)
    }

    @Test("host RAM of struct pages: 1/64 without compound pages, 8 KiB per 2M/1G page with them, page tables with map dev")
    func hostRAM() {
        let g4 = 4 * Self.G
        #expect(HostRAMCost.bytes(for: g4, mode: .devdax, map: .mem, align: 4096) == 64 * Self.M)
        #expect(HostRAMCost.bytes(for: g4, mode: .fsdax, map: .mem, align: 2 * Self.M) == 64 * Self.M)
        #expect(HostRAMCost.bytes(for: g4, mode: .devdax, map: .mem, align: 2 * Self.M) == 2048 * 8192 + 32 * 4096)
        #expect(HostRAMCost.bytes(for: g4, mode: .devdax, map: .mem, align: Self.G) == 4 * 8192 + 32 * 4096)
        #expect(HostRAMCost.bytes(for: g4, mode: .devdax, map: .mem, align: Self.G, compoundVmemmap: false) == 64 * Self.M)
        #expect(HostRAMCost.bytes(for: g4, mode: .devdax, map: .dev, align: 2 * Self.M) == 4096)
        #expect(HostRAMCost.bytes(for: g4, mode: .raw, map: .mem, align: 4096) == 0)
        #expect(HostRAMCost.kernelHasCompoundVmemmap(release: "6.1.0-57-amd64"))
        #expect(HostRAMCost.kernelHasCompoundVmemmap(release: "5.17.0"))
        #expect(!HostRAMCost.kernelHasCompoundVmemmap(release: "5.16.20"))
        #expect(!HostRAMCost.kernelHasCompoundVmemmap(release: "4.19.0-26-amd64"))
    }

    @Test("what the arguments decide comes first; a host without the source still sizes and costs the VM")
    func argumentsFirstAndNoRegion() throws {
        let none = ProvisionHost(regions: [])
        let plan = ProvisionPlan(vms: [
            .init(name: "tiny", size: 16, align: 2 * Self.M),
            .init(name: "vm", size: Self.G, align: 2 * Self.M, map: .mem, owner: "nosuchuser", group: "kvm"),
            .init(name: "here", size: Self.G, align: 2 * Self.M, region: "region1"),
        ])
        let report = Provisioning.plan(plan, host: none) { name, isGroup in isGroup ? name == "kvm" : name == "root" }
        let tiny = report.vms[0], vm = report.vms[1], here = report.vms[2]
        // size is guest-usable bytes, as --usable-size: 16 bytes get the smallest namespace.
        #expect(tiny.usableSize >= 16 && tiny.rawSize >= 16 * Self.M, "\(tiny)")
        #expect(tiny.problem?.description.hasPrefix("vm tiny: no labelled pmem region on this host") == true, "\(String(describing: tiny.problem))")
        // No region: sized and costed for one with the kernel's defaults, and said so.
        let alone = try NamespaceRulesTests.plan(Provisioning.request(plan.vms[1], region: "region0"), .hypothetical(name: "region0"))
        #expect(vm.rawSize == alone.capacity.rawSize && vm.hostRAMBytes > 0)
        #expect(vm.reason == "planned for a labelled region with the kernel's defaults: this host has none")
        // ... and an owner that does not exist is named above the missing region.
        #expect(vm.problem?.description == "vm vm: owner nosuchuser: no such user; create the user or name another owner")
        #expect(here.problem?.description == "vm here: no pmem region region1; this host has no pmem region; remove region to plan for one with the kernel's defaults")
        let json = report.json().rendered()
        #expect(json.contains("\"action\":null"), "\(json)")
        let words = report.describe().joined(separator: "\n")
        #expect(words.contains("3 do not fit") || words.contains("3 VMs; 3 do not fit"), "\(words)")
    }

    /// Runs virt-xml-validate (libvirt-clients) on a domain document; its exit status.
    static func virtXMLValidate(_ xml: String) throws -> (Int32, String) {
        let path = NSTemporaryDirectory() + "daxkit-domain-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).xml"
        try xml.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/virt-xml-validate")
        p.arguments = [path, "domain"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, text)
    }

    @Test("the libvirt domain validates against libvirt's own schema; QEMU and cloud-hypervisor options name the device")
    func vmmFormats() throws {
        let s = VMState(name: "db1", source: .namespace, action: .keep, region: "region1", namespace: "namespace1.0",
                        device: "dax1.0", usableSize: 2 * Self.G, align: 2 * Self.M, hostRAMBytes: 0, owner: nil,
                        group: nil, mode: nil, holders: [], drift: nil, problem: nil)
        let xml = try #require(s.libvirtXML)
        let (rc, text) = try Self.virtXMLValidate(xml)
        #expect(rc == 0, "\(text)\n\(xml)")
        #expect(xml.contains("<path>/dev/dax1.0</path>") && xml.contains("<alignsize unit='KiB'>2048</alignsize>")
                && xml.contains("<size unit='KiB'>2097152</size>"))
        // The check can fail: a model libvirt does not know is refused.
        let (bad, _) = try Self.virtXMLValidate(xml.replacingOccurrences(of: "model='nvdimm'", with: "model='nvdim'"))
        #expect(bad != 0)
        #expect(s.qemuArguments == ["-m", "2048M", "-object",
                                    "memory-backend-file,id=mem-db1,mem-path=/dev/dax1.0,size=2147483648,align=2097152,share=on",
                                    "-numa", "node,memdev=mem-db1"])
        #expect(s.cloudHypervisorArguments == ["--memory", "size=0", "--memory-zone",
                                               "id=db1,size=2147483648,file=/dev/dax1.0,shared=on"])
        var stable = s
        stable.hasStablePath = true
        #expect(stable.qemuArguments?[3] == "memory-backend-file,id=mem-db1,mem-path=/dev/dax/by-vm/db1,size=2147483648,align=2097152,share=on")
        #expect(stable.json()["device"] == .string("/dev/dax1.0") && stable.json()["path"] == .string("/dev/dax/by-vm/db1"))
        var none = s
        none.device = nil
        #expect(none.libvirtXML == nil && none.qemuArguments == nil && none.cloudHypervisorArguments == nil)
    }
}
