import Foundation
import Testing
import NDCtl
import DaxKit

private let K: UInt64 = 1 << 10
private let M: UInt64 = 1 << 20
private let G: UInt64 = 1 << 30

/// Known values derived from Linux 6.1 drivers/nvdimm/pfn_devs.c nd_pfn_init() and
/// drivers/nvdimm/btt.c alloc_arena(), and checked against the lab (PlannerLabTests).
@Suite("capacity planner")
struct CapacityPlannerTests {
    static func expectInvariant(_ p: CapacityPlan, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(p.rawSize == p.usableSize + p.metadataBytes + p.infoblockBytes + p.paddingBytes,
                "accounting: \(p)", sourceLocation: sourceLocation)
    }

    @Test("lab observation: a 512 MiB devdax namespace (map=dev, 2M) gives 502 MiB")
    func devdax512M() {
        let p = CapacityPlanner.plan(rawSize: 512 * M, mode: .devdax, map: .dev, align: 2 * M)
        #expect(p.creatable)
        #expect(p.usableSize == 502 * M)
        #expect(p.infoblockBytes == 8 * K)
        // 64 bytes per page of (512M - 8K) / 4K = 131070 pages
        #expect(p.metadataBytes == 64 * 131_070)
        #expect(p.dataOffset == 10 * M)
        #expect(p.endTruncation == 0)
        #expect(p.paddingBytes == 10 * M - 8 * K - 64 * 131_070)
        #expect(p.map == .dev && p.align == 2 * M && p.mode == .devdax && p.sectorSize == nil)
        Self.expectInvariant(p)
    }

    @Test("DESIGN: 2 GiB with align=1G map=dev gives 1 GiB; 1 GiB is refused")
    func oneGigAlignment() {
        let two = CapacityPlanner.plan(rawSize: 2 * G, mode: .fsdax, map: .dev, align: G)
        #expect(two.creatable)
        #expect(two.usableSize == G)
        #expect(two.metadataBytes == 33_554_304)
        #expect(two.dataOffset == G)
        Self.expectInvariant(two)

        let one = CapacityPlanner.plan(rawSize: G, mode: .fsdax, map: .dev, align: G)
        #expect(!one.creatable)
        #expect(one.refusal?.code == .alignmentUnsatisfiable)
        #expect(one.usableSize == 0)
        Self.expectInvariant(one)

        let oneDax = CapacityPlanner.plan(rawSize: G, mode: .devdax, map: .mem, align: G)
        #expect(oneDax.refusal?.code == .alignmentUnsatisfiable)
        Self.expectInvariant(oneDax)

        let three = CapacityPlanner.plan(rawSize: 3 * G, mode: .devdax, map: .dev, align: G)
        #expect(three.usableSize == 2 * G)
        #expect(three.metadataBytes == 50_331_520)
        Self.expectInvariant(three)
    }

    @Test("16 MiB fsdax: 2 MiB data offset with either map; map=mem reserves no struct page")
    func smallest() {
        let dev = CapacityPlanner.plan(rawSize: 16 * M, mode: .fsdax, map: .dev)
        #expect(dev.usableSize == 14 * M)
        #expect(dev.metadataBytes == 262_016)
        Self.expectInvariant(dev)
        let mem = CapacityPlanner.plan(rawSize: 16 * M, mode: .fsdax, map: .mem)
        #expect(mem.usableSize == 14 * M)
        #expect(mem.metadataBytes == 0)
        #expect(mem.paddingBytes == 2 * M - 8 * K)
        Self.expectInvariant(mem)
    }

    @Test("align 4K pads the data offset to memremap_compat_align() (2 MiB) like align 2M")
    func fourKAlign() {
        for size in [16 * M, 48 * M, 272 * M, G, 3 * G] {
            for map in [MapLocation.dev, .mem] {
                let a = CapacityPlanner.plan(rawSize: size, mode: .fsdax, map: map, align: 4 * K)
                let b = CapacityPlanner.plan(rawSize: size, mode: .fsdax, map: map, align: 2 * M)
                #expect(a.usableSize == b.usableSize, "\(size) \(map)")
                #expect(a.dataOffset % (2 * M) == 0)
            }
        }
        #expect(CapacityPlanner.plan(rawSize: 272 * M, mode: .devdax, map: .dev, align: 4 * K).usableSize == 278_921_216)
    }

