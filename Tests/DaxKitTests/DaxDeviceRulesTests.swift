import DaxCore
@testable import DaxKit
import Testing

/// The dax-device preflight on the host, over the default lab's soft-reserved region
/// (dax region 0, hmem.0: 256 MiB at 0x60000000, align 2M; 128 MiB memory blocks).
@Suite("dax device rules (preflight)")
struct DaxDeviceRulesTests {
    static let M: UInt64 = 1 << 20
    static let base: UInt64 = 0x6000_0000
    typealias Range = DaxRegionSnapshot.Range

    static func device(_ name: String, _ ranges: [Range], systemRAM: Bool = false) -> DaxRegionSnapshot.Device {
        .init(name: name, id: Int(name.split(separator: ".").last!)!, size: ranges.reduce(0) { $0 + $1.size }, align: 2 * M,
              isEnabled: true, isSystemRAM: systemRAM, ranges: ranges)
    }

    static func region(_ devices: [DaxRegionSnapshot.Device], autoOnline: String = "offline", dynamic: Bool = true) -> DaxRegionSnapshot {
        let used = devices.reduce(0) { $0 + $1.size }
        return DaxRegionSnapshot(id: 0, device: "hmem.0", size: 256 * M, availableSize: 256 * M - used, align: 2 * M,
                                 isDynamic: dynamic, range: Range(start: base, end: base + 256 * M - 1),
                                 devices: devices, memoryBlockSize: 128 * M, autoOnline: autoOnline)
    }

    static func r(_ offset: UInt64, _ size: UInt64) -> Range { Range(start: base + offset * M, end: base + (offset + size) * M - 1) }

    static func refusal(_ body: () throws -> Void) -> DaxError? {
        do { try body(); return nil } catch let e as DaxError { return e } catch { return nil }
    }

    @Test("free ranges are the region less every device's")
    func freeRanges() {
        let reg = Self.region([Self.device("dax0.1", [Self.r(0, 64)]), Self.device("dax0.3", [Self.r(96, 64)])])
        #expect(reg.freeRanges == [Self.r(64, 32), Self.r(160, 96)])
        #expect(Self.region([]).freeRanges == [Self.r(0, 256)])
    }

    @Test("create: defaults, and each refusal's words")
    func create() throws {
        let empty = Self.region([])
        let all = try DaxDeviceRules.create(in: empty, size: nil, align: nil)
        #expect(all.size == 256 * Self.M && all.align == 2 * Self.M && all.ranges.isEmpty)

        let frag = Self.region([Self.device("dax0.1", [Self.r(0, 64)]), Self.device("dax0.3", [Self.r(96, 64)])])
        #expect(try DaxDeviceRules.create(in: frag, size: try ByteCount(parsing: "96M"), align: nil).size == 96 * Self.M)
        let big = try #require(Self.refusal { _ = try DaxDeviceRules.create(in: frag, size: try ByteCount(parsing: "1G"), align: nil) })
        #expect(big.code == .noCapacity)
        #expect(big.description == "dax region 0 (hmem.0): size 1G does not fit; 128 MiB available, largest free range 96 MiB; use size 128M or less")
        // At 1G alignment nothing of this region can be placed.
        let huge = try #require(Self.refusal { _ = try DaxDeviceRules.create(in: frag, size: try ByteCount(parsing: "1G"), align: ByteCount(bytes: 1 << 30)) })
        #expect(huge.description.contains("(0 B) at 1G alignment") && huge.description.hasSuffix("destroy a device first"), "\(huge)")

        let align = try #require(Self.refusal { _ = try DaxDeviceRules.create(in: empty, size: nil, align: try ByteCount(parsing: "8M", parameter: .align)) })
        #expect(align.description == "align 8M: not an alignment dax region 0 supports; supported: 2M, 1G; pick one of them")
        let odd = try #require(Self.refusal { _ = try DaxDeviceRules.create(in: empty, size: try ByteCount(parsing: "3M"), align: nil) })
        #expect(odd.description == "size 3M: not a multiple of the alignment 2M; use size 4M or 2M")
        let zero = try #require(Self.refusal { _ = try DaxDeviceRules.create(in: empty, size: try ByteCount(parsing: "0"), align: nil) })
        #expect(zero.code == .invalidSize)
        let stat = try #require(Self.refusal { _ = try DaxDeviceRules.create(in: Self.region([], dynamic: false), size: nil, align: nil) })
        #expect(stat.code == .conflict && stat.description.contains("static") && stat.description.contains("create namespace"), "\(stat)")
    }

