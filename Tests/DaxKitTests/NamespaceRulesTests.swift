import DaxCore
@testable import DaxKit
import Foundation
import NDCtl
import Testing

/// Every namespace validation and planning rule, judged on the host against region
/// snapshots captured from the lab's topologies (Fixtures/*.json, checked against the lab
/// by IntegrationTests.SnapshotLab). `create-namespace` and `--dry-run` both run exactly
/// `checkArguments` + `judge`, so what these tests say of one holds for the other.
@Suite("namespace rules on lab region snapshots")
struct NamespaceRulesTests {
    static let M: UInt64 = 1 << 20
    static let G: UInt64 = 1 << 30

    static func fixture(_ topology: String) throws -> [RegionSnapshot] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/\(topology).json")
        return try JSONDecoder().decode([RegionSnapshot].self, from: Data(contentsOf: url))
    }

    static func region(_ topology: String, _ name: String) throws -> RegionSnapshot {
        try #require(try fixture(topology).first { $0.name == name }, "\(name) not in \(topology)")
    }

    /// A request as the CLI builds it from ndctl's flags.
    static func request(region: String? = nil, mode: NamespaceMode? = nil, map: MapLocation? = nil,
                        size: String? = nil, usable: String? = nil, align: String? = nil, name: String? = nil,
                        uuid: String? = nil, sector: String? = nil, reconfigure: String? = nil,
                        force: Bool = false) throws -> NamespaceRequest {
        var r = NamespaceRequest()
        r.region = region; r.mode = mode; r.map = map; r.name = name; r.uuid = uuid
        r.reconfigure = reconfigure; r.force = force
        r.size = try size.map { try ByteCount(parsing: $0) }
        r.usableSize = try usable.map { try ByteCount(parsing: $0, parameter: .usableSize) }
        r.align = try align.map { try ByteCount(parsing: $0, parameter: .align) }
        r.sectorSize = try sector.map { try ByteCount(parsing: $0, parameter: .sectorSize) }
        return r
    }

    /// What create and plan do for one region: the arguments, then the region.
    static func judge(_ r: NamespaceRequest, _ region: RegionSnapshot) throws -> CapacityPlanner.Verdict {
        try CapacityPlanner.checkArguments(r)
        return try CapacityPlanner.judge(r, region: region)
    }

    /// The refusal, in library terms.
    static func refusal(_ r: NamespaceRequest, _ region: RegionSnapshot) -> DaxError? {
        do {
            _ = try judge(r, region)
            return nil
        } catch let e as DaxError {
            return e
        } catch {
            Issue.record("not a DaxError: \(error)")
            return nil
        }
    }

    static func plan(_ r: NamespaceRequest, _ region: RegionSnapshot) throws -> NamespacePlan {
        switch try judge(r, region) {
        case .plan(let p): return p
        case .skip(let why): throw why
        }
    }

    /// One refused request: its flags (the test's name), what it asks of the region it is
    /// judged against, and the refusal.
    struct Case: Sendable, CustomStringConvertible {
        var args: String
        /// The region judged; the request names it (`-r`) unless `named` is false.
        var region = "region1"
        var named = true
        var mode: NamespaceMode?
        var map: MapLocation?
        var size, usable, align, name, uuid, sector, reconfigure: String?
        var code: DaxError.Code
        var message: String
        var description: String { args }

        func request() throws -> NamespaceRequest {
            try NamespaceRulesTests.request(
                region: named ? region : nil, mode: mode, map: map, size: size, usable: usable, align: align,
                name: name, uuid: uuid, sector: sector, reconfigure: reconfigure)
        }
    }

    /// The validation errors of the namespace issue (NamespaceLab's, in the lab, with
    /// the CLI's flags) and more, on the default lab topology.
    static let cases: [Case] = [
        Case(args: "-m devdax -a 2M -s 100M", mode: .devdax, size: "100M", align: "2M", code: .invalidArgument,
             message: "region1: size 100M is not a multiple of 16M (align 2M x 1 interleave way, region align 16M); use size 112M (or 96M)"),
        Case(args: "-m devdax -a 8M -s 256M", mode: .devdax, size: "256M", align: "8M", code: .invalidArgument,
             message: "region1: align 8M is not supported for devdax (supported: 4K, 2M, 1G); pick one of them"),
        Case(args: "-m raw -M mem -s 64M", mode: .raw, map: .mem, size: "64M", code: .invalidArgument,
             message: "map mem: only valid for fsdax and devdax namespaces, not raw; drop map or use mode fsdax or mode devdax"),
        Case(args: "-m fsdax -M none -s 64M", mode: .fsdax, map: MapLocation.none, size: "64M", code: .invalidArgument,
             message: "map none: no struct page is only valid in devdax mode, not fsdax; use mode devdax or map mem"),
        Case(args: "-m raw -a 2M -s 64M", mode: .raw, size: "64M", align: "2M", code: .invalidArgument,
             message: "align 2M: not valid for raw mode; drop align or use mode fsdax or mode devdax"),
        Case(args: "-n x*64 -s 64M", size: "64M", name: String(repeating: "x", count: 64), code: .invalidArgument,
             message: "name: 64 bytes long; a namespace label holds at most 63; shorten it"),
        Case(args: "-m fsdax -a 3M -s 64M", mode: .fsdax, size: "64M", align: "3M", code: .invalidAlignment,
             message: "align 3M: not a power of two of at least 4K; use 4K, 2M or 1G"),
        Case(args: "-r region2 -s 64M (label-less)", region: "region2", size: "64M", code: .invalidArgument,
             message: "region2: label-less (memmap/e820 pmem or an NVDIMM without a label area): it holds one namespace of its full size and cannot be sub-divided; drop size and reconfigure it with reconfigure namespace2.0, or use an NVDIMM with a label area (init labels)"),
        Case(args: "-s 64G", size: "64G", code: .noCapacity,
             message: "region1: size 64G exceeds the free capacity: 4080M available, largest extent 4080M; use size 4080M or less"),
        Case(args: "-s 0", size: "0", code: .invalidSize,
             message: "size 0: zero bytes; an empty namespace cannot be created, and 0 does not mean \"all free space\" here; leave size out to take the largest free extent"),
        Case(args: "--usable-size 0", usable: "0", code: .invalidSize,
             message: "usableSize 0: zero bytes; an empty namespace cannot be created, and 0 does not mean \"all free space\" here; leave usableSize out to take the largest free extent"),
        Case(args: "-s 64M --usable-size 64M", size: "64M", usable: "64M", code: .invalidArgument,
             message: "size and usableSize: both given; give one of them"),
        Case(args: "-e namespace1.0 --usable-size 64M", named: false, usable: "64M", reconfigure: "namespace1.0", code: .invalidArgument,
             message: "usableSize: cannot resize an existing namespace; destroy it and create a new one"),
        Case(args: "-u nonsense", size: "64M", uuid: "nonsense", code: .invalidArgument,
             message: "uuid \"nonsense\": not a UUID; use the form 01234567-89ab-cdef-0123-456789abcdef"),
        Case(args: "-m fsdax -s 8M", mode: .fsdax, size: "8M", code: .invalidArgument,
             message: "size 8M: below the 16 MiB minimum for fsdax mode; use size 16M or more, or mode raw"),
        Case(args: "-m sector -l 1000", mode: .sector, size: "64M", sector: "1000", code: .invalidArgument,
             message: "region1: sectorSize 1000 is not supported by btt (supported: 512, 520, 528, 4096, 4104, 4160, 4224); pick one of them"),
        Case(args: "-m fsdax -l 1000", mode: .fsdax, size: "64M", sector: "1000", code: .invalidArgument,
             message: "region1: sectorSize 1000 is not supported for fsdax namespaces (supported: 512, 4096); pick one of them"),
        Case(args: "--usable-size 5000G", mode: .devdax, usable: "5000G", code: .noCapacity,
             message: "region1: usableSize 5000G needs a 5201280M namespace but the largest free extent is 4080M; ask for less or free space"),
        Case(args: "-s 16 (no mode: fsdax)", size: "16", code: .invalidArgument,
             message: "size 16: below the 16 MiB minimum for fsdax mode; use size 16M or more, or mode raw"),
        Case(args: "-m unknown", mode: .unknown, code: .invalidArgument,
             message: "mode unknown: not a mode a namespace can be given; use raw, sector, fsdax or devdax"),
    ]

    @Test("each validation error: code and exact words", arguments: cases)
    func validation(_ c: Case) throws {
        let r = try c.request()
        let region = try Self.region("default", c.region)
        let e = try #require(Self.refusal(r, region), "\(c.args) was not refused")
        #expect(e.code == c.code, "\(c.args): \(e.code)")
        #expect(e.description == c.message, "\(c.args)")
        #expect(!e.description.contains("--"), "library terms, no CLI flags: \(e)")
    }

    @Test("the argument's own mistakes come before the region's state (a full region)")
    func argumentsFirst() throws {
        var full = try Self.region("default", "region1")
        full.availableSize = 0
        full.maxAvailableExtent = 0
        let misaligned = try #require(Self.refusal(try Self.request(region: "region1", mode: .devdax, size: "100M", align: "2M"), full))
        #expect(misaligned.description.contains("not a multiple of 16M"), "\(misaligned)")
        let small = try #require(Self.refusal(try Self.request(region: "region1", mode: .fsdax, size: "8M"), full))
        #expect(small.description.contains("below the 16 MiB minimum"), "\(small)")
        let fine = try #require(Self.refusal(try Self.request(region: "region1", mode: .devdax, size: "64M"), full))
        #expect(fine.code == .noCapacity && fine.description.contains("no free capacity"), "\(fine)")
    }

    @Test("a start that is not 16M aligned: plan and create both refuse without force")
    func startNot16MAligned() throws {
        // The two-NVDIMM lab places the second NVDIMM 1022 MiB after the first: its region
        // starts at 0x17fe00000, 2M but not 16M aligned. Here with a label area.
        var region = try Self.region("two-nvdimms-one-labelless", "region1")
        region.isLabelless = false
        region.availableSize = region.size
        region.maxAvailableExtent = region.size
        let r = try Self.request(region: "region1", mode: .fsdax, size: "256M")
        let e = try #require(Self.refusal(r, region))
        // The region's align is 16M already: its own start is what is off, so only force helps.
        #expect(e.description == "region1: namespace start 0x17fe00000 is not 16M aligned as fsdax needs (ndctl check_dax_align); set force (the kernel needs only 2M): the region's align is already 16M, so the region's own start, or the namespace's, is what is off")
        var forced = r
        forced.force = true
        let p = try Self.plan(forced, region)
        #expect(p.start == 0x17fe00000 && p.capacity.usableSize > 0)
    }

    @Test("align.sh: after a 1G+8K namespace, the next starts where the kernel puts it, at the region's align")
    func startAtTheRegionAlign() throws {
        // ndctl's test/align.sh: a 1G-aligned region, a 1G+8K fsdax namespace made at
        // region align 4K; then the region's align is set to 16M and 2G namespaces are
        // made at each page alignment. The kernel starts them at base + 1G + 16M.
        let base: UInt64 = 0x1_4000_0000
        func region(align: UInt64) -> RegionSnapshot {
            RegionSnapshot(name: "region1", id: 1, size: 4 * Self.G, availableSize: 3 * Self.G - 8 << 10,
                           maxAvailableExtent: 3 * Self.G - 8 << 10, align: align, resource: base,
                           nextStart: base + Self.G + 8 << 10)
        }
        let aligned = region(align: 16 * Self.M)
        #expect(aligned.allocationStart == base + Self.G + 16 * Self.M)
        for a in ["1G", "2M", "4K"] {
            let p = try Self.plan(try Self.request(region: "region1", mode: .fsdax, size: "2147483648", align: a), aligned)
            #expect(p.start == base + Self.G + 16 * Self.M && p.capacity.usableSize > 0, "-a \(a): \(p.start)")
        }
        // At region align 4K the kernel starts it right after the first one: refused as
        // ndctl refuses it, and the fix is the setting the test then makes.
        let small = region(align: 4 << 10)
        #expect(small.allocationStart == base + Self.G + 8 << 10)
        let e = try #require(Self.refusal(try Self.request(region: "region1", mode: .fsdax, size: "1073750016", align: "4K"), small))
        #expect(e.description == "region1: namespace start 0x180002000 is not 16M aligned as fsdax needs (ndctl check_dax_align); set the region's align to 16M (its align attribute in sysfs), or set force")
    }

    @Test("a region that cannot take it is skipped unless it was named")
    func skipOrRefuse() throws {
        let labelless = try Self.region("default", "region2")
        guard case .skip(let why) = try Self.judge(try Self.request(size: "64M"), labelless) else {
            Issue.record("an unnamed label-less region was not skipped"); return
        }
        #expect(why.description == "region2: label-less and cannot be sub-divided")

        var disabled = try Self.region("default", "region1")
        disabled.isEnabled = false
        guard case .skip(let off) = try Self.judge(try Self.request(region: "region1", size: "64M"), disabled) else {
            Issue.record("a disabled region was not skipped"); return
        }
        #expect(off.description == "region1: disabled; enable it: enable region region1")

        var ro = try Self.region("default", "region1")
        ro.isReadOnly = true
        #expect(Self.refusal(try Self.request(region: "region1", size: "64M"), ro)?.code == .conflict)
        guard case .skip = try Self.judge(try Self.request(size: "64M"), ro) else {
            Issue.record("an unnamed read-only region was not skipped"); return
        }

        var noDax = try Self.region("default", "region1")
        noDax.daxSeed = nil
        #expect(Self.refusal(try Self.request(region: "region1", mode: .devdax, size: "64M"), noDax)?.description
                == "region1: this kernel does not support devdax mode (no dax seed: load dax_pmem); use mode fsdax")
    }

    @Test("what is planned: default size, usable size, seed defaults")
    func plans() throws {
        let region = try Self.region("large-nvdimm", "region0")
        let all = try Self.plan(try Self.request(region: "region0", mode: .devdax), region)
        #expect(all.size == region.maxAvailableExtent && all.align == 2 * Self.M && all.map == .dev)
        #expect(all.start == region.nextStart)

        let usable = try Self.plan(try Self.request(region: "region0", mode: .devdax, usable: "1G", align: "2M"), region)
        #expect(usable.capacity.usableSize >= Self.G)
        #expect(usable.size == CapacityPlanner.smallestRawSize(forUsable: Self.G, mode: .devdax, align: 2 * Self.M,
                                                               start: region.nextStart!))
        let smaller = CapacityPlanner.plan(rawSize: usable.size - 16 * Self.M, mode: .devdax, align: 2 * Self.M, start: region.nextStart!)
        #expect(smaller.usableSize < Self.G)

        // The kernel's layout refuses what it cannot lay out: a 1G namespace at 1G align
        // has no room after the info block's padding.
        let tooTight = try #require(Self.refusal(try Self.request(region: "region0", mode: .fsdax, map: .mem, size: "1G", align: "1G"), region))
        #expect(tooTight.description.contains("unable to satisfy requested alignment"), "\(tooTight)")
        let mem = try Self.plan(try Self.request(region: "region0", mode: .fsdax, map: .mem, size: "2G", align: "1G"), region)
        #expect(mem.capacity.metadataBytes == 0 && mem.capacity.usableSize == Self.G)
        let sector = try Self.plan(try Self.request(region: "region0", mode: .sector, size: "64M"), region)
        #expect(sector.sectorSize == 4096 && sector.btt == .v1_1 && sector.capacity.creatable)
    }

    @Test("map none: planned as the kernel will answer, not refused before it")
    func mapNone() throws {
        let region = try Self.region("default", "region1")
        let p = try Self.plan(try Self.request(region: "region1", mode: .devdax, map: MapLocation.none, size: "64M"), region)
        #expect(p.capacity.refusal?.code == .unsupportedMap)
        #expect(p.json()["creatable"] == .bool(false))
    }

    /// A host without pmem still plans (--dry-run with a size): against a region that is
    /// not there, by the same rules, and the plan says so instead of naming a start.
    @Test func planWithoutARegion() throws {
        let r = try Self.request(mode: .devdax, usable: "1G", align: "2M")
        let p = try Self.plan(r, .hypothetical())
        let region = try Self.region("default", "region1")
        let real = try Self.plan(r, region)
        // The capacity layout does not depend on which empty region it is planned in.
        #expect(p.capacity.rawSize == real.capacity.rawSize)
        #expect(p.capacity.usableSize == real.capacity.usableSize)
        #expect(p.capacity.usableSize >= Self.G)
        let words = p.describe(requestedUsable: Self.G).joined(separator: "\n")
        #expect(words.contains("no pmem region on this host"), "\(words)")
        #expect(!words.contains("creatable at"), "\(words)")
        let json = p.json().rendered()
        #expect(json.contains("\"region\":\"(no region)\""), "\(json)")
        #expect(!json.contains("\"start\""), "\(json)")
        // Arguments are judged first, as with a region.
        let tooSmall = Self.refusal(try Self.request(size: "16"), .hypothetical())
        #expect(tooSmall?.code == .invalidArgument)
    }

    /// map none with a usable size: sized as map mem would be, then refused for what it
    /// is (the kernel's missing pfn mode), not as "no namespace can give" the size.
    @Test func mapNoneWithUsableSize() throws {
        let r = try Self.request(mode: .devdax, map: MapLocation.none, usable: "64M")
        let p = try Self.plan(r, try Self.region("default", "region1"))
        #expect(!p.capacity.creatable)
        #expect(p.capacity.refusal?.code == .unsupportedMap)
        var mem = r
        mem.map = .mem
        #expect(p.capacity.rawSize == (try Self.plan(mem, try Self.region("default", "region1"))).capacity.rawSize)
    }
}