    @Test("known pfn values", arguments: [
        // (raw, align, map=dev?, usable)
        (256 * M, 2 * M, true, 262_144_000 as UInt64),
        (240 * M, 2 * M, true, 247_463_936),
        (G, 2 * M, true, 1_054_867_456),
        (1040 * M, 2 * M, true, 1_071_644_672),
        (3 * G, 2 * M, true, 3_168_796_672),
        (64 * M, 2 * M, false, 65_011_712),
        (48 * M, 4 * K, false, 48_234_496),
        (2 * G, G, false, G),
    ])
    func knownPFN(raw: UInt64, align: UInt64, dev: Bool, usable: UInt64) {
        for mode in [NamespaceMode.fsdax, .devdax] {
            let p = CapacityPlanner.plan(rawSize: raw, mode: mode, map: dev ? .dev : .mem, align: align)
            #expect(p.usableSize == usable, "\(mode) \(raw) \(align) dev=\(dev)")
            Self.expectInvariant(p)
        }
    }

    @Test("the physical start matters: data offset and end are aligned in absolute terms")
    func startMatters() {
        let base: UInt64 = 4 * G
        // At +512M: the end is truncated by 512M and the data starts 512M in.
        let a = CapacityPlanner.plan(rawSize: 2 * G, mode: .fsdax, map: .dev, align: G, start: base + 512 * M)
        #expect(a.usableSize == G)
        #expect(a.dataOffset == 512 * M)
        #expect(a.endTruncation == 512 * M)
        Self.expectInvariant(a)
        // At +1008M the struct page reservation crosses the next 1G boundary.
        let s = base + 1008 * M
        // Data offset 1040M == size - end_trunc: Linux 6.1 accepts it (its check is
        // offset >= size) and builds a 0-byte device that oopses on teardown (lab).
        let b = CapacityPlanner.plan(rawSize: 2 * G, mode: .fsdax, map: .dev, align: G, start: s)
        #expect(b.refusal?.code == .zeroCapacity)
        #expect(b.dataOffset == 1040 * M && b.endTruncation == 1008 * M)
        #expect(b.usableSize == 0)
        Self.expectInvariant(b)
        let b2 = CapacityPlanner.plan(rawSize: G, mode: .devdax, map: .mem, align: G, start: s)
        #expect(b2.refusal?.code == .zeroCapacity)
        Self.expectInvariant(b2)
        // 4G: the struct pages (64M) cross the boundary; 2G usable (3G when aligned).
        let b4 = CapacityPlanner.plan(rawSize: 4 * G, mode: .fsdax, map: .dev, align: G, start: s)
        #expect(b4.usableSize == 2 * G)
        #expect(CapacityPlanner.plan(rawSize: 4 * G, mode: .fsdax, map: .dev, align: G).usableSize == 3 * G)
        Self.expectInvariant(b4)
        let c = CapacityPlanner.plan(rawSize: 3 * G, mode: .devdax, map: .dev, align: G, start: s)
        #expect(c.usableSize == G)              // 2G when aligned
        #expect(c.dataOffset == 1040 * M)
        #expect(c.endTruncation == 1008 * M)
        Self.expectInvariant(c)
        let d = CapacityPlanner.plan(rawSize: 2 * G, mode: .devdax, map: .mem, align: G, start: s)
        #expect(d.usableSize == G)
        #expect(d.dataOffset == 16 * M)
        Self.expectInvariant(d)
        // 2M alignment: any 16M-aligned start gives the aligned result.
        #expect(CapacityPlanner.plan(rawSize: 512 * M, mode: .devdax, start: base + 16 * M).usableSize == 502 * M)
    }

    @Test("BTT: known sizes for 4096 and 512 byte sectors (BTT 1.1, 4K initial offset)", arguments: [
        (32 * M, 32_440_320 as UInt64, 33_130_496 as UInt64),
        (256 * M, 267_091_968, 266_190_848),
        (G, 1_071_611_904, 1_065_254_400),
        (3 * G, 3_216_998_400, 3_196_090_880),
    ])
    func bttKnown(raw: UInt64, usable4096: UInt64, usable512: UInt64) {
        let p4 = CapacityPlanner.plan(rawSize: raw, mode: .sector, sectorSize: 4096)
        #expect(p4.usableSize == usable4096)
        #expect(p4.arenas == 1)
        #expect(p4.infoblockBytes == 4096 + 8192)
        #expect(p4.dataOffset == 8192)
        Self.expectInvariant(p4)
        let p5 = CapacityPlanner.plan(rawSize: raw, mode: .sector, sectorSize: 512)
        #expect(p5.usableSize == usable512)
        #expect(p5.sectorSize == 512 && p5.map == nil && p5.align == nil)
        Self.expectInvariant(p5)
    }

