import DaxCore
@testable import DaxKit
import Testing

/// restore-layout's judgement on the host, over the default lab's soft-reserved region
/// (hmem.0: 256 MiB at 0x60000000): the boot state after a reboot, held and reshaped
/// daxN.0, other devices over saved ranges, and what an interrupted restore leaves.
@Suite("dax restore-layout (plan)")
struct DaxLayoutRestoreTests {
    typealias T = DaxDeviceRulesTests
    static let M = T.M

    /// The layout of issue 26: three devices, the second over two ranges.
    static let saved: [DaxLayout.Device] = [
        .init(region: 0, chardev: "dax0.1", size: 64 * M, align: 2 * M, mode: .devdax, online: false, movable: true, ranges: [T.r(0, 64)]),
        .init(region: 0, chardev: "dax0.4", size: 96 * M, align: 2 * M, mode: .devdax, online: false, movable: true,
              ranges: [T.r(64, 32), T.r(160, 64)]),
        .init(region: 0, chardev: "dax0.3", size: 64 * M, align: 2 * M, mode: .devdax, online: false, movable: true, ranges: [T.r(96, 64)]),
    ]

    /// The region as every boot leaves it: dax0.0 over all of it, enabled.
    static var booted: DaxRegionSnapshot { T.region([T.device("dax0.0", [T.r(0, 256)])]) }

    static func message(_ body: () throws -> Void) -> String? { T.refusal(body)?.description }

    @Test("after a reboot: dax0.0 in its boot state is emptied and every saved device is created on its ranges")
    func bootStateReclaimed() throws {
        let p = try DaxLayout.plan(restoring: Self.saved, into: Self.booted, holders: [:])
        #expect(p.emptied == ["dax0.0"])
        #expect(p.leftovers.isEmpty && p.kept.isEmpty)
        #expect(p.creations.map(\.creation.ranges) == Self.saved.map(\.ranges))
        #expect(p.creations.map(\.creation.size) == [64 * Self.M, 96 * Self.M, 64 * Self.M])
    }

    @Test("a layout that records dax0.0 over the whole region keeps it; a region the layout leaves empty is not touched")
    func bootDeviceInTheLayout() throws {
        let whole = DaxLayout.Device(region: 0, chardev: "dax0.0", size: 256 * Self.M, align: 2 * Self.M, mode: .devdax,
                                     online: false, movable: true, ranges: [T.r(0, 256)])
        let p = try DaxLayout.plan(restoring: [whole], into: Self.booted, holders: [:])
        #expect(p.emptied.isEmpty && p.creations.isEmpty)
        #expect(p.kept == [.init(live: "dax0.0", saved: whole, needsEnable: false, needsSystemRAM: false, needsOnline: false)])
        let none = try DaxLayout.plan(restoring: [], into: Self.booted, holders: [:])
        #expect(none == DaxLayout.RestorePlan())
    }

    @Test("dax0.0 mapped by a process is refused with the PID; nothing is planned")
    func bootDeviceMapped() {
        let h = DeviceHolder(kind: .mapped, device: "dax0.0", pid: 4242, command: "qemu-system-x86")
        #expect(Self.message { _ = try DaxLayout.plan(restoring: Self.saved, into: Self.booted, holders: ["dax0.0": h]) }
                == "dax0.0: holds its whole region as at boot, and /dev/dax0.0 is mapped by PID 4242 (qemu-system-x86); a device in use is never emptied, not even to restore a layout; stop PID 4242 first, then restore again")
    }

    @Test("dax0.0 online as system-ram over the region is refused with that reason")
    func bootDeviceSystemRAM() {
        let region = T.region([T.device("dax0.0", [T.r(0, 256)], systemRAM: true)])
        let h = DeviceHolder(kind: .systemRAM, device: "dax0.0", detail: "kmem driver bound")
        #expect(Self.message { _ = try DaxLayout.plan(restoring: Self.saved, into: region, holders: ["dax0.0": h]) }
                == "range 0x60000000-0x63ffffff of dax0.1: held by dax0.0, and dax0.0 is online as system RAM (kmem driver bound); a layout restore empties only a boot-time daxN.0 that nothing holds; return dax0.0 to devdax (reconfigure device dax0.0 devdax) and destroy it first, or restore into another region")
    }

    @Test("dax0.0 disabled over the whole region is not the boot state: refused, and so is any other device over a saved range")
    func otherHoldersRefused() {
        var off = Self.booted
        off.devices[0].isEnabled = false
        #expect(Self.message { _ = try DaxLayout.plan(restoring: Self.saved, into: off, holders: [:]) }?
            .hasPrefix("range 0x60000000-0x63ffffff of dax0.1: held by dax0.0, the whole region as at boot but disabled") == true)
        // Someone's enabled device over the second saved device's first range.
        let region = T.region([T.device("dax0.0", []), T.device("dax0.7", [T.r(64, 32)])])
        #expect(Self.message { _ = try DaxLayout.plan(restoring: Self.saved, into: region, holders: [:]) }
                == "range 0x64000000-0x65ffffff of dax0.4: held by dax0.7; a layout restore empties only a boot-time daxN.0 that nothing holds; destroy dax0.7 first (destroy device dax0.7), or restore into another region")
    }

    @Test("after a crash: a disabled device on a saved device's first ranges is destroyed, a device made but not enabled is kept and enabled")
    func interruptedRestore() throws {
        var half = T.device("dax0.2", [T.r(64, 32)])
        half.isEnabled = false
        var unbound = T.device("dax0.1", [T.r(0, 64)])
        unbound.isEnabled = false
        let region = T.region([T.device("dax0.0", []), unbound, half])
        let p = try DaxLayout.plan(restoring: Self.saved, into: region, holders: [:])
        #expect(p.emptied.isEmpty)
        #expect(p.leftovers == ["dax0.2"])
        #expect(p.kept == [.init(live: "dax0.1", saved: Self.saved[0], needsEnable: true, needsSystemRAM: false, needsOnline: false)])
        #expect(p.creations.map(\.creation.ranges) == [Self.saved[1].ranges, Self.saved[2].ranges])
        // The same half-made device held by a process is someone's: refused, not destroyed.
        let h = DeviceHolder(kind: .open, device: "dax0.2", pid: 99, command: "fio")
        #expect(Self.message { _ = try DaxLayout.plan(restoring: Self.saved, into: region, holders: ["dax0.2": h]) }?
            .hasPrefix("range 0x64000000-0x65ffffff of dax0.4: held by dax0.2, and /dev/dax0.2 is open in PID 99 (fio)") == true)
    }
}
