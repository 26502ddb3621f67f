import DaxCore
import DaxKit
import NDCtl
import Testing

/// README's DaxKit example, as written there.
@Suite("README's library example")
struct ReadmeExampleTests {
    @Test("plan on this host, then on a region described by hand")
    func planExample() throws {
        var request = NamespaceRequest()
        request.mode = .devdax
        request.align = ByteCount(bytes: 2 << 20)
        request.usableSize = try ByteCount(parsing: "1G")

        let context = try NDContext()
        do {
            for plan in try Namespaces.plan(request, context: context) {
                print(plan.region, plan.size, plan.capacity.usableSize, plan.capacity.metadataBytes)
            }
        } catch let error as DaxError where error.code == .notFound {
            #expect(error.description.hasPrefix("this host: no pmem region"))
        }

        let region = RegionSnapshot(name: "region0", id: 0, size: 4 << 30, availableSize: 4 << 30,
                                    maxAvailableExtent: 4 << 30, resource: 4 << 30, nextStart: 4 << 30)
        try CapacityPlanner.checkArguments(request)
        guard case .plan(let plan) = try CapacityPlanner.judge(request, region: region) else {
            Issue.record("not planned"); return
        }
        #expect(plan.size == 1_107_296_256)   // 1056 MiB
        #expect(plan.capacity.usableSize >= 1 << 30)
    }
}

/// README's NDCtl example, as written there (on a build host it finds no regions).
@Suite("README's NDCtl example")
struct ReadmeNDCtlExampleTests {
    @Test("walk the object model")
    func walk() throws {
        let ctx = try NDContext()
        for region in ctx.regions {
            print(region.devName, region.size, region.availableSize, region.isLabelless)
            for ns in region.namespaces where ns.isActive {
                print("  ", ns.devName, ns.mode, ns.dax?.daxRegion?.devices.first?.devName ?? "-")
            }
        }
    }
}

/// The plan in words (`create-namespace --dry-run` on a terminal).
@Suite("plan in words")
struct PlanWordsTests {
    @Test("usable asked, usable given, raw; where the bytes go; host RAM with map mem")
    func words() throws {
        let region = RegionSnapshot(name: "region0", id: 0, size: 4 << 30, availableSize: 4 << 30,
                                    maxAvailableExtent: 4 << 30, resource: 4 << 30, nextStart: 4 << 30)
        var r = NamespaceRequest()
        r.mode = .devdax
        r.align = ByteCount(bytes: 2 << 20)
        r.usableSize = try ByteCount(parsing: "512M")
        guard case .plan(let p) = try CapacityPlanner.judge(r, region: region) else { Issue.record("not planned"); return }
        let lines = p.describe(requestedUsable: 512 << 20)
        #expect(lines[0] == "region0: devdax namespace, align 2M, struct page in pmem (map dev)")
        #expect(lines[1].hasPrefix("512 MiB usable requested → ") && lines[1].contains(" raw: the smallest size that gives it"), "\(lines)")
        #expect(lines[2].contains("of struct pages stored in pmem (1.5%)") || lines[2].contains("of struct pages stored in pmem (1.6%)"), "\(lines)")
        #expect(lines.last == "creatable at 0x100000000")
        #expect(p.json()["sector_size"] == nil, "sector_size does not apply to devdax")

        r.map = .mem
        guard case .plan(let m) = try CapacityPlanner.judge(r, region: region) else { Issue.record("not planned"); return }
        let ram = m.hostRAMBytes()
        #expect(ram == HostRAMCost.bytes(for: m.size, mode: .devdax, map: .mem, align: 2 << 20) && ram > 0)
        #expect(m.describe().contains("host RAM once enabled: \(ByteCount.format(Int(ram))) (2M pages share their struct pages, Linux 5.17 and later)"),
                "\(m.describe())")
        #expect(m.json()["host_ram_bytes"] == .uint(ram))
        #expect(p.json()["host_ram_bytes"] == .uint(p.hostRAMBytes()) && p.hostRAMBytes() <= 4096, "map dev: page tables only")
    }
}