    @Test("BTT: 16 MiB needs BTT 2.0 (v1.2 labels); 1.1 loses 4K to the initial offset")
    func bttSmall() {
        let v11 = CapacityPlanner.plan(rawSize: 16 * M, mode: .sector, sectorSize: 4096, btt: .v1_1)
        #expect(v11.refusal?.code == .bttTooSmall)
        Self.expectInvariant(v11)
        let v20 = CapacityPlanner.plan(rawSize: 16 * M, mode: .sector, sectorSize: 4096, btt: .v2_0)
        #expect(v20.usableSize == 15_683_584)
        Self.expectInvariant(v20)
        #expect(CapacityPlanner.plan(rawSize: 32 * M, mode: .sector, btt: .v2_0).usableSize == 32_444_416)
        #expect(CapacityPlanner.BTTVersion(labelVersion: (1, 1)) == .v1_1)
        #expect(CapacityPlanner.BTTVersion(labelVersion: (1, 2)) == .v2_0)
        #expect(CapacityPlanner.BTTVersion(labelVersion: nil) == .v1_1)
    }

    @Test("BTT: integrity LBA sizes carry metadata; arenas split at 512 GiB; a sub-16M tail is dropped")
    func bttArenas() {
        let p = CapacityPlanner.plan(rawSize: 32 * M, mode: .sector, sectorSize: 520)
        #expect(p.usableSize == 29_459_968)     // 512-byte sectors in 576-byte internal blocks
        Self.expectInvariant(p)
        let t = CapacityPlanner.plan(rawSize: 1 << 40, mode: .sector, sectorSize: 4096)
        #expect(t.arenas == 2)
        #expect(t.usableSize == 1_098_436_767_744)
        Self.expectInvariant(t)
        let tail = CapacityPlanner.plan(rawSize: (1 << 39) + 16 * M, mode: .sector, sectorSize: 4096)
        #expect(tail.arenas == 1)
        #expect(tail.usableSize == 549_218_385_920)
        #expect(tail.paddingBytes >= 16 * M - 4096)
        Self.expectInvariant(tail)
        #expect(CapacityPlanner.plan(rawSize: 64 * M, mode: .sector, sectorSize: 1024).refusal?.code == .unsupportedSectorSize)
    }

    @Test("raw: usable is the raw size")
    func raw() {
        let p = CapacityPlanner.plan(rawSize: 3 * G, mode: .raw)
        #expect(p.usableSize == 3 * G && p.metadataBytes == 0 && p.infoblockBytes == 0 && p.paddingBytes == 0)
        #expect(p.map == nil && p.align == nil)
        #expect(CapacityPlanner.plan(rawSize: 16 * M, mode: .raw).creatable)
    }

