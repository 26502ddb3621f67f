import DaxCore
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// User and group lookups (`getpwnam_r(3)`, `getgrnam_r(3)`), which plans' owner and
/// group go through.
@Suite("user and group lookups")
struct AccountLookupTests {
    @Test("a buffer too small (ERANGE) is doubled until the entry fits")
    func growsOnERANGE() {
        var sizes: [Int] = []
        let found: UInt32? = Syscall.withGrowingBuffer(from: 16384) { _, size in
            sizes.append(size)
            return size < 100_000 ? (ERANGE, nil) : (0, 42)
        }
        #expect(found == 42)
        #expect(sizes == [16384, 32768, 65536, 131072])
    }

    @Test("past 1 MiB, or on another error, there is no answer")
    func givesUp() {
        var calls = 0
        let tooBig: UInt32? = Syscall.withGrowingBuffer(from: 4096) { _, _ in
            calls += 1
            return (ERANGE, nil)
        }
        #expect(tooBig == nil)
        #expect(calls == 9)  // 4 KiB, 8 KiB, ... 1 MiB
        let failed: UInt32? = Syscall.withGrowingBuffer(from: 4096) { _, _ in (EIO, 7) }
        #expect(failed == nil)
    }

    @Test("names and numbers of this host's accounts")
    func thisHost() {
        #expect(Syscall.uid("root") == 0)
        #expect(Syscall.gid("root") == 0)
        #expect(Syscall.uid("4242") == 4242)
        #expect(Syscall.gid("4242") == 4242)
        #expect(Syscall.uid("daxkit-no-such-user") == nil)
        #expect(Syscall.gid("daxkit-no-such-group") == nil)
    }
}
