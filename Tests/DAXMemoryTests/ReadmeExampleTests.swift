import DAXMemory
import Testing

/// README's DAXMemory example, on an anonymous mapping (no device-DAX on build hosts;
/// TouchLab runs the same calls on real devices in the lab).
@Suite("README's DAXMemory example")
struct ReadmeExampleTests {
    @Test("map, touch, check, unmap")
    func touchExample() throws {
        let target = try MemoryTarget.anonymous(size: 8 << 20)
        let mapping = try target.map()
        let report = try mapping.touch(TouchOptions(mode: .write, threads: 2))
        #expect(report.kernelPageSize == 4096 && report.expectedFaults == (8 << 20) / 4096)
        try report.check(pageSize: .page4K)
        try mapping.unmap()
    }
}