    @Test("what ndctl and the kernel refuse")
    func refusals() {
        func code(_ size: UInt64, _ mode: NamespaceMode, map: MapLocation = .dev, align: UInt64 = 2 * M,
                  start: UInt64 = 0, rules: CapacityPlanner.Rules = .ndctl) -> CapacityPlan.Refusal.Code? {
            let p = CapacityPlanner.plan(rawSize: size, mode: mode, map: map, align: align, start: start, rules: rules)
            Self.expectInvariant(p)
            return p.refusal?.code
        }
        #expect(code(24 * M, .fsdax) == .sizeMisaligned)           // region align 16M
        #expect(code(8 * M, .raw) == .sizeMisaligned)
        #expect(code(1040 * M, .devdax, align: G) == .sizeMisaligned)   // align x ways
        #expect(code(0, .fsdax) == .belowMinimumSize)
        #expect(code(16 * M, .fsdax, map: .none) == .unsupportedMap)
        #expect(code(64 * M, .devdax, align: 64 * K) == .unsupportedAlignment)
        #expect(code(64 * M, .unknown) == .unsupportedMode)
        // ndctl check_dax_align() wants a 16M-aligned start; the kernel only 2M.
        #expect(code(64 * M, .devdax, start: 4 * G + 8 * M) == .startMisaligned)
        #expect(code(64 * M, .devdax, start: 4 * G + 8 * M, rules: .kernel) == nil)
        #expect(code(64 * M, .devdax, start: 4 * G + M, rules: .kernel) == .startMisaligned)
        // The kernel alone accepts sub-16M pfn namespaces.
        #expect(code(16 * M, .fsdax, rules: .kernel) == nil)
        let small = CapacityPlanner.plan(rawSize: 4 * M, mode: .fsdax, regionAlign: 4 * M, rules: .kernel)
        #expect(small.usableSize == 2 * M)
        #expect(code(UInt64.max / 4096 * 4096, .raw) != nil)
        #expect(code(16 * M, .raw, start: UInt64.max - 8 * M) == .sizeOutOfRange)
        // The refusal says what would work.
        let r = CapacityPlanner.plan(rawSize: 24 * M, mode: .fsdax).refusal
        #expect(r?.message.description.contains("32M") == true, "\(String(describing: r))")
    }

