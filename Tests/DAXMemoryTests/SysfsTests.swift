import DAXMemory
import DaxCore
import Foundation
import Testing

/// Builds fake sysfs trees shaped like drivers/dax/bus.c makes them.
struct FakeSysfs {
    let directory: TemporaryDirectory
    var root: String { directory.path }
    var sysfs: DAXSysfs { DAXSysfs(root: root) }

    init() throws {
        directory = try TemporaryDirectory("fake-sysfs")
        try directory.mkdir("bus/dax")
        try directory.mkdir("class/dax")
        try directory.mkdir("class/mem")
    }

    /// Bus layout: dev/char/M:m -> devices/.../namespaceR.0/daxR.0, region group on the parent.
    func addBusDevice(
        major: UInt32, minor: UInt32, region: Int, size: Int, deviceAlign: Int?, regionAlign: Int
    ) throws {
        let parent = "devices/platform/e820_pmem/ndbus0/region\(region)/namespace\(region).0"
        let device = parent + "/dax\(region).0"
        try directory.write(device + "/size", "\(size)\n")
        if let deviceAlign { try directory.write(device + "/align", "\(deviceAlign)\n") }
        try directory.write(device + "/dev", "\(major):\(minor)\n")
        try directory.symlink(device + "/subsystem", to: "../../../../../../../bus/dax")
        try directory.write(parent + "/dax_region/align", "\(regionAlign)\n")
        try directory.write(parent + "/dax_region/id", "\(region)\n")
        try directory.write(parent + "/dax_region/size", "\(size)\n")
        try directory.symlink("dev/char/\(major):\(minor)", to: "../../\(device)")
    }

    /// Expects `device(major:minor:)` to be refused with `code`, its problem naming `text`.
    func expectRefusal(
        major: UInt32, minor: UInt32, _ code: DaxError.Code, naming text: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let error = try #require(throws: DaxError.self, sourceLocation: sourceLocation) {
            try sysfs.device(major: major, minor: minor)
        }
        #expect(error.code == code, sourceLocation: sourceLocation)
        #expect(error.problem.description.contains(text), sourceLocation: sourceLocation)
    }
}

@Suite("sysfs discovery")
struct SysfsTests {
    @Test func busLayoutWithDeviceAlign() throws {
        let fake = try FakeSysfs()
        try fake.addBusDevice(major: 252, minor: 0, region: 0, size: 1 << 30, deviceAlign: 2 << 20, regionAlign: 4096)
        let info = try fake.sysfs.device(major: 252, minor: 0, path: "/dev/dax0.0")
        #expect(info.name == "dax0.0")
        #expect(info.size == 1 << 30)
        #expect(info.alignment == .page2M)
        #expect(info.alignmentSource == .device)
        #expect(info.regionID == 0)
        #expect(info.regionAlignment == .page4K)
        #expect(info.sysfsPath.hasSuffix("/region0/namespace0.0/dax0.0"))
        #expect(fake.sysfs.characterDevicePath(major: 252, minor: 0) == fake.root + "/dev/char/252:0")
    }

    @Test func busLayoutFallsBackToRegionAlign() throws {
        let fake = try FakeSysfs()
        try fake.addBusDevice(major: 252, minor: 3, region: 1, size: 4 << 30, deviceAlign: nil, regionAlign: 1 << 30)
        let info = try fake.sysfs.device(major: 252, minor: 3)
        #expect(info.name == "dax1.0")
        #expect(info.alignment == .page1G)
        #expect(info.alignmentSource == .region)
        #expect(info.regionID == 1)
    }

    @Test func classLayoutReachesRegionThroughDeviceLink() throws {
        let fake = try FakeSysfs()
        let d = fake.directory
        // Old compat layout: a class device under a "dax" glue directory of its parent.
        let parent = "devices/platform/e820_pmem/ndbus0/region2/dax2"
        let device = parent + "/dax/dax2.0"
        try d.write(device + "/size", "\(8 << 20)\n")
        try d.symlink(device + "/subsystem", to: "../../../../../../../../class/dax")
        try d.symlink(device + "/device", to: "../../../dax2")
        try d.write(parent + "/dax_region/align", "2097152\n")
        try d.write(parent + "/dax_region/id", "2\n")
        try d.symlink("dev/char/251:7", to: "../../\(device)")
        let info = try fake.sysfs.device(major: 251, minor: 7)
        #expect(info.name == "dax2.0")
        #expect(info.alignment == .page2M)
        #expect(info.alignmentSource == .region)
        #expect(info.regionID == 2)
        #expect(info.size == 8 << 20)
    }

