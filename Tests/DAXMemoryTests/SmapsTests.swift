import DAXMemory
import DaxCore
import Testing

@Suite("smaps and faults")
struct SmapsTests {
    static let fixture = """
        55d0c1a00000-55d0c1a21000 rw-p 00000000 00:00 0                          [heap]
        Size:                132 kB
        KernelPageSize:        4 kB
        MMUPageSize:           4 kB
        Rss:                   8 kB
        THPeligible:    0
        VmFlags: rd wr mr mw me ac sd
        7f2a40000000-7f2a80000000 rw-s 00000000 00:06 1234                       /dev/dax0.0
        Size:            1048576 kB
        KernelPageSize:     2048 kB
        MMUPageSize:        2048 kB
        Rss:              524288 kB
        Pss:              524288 kB
        FilePmdMapped:         0 kB
        Locked:                0 kB
        THPeligible:    0
        VmFlags: rd wr sh mr mw me ms dd sd
        7f2a80000000-7f2a80200000 rw-s 00200000 00:01 77                         /memfd:touch test (deleted)
        Size:               2048 kB
        KernelPageSize:        4 kB
        MMUPageSize:           4 kB
        Rss:                   0 kB
        VmFlags: rd wr sh mr mw me ms sd
        7ffc8e3a1000-7ffc8e3a3000 r-xp 00000000 00:00 0
        Size:                  8 kB
        KernelPageSize:        4 kB
        MMUPageSize:           4 kB
        """

    @Test func parsesFixture() throws {
        let entries = Smaps.parse(Self.fixture)
        #expect(entries.count == 4)
        let heap = entries[0]
        #expect(heap.pathname == "[heap]")
        #expect(heap.start == 0x55d0_c1a0_0000)
        #expect(heap.end == 0x55d0_c1a2_1000)
        #expect(heap.size == 132 * 1024)
        #expect(heap.fields["THPeligible"] == 0)
        #expect(!heap.isShared)
        #expect(heap.vmFlags.contains("ac"))

        let dax = try #require(Smaps.entry(containing: 0x7f2a_4123_4567, in: Self.fixture))
        #expect(dax.pathname == "/dev/dax0.0")
        #expect(dax.kernelPageSize == 2 << 20)
        #expect(dax.mmuPageSize == 2 << 20)
        #expect(dax.rss == 512 << 20)
        #expect(dax.size == 1 << 30)
        #expect(dax.permissions == "rw-s")
        #expect(dax.device == "00:06")
        #expect(dax.inode == 1234)
        #expect(dax.isShared)
        #expect(dax.vmFlags == ["rd", "wr", "sh", "mr", "mw", "me", "ms", "dd", "sd"])

        let memfd = try #require(Smaps.entry(containing: 0x7f2a_8000_0000, in: Self.fixture))
        #expect(memfd.pathname == "/memfd:touch test (deleted)")
        #expect(memfd.fileOffset == 0x200000)
        #expect(memfd.kernelPageSize == 4096)

        let stack = entries[3]
        #expect(stack.pathname == "")
        #expect(stack.permissions == "r-xp")

        // End addresses are exclusive; unmapped addresses have no entry.
        #expect(Smaps.entry(containing: 0x7f2a_8020_0000, in: Self.fixture) == nil)
        #expect(Smaps.entry(containing: 0x1000, in: Self.fixture) == nil)
    }

    @Test func ignoresGarbage() {
        #expect(Smaps.parse("").isEmpty)
        #expect(Smaps.parse("Size: 4 kB\nnonsense line\n").isEmpty)
    }

    @Test func liveAnonymousMappingHasFourKilobytePages() throws {
        let target = try MemoryTarget.anonymous(size: 2 << 20, alignment: .page2M)
        let mapping = try target.map()
        let entry = try mapping.smapsEntry()
        #expect(entry.kernelPageSize == 4096)
        #expect(entry.mmuPageSize == 4096)
        #expect(entry.contains(mapping.address))
        #expect(entry.start == mapping.address)
        #expect(entry.size == 2 << 20)
        #expect(entry.isShared)
    }

    @Test func liveMemfdMappingReportsRssAfterTouch() throws {
        let target = try MemoryTarget.memfd(name: "smaps rss", size: 1 << 20)
        let mapping = try target.map()
        #expect(try mapping.smapsEntry().rss == 0)
        #expect(try mapping.smapsEntry().pathname.hasPrefix("/memfd:smaps rss"))
        mapping.bytes.initializeMemory(as: UInt8.self, repeating: 1)
        #expect(try mapping.smapsEntry().rss == 1 << 20)
    }

    @Test func unreadableSmapsIsReported() throws {
        let error = try #require(throws: DaxError.self) {
            _ = try Smaps.entry(containing: 0x1000, path: "/nonexistent/smaps", object: "/dev/dax0.0")
        }
        #expect(error.code == .smapsUnavailable)
        #expect(error.underlyingError == .noSuchFileOrDirectory)
        let missing = try #require(throws: DaxError.self) {
            _ = try Smaps.entry(containing: 0x10, object: "nowhere")
        }
        #expect(missing.code == .smapsUnavailable)
    }

    @Test func threadFaultsCountTouchedPages() throws {
        let target = try MemoryTarget.memfd(name: "faults", size: 64 * 4096)
        let mapping = try target.map()
        let before = FaultCount.currentThread()
        for page in 0..<64 { mapping.bytes[page * 4096] = 1 }
        let during = FaultCount.currentThread() - before
        #expect(during.total >= (shmemMayUseHugePages() ? 1 : 64))
        let again = FaultCount.currentThread()
        for page in 0..<64 { mapping.bytes[page * 4096] = 2 }
        #expect((FaultCount.currentThread() - again).total == 0)
        #expect(FaultCount.process().total >= FaultCount.currentThread().total)
    }
}