    @Test("accounting is exact over a grid of modes, maps, alignments, sizes and starts")
    func invariantGrid() {
        var n = 0
        for mode in NamespaceMode.allCases {
            for map in MapLocation.allCases {
                for align in [4 * K, 2 * M, G, 64 * K] {
                    for size in [0, 8 * K, 16 * M, 48 * M, 256 * M, G, 1040 * M, 2 * G, 3 * G, 5 * G] {
                        for start in [0, 4 * G + 16 * M, 4 * G + 512 * M, 4 * G + 1008 * M, 4 * G + M] {
                            for rules in [CapacityPlanner.Rules.ndctl, .kernel] {
                                let p = CapacityPlanner.plan(rawSize: size, mode: mode, map: map, align: align,
                                                             start: start, rules: rules)
                                Self.expectInvariant(p)
                                if !p.creatable { #expect(p.usableSize == 0) }
                                if p.creatable && (mode == .fsdax || mode == .devdax) {
                                    let a = max(align, 2 * M)
                                    #expect((start + p.dataOffset) % a == 0)
                                    #expect((start + size - p.endTruncation) % a == 0)
                                    #expect(p.usableSize % a == 0)
                                }
                                n += 1
                            }
                        }
                    }
                }
            }
        }
        #expect(n > 1000)
    }

    @Test("smallestRawSize: known answers")
    func inverseKnown() {
        #expect(CapacityPlanner.smallestRawSize(forUsable: 502 * M, mode: .devdax, map: .dev, align: 2 * M) == 512 * M)
        #expect(CapacityPlanner.smallestRawSize(forUsable: 502 * M + 1, mode: .devdax, map: .dev, align: 2 * M) == 528 * M)
        #expect(CapacityPlanner.smallestRawSize(forUsable: G, mode: .fsdax, map: .dev, align: 2 * M) == 1056 * M)
        #expect(CapacityPlanner.smallestRawSize(forUsable: G, mode: .devdax, map: .dev, align: G) == 2 * G)
        #expect(CapacityPlanner.smallestRawSize(forUsable: G + 1, mode: .devdax, map: .mem, align: G) == 3 * G)
        #expect(CapacityPlanner.smallestRawSize(forUsable: 1, mode: .fsdax, map: .mem) == 16 * M)
        #expect(CapacityPlanner.smallestRawSize(forUsable: 0, mode: .devdax, align: G) == 2 * G)
        #expect(CapacityPlanner.smallestRawSize(forUsable: 1, mode: .raw) == 16 * M)
        #expect(CapacityPlanner.smallestRawSize(forUsable: 16 * M + 1, mode: .raw) == 32 * M)
        // BTT 1.1 cannot use 16M; 32M gives 30.9M with 4K sectors.
        #expect(CapacityPlanner.smallestRawSize(forUsable: 1, mode: .sector) == 32 * M)
        #expect(CapacityPlanner.smallestRawSize(forUsable: 1, mode: .sector, btt: .v2_0) == 16 * M)
        #expect(CapacityPlanner.smallestRawSize(forUsable: 32_440_321, mode: .sector) == 48 * M)
        // Interleave: align x ways and the region align.
        #expect(CapacityPlanner.smallestRawSize(forUsable: G, mode: .devdax, align: G, interleaveWays: 2) == 2 * G)
        #expect(CapacityPlanner.smallestRawSize(forUsable: G + 1, mode: .devdax, align: G, interleaveWays: 2) == 4 * G)
        #expect(CapacityPlanner.smallestRawSize(forUsable: 100 * M, mode: .raw, regionAlign: 48 * M, interleaveWays: 3) == 144 * M)
        // Hopeless requests.
        #expect(CapacityPlanner.smallestRawSize(forUsable: G, mode: .devdax, map: .none) == nil)
        #expect(CapacityPlanner.smallestRawSize(forUsable: G, mode: .devdax, align: 64 * K) == nil)
        #expect(CapacityPlanner.smallestRawSize(forUsable: G, mode: .devdax, start: 4 * G + M) == nil)
        #expect(CapacityPlanner.smallestRawSize(forUsable: UInt64.max, mode: .fsdax) == nil)
    }

    @Test("smallestRawSize is the least valid size: it fits and the next smaller valid size does not")
    func inverseMinimal() {
        let requests: [UInt64] = [1, 14 * M, 14 * M + 1, 100 * M, 502 * M, 1000 * M, G, 5 * G + 123, 40 * G, 700 * G]
        for mode in [NamespaceMode.fsdax, .devdax, .sector, .raw] {
            for map in [MapLocation.dev, .mem] {
                for align in [4 * K, 2 * M, G] {
                    for start in [0, 4 * G + 1008 * M] {
                        for u in requests {
                            guard let s = CapacityPlanner.smallestRawSize(forUsable: u, mode: mode, map: map, align: align, start: start) else {
                                Issue.record("no size for \(u) \(mode) \(map) \(align)")
                                continue
                            }
                            let p = CapacityPlanner.plan(rawSize: s, mode: mode, map: map, align: align, start: start)
                            #expect(p.creatable && p.usableSize >= u, "\(mode) \(map) \(align) \(u): \(s)")
                            let granule = max((mode == .fsdax || mode == .devdax) ? align : 4 * K, 16 * M)
                            if s > granule {
                                let q = CapacityPlanner.plan(rawSize: s - granule, mode: mode, map: map, align: align, start: start)
                                #expect(!(q.creatable && q.usableSize >= u), "\(mode) \(map) \(align) \(u): \(s - granule) also fits")
                            }
                        }
                    }
                }
            }
        }
    }

    @Test("Codable: snake_case keys, mode/map as ndctl names, round trip")
    func codable() throws {
        let p = CapacityPlanner.plan(rawSize: 512 * M, mode: .devdax, map: .dev, align: 2 * M, start: 4 * G)
        let data = try JSONEncoder().encode(p)
        let obj = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(obj["raw_size"] as? Int == Int(512 * M))
        #expect(obj["usable_size"] as? Int == Int(502 * M))
        #expect(obj["metadata_bytes"] as? Int == 64 * 131_070)
        #expect(obj["infoblock_bytes"] as? Int == 8192)
        #expect(obj["padding_bytes"] != nil)
        #expect(obj["mode"] as? String == "devdax")
        #expect(obj["map"] as? String == "dev")
        #expect(obj["align"] as? Int == Int(2 * M))
        #expect(obj["creatable"] as? Bool == true)
        #expect(try JSONDecoder().decode(CapacityPlan.self, from: data) == p)

        let refused = CapacityPlanner.plan(rawSize: G, mode: .fsdax, align: G)
        let rdata = try JSONEncoder().encode(refused)
        let robj = try #require(try JSONSerialization.jsonObject(with: rdata) as? [String: Any])
        #expect(robj["creatable"] as? Bool == false)
        #expect(robj["refusal_code"] as? String == "alignmentUnsatisfiable")
        #expect(try JSONDecoder().decode(CapacityPlan.self, from: rdata) == refused)
        let sector = CapacityPlanner.plan(rawSize: 64 * M, mode: .sector, sectorSize: 512)
        #expect(try JSONDecoder().decode(CapacityPlan.self, from: JSONEncoder().encode(sector)) == sector)
    }
}
