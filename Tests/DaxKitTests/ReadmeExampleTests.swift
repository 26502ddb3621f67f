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
