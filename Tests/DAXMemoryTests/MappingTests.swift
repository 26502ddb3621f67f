import DAXMemory
import DaxCore
import Foundation
import Testing

@Suite("Mapping")
struct MappingTests {
    @Test func memfdMappingIsPageAlignedAndUsable() throws {
        let target = try MemoryTarget.memfd(name: "map-basic", size: 4 << 20)
        #expect(target.kind == .memfd)
        #expect(target.path == "memfd:map-basic")
        let mapping = try target.map()
        #expect(mapping.length == 4 << 20)
        #expect(mapping.offset == 0)
        #expect(mapping.address % 4096 == 0)
        let aligned = mapping.isAddressAligned
        let writable = mapping.isWritable
        #expect(aligned)
        #expect(writable)
        mapping.bytes[4096] = 0xAB
        #expect(mapping.bytes[4096] == 0xAB)
        try mapping.unmap()
    }

    @Test("2M alignment requested on a memfd yields 2M-aligned addresses", arguments: 0..<4)
    func memfdTwoMegabyteAlignment(round: Int) throws {
        let target = try MemoryTarget.memfd(name: "map-2m-\(round)", size: 8 << 20, alignment: .page2M)
        let first = try target.map()
        let second = try target.map(offset: 2 << 20, length: 4 << 20)
        #expect(first.address % UInt(2 << 20) == 0)
        #expect(second.address % UInt(2 << 20) == 0)
        #expect(first.alignment == .page2M)
        #expect(second.length == 4 << 20)
        // The two mappings share the memfd: a byte at file offset 2M is seen by both.
        first.bytes[2 << 20] = 0x42
        #expect(second.bytes[0] == 0x42)
    }

    @Test func oneGigabyteAlignmentOnAnonymousMemory() throws {
        // Only address space is used: nothing is touched.
        let target = try MemoryTarget.anonymous(size: 1 << 30, alignment: .page1G)
        let mapping = try target.map()
        #expect(mapping.address % UInt(1 << 30) == 0)
        #expect(mapping.length == 1 << 30)
    }

    @Test func anonymousMappingsAreFreshMemory() throws {
        let target = try MemoryTarget.anonymous(size: 1 << 20)
        #expect(target.kind.name == "anonymous")
        let a = try target.map()
        let b = try target.map()
        a.bytes[0] = 7
        #expect(b.bytes[0] == 0)
        #expect(a.address != b.address)
    }