    @Test func refusesOtherSubsystems() throws {
        let fake = try FakeSysfs()
        try fake.directory.write("devices/virtual/mem/null/dev", "1:3\n")
        try fake.directory.symlink("devices/virtual/mem/null/subsystem", to: "../../../../class/mem")
        try fake.directory.symlink("dev/char/1:3", to: "../../devices/virtual/mem/null")
        let error = try #require(throws: DaxError.self) {
            try fake.sysfs.device(major: 1, minor: 3, path: "/dev/null")
        }
        #expect(error.code == .notDAXDevice)
        #expect(error.object.description == "/dev/null")
        #expect(error.description.contains("'mem'"))
        #expect(error.fix.rendered(by: FlagVocabulary()).contains("--file"))
    }

    @Test func refusesMissingEntry() throws {
        try FakeSysfs().expectRefusal(major: 9, minor: 9, .notDAXDevice, naming: "/dev/char/9:9")
    }

    @Test func missingSizeIsReported() throws {
        let fake = try FakeSysfs()
        try fake.addBusDevice(major: 252, minor: 1, region: 3, size: 1 << 30, deviceAlign: 4096, regionAlign: 4096)
        try FileManager.default.removeItem(
            atPath: fake.root + "/devices/platform/e820_pmem/ndbus0/region3/namespace3.0/dax3.0/size")
        try fake.expectRefusal(major: 252, minor: 1, .sysfsUnreadable, naming: "/size")
    }

    @Test func badAlignmentValueIsReported() throws {
        let fake = try FakeSysfs()
        try fake.addBusDevice(major: 252, minor: 2, region: 4, size: 1 << 30, deviceAlign: 3000, regionAlign: 4096)
        try fake.expectRefusal(major: 252, minor: 2, .sysfsUnreadable, naming: "3000")
    }

    @Test func devicePaths() {
        #expect(MemoryTarget.devicePath(for: "dax0.0") == "/dev/dax0.0")
        #expect(MemoryTarget.devicePath(for: "/dev/dax1.2") == "/dev/dax1.2")
        #expect(MemoryTarget.devicePath(for: "./dax0.0") == "./dax0.0")
    }

    // /dev/null is a real character device (1:3): with the real sysfs it is refused;
    // with a fake sysfs that calls 1:3 device-DAX, the whole open path runs.

    @Test func realNullDeviceIsRefused() throws {
        let error = try #require(throws: DaxError.self) { _ = try MemoryTarget.openDevice("/dev/null") }
        #expect(error.code == .notDAXDevice)
        #expect(error.description.hasPrefix("/dev/null: "))
        #expect(error.description.contains("'mem'"))
    }

    @Test func regularFileIsRefusedAsDevice() throws {
        let directory = try TemporaryDirectory()
        try directory.write("plain", "x")
        let error = try #require(throws: DaxError.self) {
            _ = try MemoryTarget.openDevice(directory.path + "/plain")
        }
        #expect(error.code == .notDAXDevice)
        #expect(error.fix.rendered(by: FlagVocabulary()).contains("--file"))
    }

    @Test func missingDeviceNamesThePath() throws {
        let error = try #require(throws: DaxError.self) {
            _ = try MemoryTarget.openDevice("dax97.97")
        }
        #expect(error.code == .notFound)
        #expect(error.object.description == "/dev/dax97.97")
        #expect(error.underlyingError == .noSuchFileOrDirectory)
    }

    @Test func openDeviceUsesInjectedSysfs() throws {
        let fake = try FakeSysfs()
        try fake.addBusDevice(major: 1, minor: 3, region: 0, size: 64 << 20, deviceAlign: 2 << 20, regionAlign: 2 << 20)
        let target = try MemoryTarget.openDevice("/dev/null", sysfs: fake.sysfs)
        #expect(target.kind.isDeviceDAX)
        #expect(target.kind.name == "devdax")
        #expect(target.size == 64 << 20)
        #expect(target.alignment == .page2M)

        // Private mappings of device-DAX are refused before mmap is tried.
        let privateError = try #require(throws: DaxError.self) { _ = try target.map(sharing: .private) }
        #expect(privateError.code == .privateMappingRefused)
        #expect(privateError.rule.description.contains("MAP_PRIVATE"))
        #expect(privateError.fix.description.contains("shared"))

        // Range rules use the device alignment.
        let offsetError = try #require(throws: DaxError.self) { _ = try target.map(offset: 4096) }
        #expect(offsetError.code == .misalignedOffset)
        #expect(offsetError.rule.description.contains("device alignment"))

        // A shared mapping reaches mmap, which /dev/null rejects.
        let mapError = try #require(throws: DaxError.self) { _ = try target.map() }
        #expect(mapError.code == .mapFailed)
        #expect(mapError.underlyingError != nil)
    }
}
