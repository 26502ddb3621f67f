import DaxCore
@testable import DaxKit
import Testing

/// Waiting for device nodes through libudev, on this host's own nodes.
@Suite("device nodes")
struct DeviceNodesTests {
    @Test("a node that is there is ready at once; one that never comes times out with words naming it")
    func waits() throws {
        let watcher = try DeviceNodeWatcher(subsystem: "mem")
        let start = HostLock.now()
        try watcher.wait(for: "null", timeout: 5)
        #expect(HostLock.now() - start < 1)
        do {
            try watcher.wait(for: "daxkit-no-such-node", timeout: 0.3)
            Issue.record("waiting for a node that never comes returned")
        } catch let e as DaxError {
            #expect(e.code == .timedOut && e.description.hasPrefix("/dev/daxkit-no-such-node: not"), "\(e)")
        }
    }
}
