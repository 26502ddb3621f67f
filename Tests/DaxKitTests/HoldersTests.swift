import DaxCore
@testable import DaxKit
import Foundation
import Testing

/// Finding what holds a device, on this host's own processes (the lab tests the same on
/// dax devices that QEMU and touch map).
@Suite("holders")
struct HoldersTests {
    @Test("the /dev paths of a maps text are the pathname column of lines starting /dev/, in order")
    func mapsPaths() {
        let maps = """
            55d0c0a00000-55d0c0a02000 r--p 00000000 08:01 1234                       /usr/bin/qemu-system-x86_64
            7f0000000000-7f0040000000 rw-s 00000000 00:06 171                        /dev/dax1.0
            7f0040000000-7f0040001000 rw-p 00000000 00:00 0 
            7f0050000000-7f0050001000 rw-s 00000000 00:01 9                          /dev/zero (deleted)
            7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]
            7f0060000000-7f0080000000 rw-s 00000000 00:06 171                        /dev/dax1.0
            7f0090000000-7f0090001000 r--p 00000000 08:01 99                         /usr/lib/dev/not-a-node
            """
        #expect(Holders.devicePaths(inMaps: Array(maps.utf8)) == ["/dev/dax1.0", "/dev/zero (deleted)", "/dev/dax1.0"])
        #expect(Holders.devicePaths(inMaps: []) == [])
        // A last line without a newline, and a path that is only "/dev/".
        #expect(Holders.devicePaths(inMaps: Array("0-1 r--p 0 0:0 0 /dev/".utf8)) == ["/dev/"])
    }

    @Test("a process holding a device open is found with its PID and name; one that does not is not")
    func openDescriptor() throws {
        // `sleep` with /dev/full as its standard input: open, not mapped.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sleep")
        p.arguments = ["30"]
        p.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: "/dev/full"))
        try p.run()
        defer { kill(p.processIdentifier, SIGKILL); p.waitUntilExit() }
        let pid = p.processIdentifier
        var mine: [DeviceHolder] = []
        // Until the child has exec'd sleep (its name and descriptor are then in /proc).
        for _ in 0..<200 {
            mine = Holders.find(blockDevices: [], daxDevices: ["full"]).filter { $0.pid == pid }
            if mine.first?.command == "sleep" { break }
            usleep(10_000)
        }
        #expect(mine == [DeviceHolder(kind: .open, device: "full", pid: pid, command: "sleep")])
        #expect(mine.first?.description == "/dev/full is open in PID \(pid) (sleep)")
        #expect(Holders.find(blockDevices: [], daxDevices: ["daxkit-no-such-node"]).isEmpty)
    }
}