    @Test("create with exact ranges: free and aligned, or the holder named")
    func exactRanges() throws {
        let frag = Self.region([Self.device("dax0.1", [Self.r(0, 64)]), Self.device("dax0.3", [Self.r(96, 64)])])
        let replay = try DaxDeviceRules.create(in: frag, size: nil, align: ByteCount(bytes: 2 * Self.M), ranges: [Self.r(64, 32), Self.r(160, 64)])
        #expect(replay.size == 96 * Self.M && replay.ranges.count == 2)
        let held = try #require(Self.refusal { _ = try DaxDeviceRules.create(in: frag, size: nil, align: nil, ranges: [Self.r(32, 64)]) })
        #expect(held.description == "range 0x62000000-0x65ffffff: held by dax0.1; destroy dax0.1 first, or restore into another region")
        let ragged = Range(start: Self.base + 65 * Self.M, end: Self.base + 90 * Self.M - 1)
        #expect(Self.refusal { _ = try DaxDeviceRules.create(in: frag, size: nil, align: nil, ranges: [ragged]) }?.description.contains("not aligned to 2M") == true)
    }

    @Test("system-ram: whole memory blocks only, what is lost, the auto-online policy")
    func systemRAM() throws {
        let aligned = Self.device("dax0.1", [Self.r(0, 128)])
        let plan = try DaxDeviceRules.systemRAM(aligned, in: Self.region([aligned]), online: true, movable: true, force: false)
        #expect(plan.onlineBytes == 128 * Self.M && plan.lostBytes == 0 && plan.blocks == 1 && plan.zone == "Movable")
        #expect(plan.summary == "dax0.1: 128 MiB (1 memory block of 128 MiB) becomes system RAM on node 0, zone Movable")

        // 192M from the start: one whole block, 64M lost.
        let ragged = Self.device("dax0.1", [Self.r(0, 192)])
        let part = try DaxDeviceRules.systemRAM(ragged, in: Self.region([ragged]), online: true, movable: false, force: false)
        #expect(part.onlineBytes == 128 * Self.M && part.lostBytes == 64 * Self.M && part.zone == "Normal")
        #expect(part.summary.contains("64 MiB is lost at the edges"))

        // The example: 128M at +64M covers no whole block.
        let offset = Self.device("dax0.2", [Self.r(64, 128)])
        let none = try #require(Self.refusal { _ = try DaxDeviceRules.systemRAM(offset, in: Self.region([offset]), online: true, movable: true, force: false) })
        #expect(none.code == .invalidSize)
        #expect(none.description.hasPrefix("dax0.2: none of its 128 MiB at 0x64000000-0x6bffffff covers a whole 128 MiB memory block"))
        #expect(none.rendered(by: LibraryVocabulary()).contains("(the kernel refuses it, EINVAL)"))
        #expect((try? DaxDeviceRules.systemRAM(offset, in: Self.region([offset]), online: true, movable: true, force: true)) != nil)

        // auto_online_blocks=online: -N and movable onlining are refused without force.
        let auto = Self.region([aligned], autoOnline: "online")
        for (online, movable) in [(false, true), (true, true), (false, false)] {
            let e = try #require(Self.refusal { _ = try DaxDeviceRules.systemRAM(aligned, in: auto, online: online, movable: movable, force: false) })
            #expect(e.code == .conflict && e.description.contains("auto_online_blocks=online") && e.description.contains("set force"), "\(e)")
        }
        #expect((try? DaxDeviceRules.systemRAM(aligned, in: auto, online: true, movable: false, force: false)) != nil)
        #expect((try? DaxDeviceRules.systemRAM(aligned, in: auto, online: false, movable: true, force: true)) != nil)
    }
}