    @Test func tmpfsFileIsCreatedExtendedAndShared() throws {
        let path = tmpfsPath("file")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let target = try MemoryTarget.openFile(path, createSize: 1 << 20)
        #expect(target.kind == .regularFile)
        #expect(target.size == 1 << 20)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.size] as? NSNumber)?.intValue == 1 << 20)
        let mapping = try target.map(offset: 8192, length: 8192)
        mapping.bytes[5] = 0x99
        try mapping.unmap()
        try target.close()

        // Data written through the shared mapping is in the file.
        let data = try #require(FileManager.default.contents(atPath: path))
        #expect(data[8192 + 5] == 0x99)

        // Reopening with the same size keeps it; a larger one extends it.
        let same = try MemoryTarget.openFile(path, createSize: 1 << 20)
        #expect(same.size == 1 << 20)
        try same.close()
        let larger = try MemoryTarget.openFile(path, createSize: 2 << 20)
        #expect(larger.size == 2 << 20)
        try larger.close()

        // A smaller create size is refused, not silently mapped whole: the file stays.
        let error = try #require(throws: DaxError.self) { _ = try MemoryTarget.openFile(path, createSize: 4096) }
        #expect(error.code == .invalidSize)
        #expect(error.rendered(by: FlagVocabulary()).contains("is already 2 MiB, larger than --create-size 4 KiB"), "\(error)")
        let attributesAfter = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributesAfter[.size] as? NSNumber)?.intValue == 2 << 20)
    }

    @Test func readOnlyAccessRefusesWritableMappings() throws {
        let path = tmpfsPath("ro")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(count: 16384).write(to: URL(fileURLWithPath: path))
        let target = try MemoryTarget.openFile(path, access: .readOnly)
        let error = try #require(throws: DaxError.self) { _ = try target.map(writable: true) }
        #expect(error.code == .readOnly)
        let mapping = try target.map()
        let writable = mapping.isWritable
        #expect(!writable)
        let touchError = try #require(throws: DaxError.self) {
            _ = try mapping.touch(TouchOptions(mode: .write, threads: 1))
        }
        #expect(touchError.code == .readOnly)
        let report = try mapping.touch(TouchOptions(mode: .read, threads: 1))
        #expect(report.size == 16384)
    }

    @Test func missingFileAndDirectoryAreRefused() throws {
        let missing = try #require(throws: DaxError.self) {
            _ = try MemoryTarget.openFile("/nonexistent-daxmemory/file")
        }
        #expect(missing.code == .notFound)
        // The fix names the create size: the library's parameter, the CLI's flag.
        #expect(missing.fix.description == "create it by passing a size (createSize SIZE)")
        #expect(missing.fix.rendered(by: FlagVocabulary()).contains("--create-size SIZE"))
        let directory = try TemporaryDirectory()
        let notRegular = try #require(throws: DaxError.self) { _ = try MemoryTarget.openFile(directory.path) }
        #expect(notRegular.code == .notRegularFile)
    }

    @Test func unalignedFileSizeNeedsALength() throws {
        let path = tmpfsPath("odd")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(count: 5000).write(to: URL(fileURLWithPath: path))
        let target = try MemoryTarget.openFile(path)
        let error = try #require(throws: DaxError.self) { _ = try target.map() }
        #expect(error.code == .misalignedLength)
        #expect(error.rule.description.contains("pass a length"))
        #expect(error.fix.description == "use 4096 (4K) or 8192 (8K)")
        let offsetError = try #require(throws: DaxError.self) { _ = try target.map(offset: 100) }
        #expect(offsetError.fix.description == "use 0 or 4096 (4K)")
        let mapping = try target.map(length: 4096)
        #expect(mapping.length == 4096)
    }

    @Test func misalignedOffsetNamesValueAlignmentAndNeighbours() throws {
        let target = try MemoryTarget.memfd(name: "offset", size: 8 << 20, alignment: .page2M)
        let error = try #require(throws: DaxError.self) { _ = try target.map(offset: 3 << 20) }
        #expect(error.code == .misalignedOffset)
        #expect(error.object.description == "memfd:offset")
        #expect(error.problem.description.contains("3145728"))
        #expect(error.problem.description.contains("2M"))
        #expect(error.fix.description == "use 2097152 (2M) or 4194304 (4M)")
    }

    @Test func misalignedLengthNamesNeighbours() throws {
        let target = try MemoryTarget.memfd(name: "length", size: 8 << 20, alignment: .page2M)
        let error = try #require(throws: DaxError.self) { _ = try target.map(length: 5 << 20) }
        #expect(error.code == .misalignedLength)
        #expect(error.problem.description.contains("5242880"))
        #expect(error.fix.description == "use 4194304 (4M) or 6291456 (6M)")
        let small = try #require(throws: DaxError.self) { _ = try target.map(length: 4096) }
        #expect(small.fix.description == "use 2097152 (2M)")
        let zero = try #require(throws: DaxError.self) { _ = try target.map(length: 0) }
        #expect(zero.code == .misalignedLength)
    }

    @Test func outOfRangeIsRefused() throws {
        let target = try MemoryTarget.memfd(name: "range", size: 8 << 20, alignment: .page2M)
        let pastEnd = try #require(throws: DaxError.self) { _ = try target.map(offset: 8 << 20) }
        #expect(pastEnd.code == .rangeOutOfBounds)
        let tooLong = try #require(throws: DaxError.self) {
            _ = try target.map(offset: 4 << 20, length: 6 << 20)
        }
        #expect(tooLong.code == .rangeOutOfBounds)
        #expect(tooLong.fix.description.contains("4194304"))
        let negative = try #require(throws: DaxError.self) { _ = try target.map(offset: -(2 << 20)) }
        #expect(negative.code == .misalignedOffset)
    }

    @Test func privateMappingRules() throws {
        let info = DAXDeviceInfo(
            name: "dax0.0", major: 252, minor: 0, size: 1 << 30, alignment: .page2M, alignmentSource: .device,
            sysfsPath: "/sys/devices/x/dax0.0")
        let error = try #require(throws: DaxError.self) {
            _ = try MappingPlan(
                object: "/dev/dax0.0", kind: .deviceDAX(info), targetSize: 1 << 30, alignment: .page2M,
                sharing: .private)
        }
        #expect(error.code == .privateMappingRefused)
        #expect(error.description.hasPrefix("/dev/dax0.0: a private (MAP_PRIVATE) mapping was requested"))
        let shared = try MappingPlan(
            object: "/dev/dax0.0", kind: .deviceDAX(info), targetSize: 1 << 30, alignment: .page2M)
        #expect(shared.length == 1 << 30)
        #expect(shared.sharing == .shared)

        // Private mappings of a memfd are allowed and copy on write.
        let target = try MemoryTarget.memfd(name: "private", size: 1 << 20)
        let sharedMapping = try target.map()
        let privateMapping = try target.map(sharing: .private)
        #expect(privateMapping.sharing == .private)
        sharedMapping.bytes[0] = 1
        privateMapping.bytes[1] = 2
        #expect(sharedMapping.bytes[1] == 0)
    }

    @Test func errorDescriptionCarriesErrno() {
        let error = DaxError(
            .openFailed, object: "/dev/dax0.0", problem: "cannot open read-write", fix: "run as root",
            underlyingError: .permissionDenied)
        #expect(error.description == "/dev/dax0.0: cannot open read-write (Permission denied, errno 13); run as root")
    }
}
