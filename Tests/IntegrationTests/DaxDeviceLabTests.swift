import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Dynamic dax and system-ram against the real device-dax, dax_hmem and kmem drivers,
/// on the default lab's soft-reserved region (256 MiB at 0x60000000, dax region 0): carve,
/// destroy, multi-range allocation, exact replay, layouts, system-ram round trips, every
/// preflight refusal with the kernel state unchanged, and JSON equal to daxctl's.
@Suite("dax devices and system-ram (lab)", .serialized)
struct DaxDeviceLabTests {
    static let M: UInt64 = 1 << 20
    static func daxkit(_ args: [String]) throws -> Lab.Result { try Lab.run(Lab.daxkit, ["dax"] + args) }

    /// The dax region of soft-reserved memory (dax_hmem): its id and physical start.
    static func hmem() throws -> (id: String, start: UInt64) {
        let regions = try #require(try Lab.parse(try Lab.must("daxctl", ["list", "-R", "-i"])) as? [[String: Any]])
        let r = try #require(regions.first { ($0["path"] as? String)?.contains("hmem") == true }, "no hmem dax region: \(regions)")
        let id = "\(try #require(r["id"] as? Int))"
        let iomem = try String(contentsOfFile: "/proc/iomem", encoding: .utf8)
        let line = try #require(iomem.split(separator: "\n").first { $0.hasSuffix(": hmem.\(id)") || $0.hasSuffix(": hmem.0") })
        let start = try #require(UInt64(line.split(separator: "-")[0].trimmingCharacters(in: .whitespaces), radix: 16))
        return (id, start)
    }

    /// Every device of the region with its ranges, as daxctl lists them (the state to compare).
    static func state() throws -> String { try Lab.must("daxctl", ["list", "-RDMi"]) + (try Lab.must("cat", ["/proc/meminfo"])).split(separator: "\n").prefix(1).joined() }

    /// Devices of the region: name -> ranges (start, end) sorted by page offset.
    static func devices() throws -> [String: [[UInt64]]] {
        let parsed = try Lab.parse(try Lab.must("daxctl", ["list", "-DM"]))
        let list = (parsed as? [[String: Any]]) ?? []
        var out: [String: [[UInt64]]] = [:]
        for d in list {
            let maps = (d["mappings"] as? [[String: Any]] ?? []).sorted {
                (($0["page_offset"] as? NSNumber)?.uint64Value ?? 0) < (($1["page_offset"] as? NSNumber)?.uint64Value ?? 0)
            }
            out[d["chardev"] as? String ?? "?"] = maps.map { [($0["start"] as? NSNumber)?.uint64Value ?? 0, ($0["end"] as? NSNumber)?.uint64Value ?? 0] }
        }
        return out
    }

    /// Empties the region: every device destroyed, daxN.0 kept at 0 bytes.
    static func reset(_ id: String) throws {
        _ = try daxkit(["destroy-device", "all", "-r", id, "-f"])
        let left = try devices()
        try #require(left.isEmpty, "devices left: \(left)")
    }

    /// Puts the boot state back: daxN.0 holding the whole region, enabled.
    static func restoreBootState(_ id: String) throws {
        try reset(id)
        _ = try daxkit(["reconfigure-device", "dax\(id).0", "-s", "256M"])
        _ = try daxkit(["enable-device", "dax\(id).0"])
    }

    static func create(_ id: String, _ size: String) throws -> String {
        let r = try daxkit(["create-device", "-r", id, "-s", size])
        try #require(r.status == 0, "create-device -s \(size): \(r.stderr)")
        let list = try #require(try Lab.parse(r.stdout) as? [[String: Any]], "\(r.stdout)")
        return try #require(list.first?["chardev"] as? String)
    }

    static func memTotal() throws -> UInt64 {
        let line = try #require(try String(contentsOfFile: "/proc/meminfo", encoding: .utf8).split(separator: "\n").first { $0.hasPrefix("MemTotal:") })
        return try #require(UInt64(line.split(separator: " ")[1])) * 1024
    }

    @Test("carve, destroy, a multi-range device on a fragmented region, exact replay with --input and a layout")
    func carveAndReplay() throws {
        try Lab.require()
        let (id, s) = try Self.hmem()
        defer { try? Self.restoreBootState(id) }
        _ = try Self.daxkit(["disable-device", "dax\(id).0"])
        try Self.reset(id)
        let a = try Self.create(id, "64M"), b = try Self.create(id, "32M"), c = try Self.create(id, "64M")
        var devs = try Self.devices()
        #expect(devs[a] == [[s, s + 64 * Self.M - 1]] && devs[b] == [[s + 64 * Self.M, s + 96 * Self.M - 1]]
                && devs[c] == [[s + 96 * Self.M, s + 160 * Self.M - 1]], "\(devs)")
        let busy = try Self.daxkit(["destroy-device", b])
        #expect(busy.status == 1 && busy.stderr == "daxkit: \(b): active; pass --force to destroy it (its data will be lost)\n", "\(busy.stderr)")
        let gone = try Self.daxkit(["destroy-device", b, "-f"])
        #expect(gone.status == 0 && gone.stderr == "destroyed 1 device\n", "\(gone.stderr)")
        // Larger than B's hole: the kernel fills the hole first, then the tail.
        let d = try Self.create(id, "96M")
        devs = try Self.devices()
        #expect(devs[d] == [[s + 64 * Self.M, s + 96 * Self.M - 1], [s + 160 * Self.M, s + 224 * Self.M - 1]], "\(devs)")

        // --input replays D's exact ranges after it is gone.
        let saved = "/tmp/dax-\(getpid()).json"
        try Lab.must("/bin/sh", ["-c", "daxctl list -M -d \(d) > \(saved)"])
        try Lab.must(Lab.daxkit, ["dax", "destroy-device", d, "-f"])
        let again = try Self.daxkit(["create-device", "--input", saved])
        #expect(again.status == 0, "\(again.stderr)")
        let d2 = try #require((try Lab.parse(again.stdout) as? [[String: Any]])?.first?["chardev"] as? String)
        #expect(try Self.devices()[d2] == devs[d], "replayed ranges differ")

        // A layout: everything destroyed, then restored on the same ranges.
        let layout = "/tmp/layout-\(getpid()).json"
        let before = Set(try Self.devices().values.map { $0.map { "\($0)" }.joined() })
        #expect(try Self.daxkit(["save-layout", layout]).status == 0)
        try Self.reset(id)
        let r = try Self.daxkit(["restore-layout", layout])
        #expect(r.status == 0 && r.stderr.hasSuffix("restored 3 devices\n"), "\(r.stderr)")
        #expect(Set(try Self.devices().values.map { $0.map { "\($0)" }.joined() }) == before)
        // Again: every device already holds its ranges, so nothing is created.
        let twice = try Self.daxkit(["restore-layout", layout])
        #expect(twice.status == 0 && twice.stderr.contains("kept"), "\(twice.stderr)")
        #expect(Set(try Self.devices().values.map { $0.map { "\($0)" }.joined() }) == before)
    }

    @Test("restore-layout in the boot state: dax0.0 emptied with a note; refused while mapped (PID) or in system-ram; a crash at any point converges")
    func restoreFromBootState() throws {
        try Lab.require()
        let (id, s) = try Self.hmem()
        defer { try? Self.restoreBootState(id) }
        _ = try Self.daxkit(["disable-device", "dax\(id).0"])
        try Self.reset(id)
        // Issue 26's layout: three devices, one over two ranges.
        let a = try Self.create(id, "64M"), b = try Self.create(id, "32M")
        _ = try Self.create(id, "64M")
        try Lab.must(Lab.daxkit, ["dax", "destroy-device", b, "-f"])
        let d = try Self.create(id, "96M")
        let carved = try Self.devices()
        #expect(carved[d]?.count == 2 && carved[a] == [[s, s + 64 * Self.M - 1]], "\(carved)")
        let ranges = Set(carved.values)
        let layout = "/tmp/layout-boot-\(getpid()).json"
        defer { unlink(layout) }
        try #require(try Self.daxkit(["save-layout", layout]).status == 0)

        // dax0.0 over the whole region, as a boot leaves it, but mapped by a process.
        try Self.restoreBootState(id)
        let boot = try Self.state()
        let pid = try Lab.mapHolder("/dev/dax\(id).0", bytes: 2 << 20)
        let mapped = try Self.daxkit(["restore-layout", layout])
        Lab.stopHolder(pid)
        #expect(mapped.status == 1 && mapped.stderr == "daxkit: dax\(id).0: holds its whole region as at boot, and /dev/dax\(id).0 is mapped by PID \(pid) (python3); a device in use is never emptied, not even to restore a layout; stop PID \(pid) first, then restore again\n", "\(mapped.stderr)")
        #expect(try Self.state() == boot)

        // dax0.0 over the whole region in system-ram mode, its memory online.
        try Lab.must(Lab.daxkit, ["dax", "reconfigure-device", "dax\(id).0", "-m", "system-ram"])
        let ram = try Self.state()
        let online = try Self.daxkit(["restore-layout", layout])
        #expect(online.status == 1 && online.stderr.hasPrefix("daxkit: range 0x\(String(s, radix: 16))-0x\(String(s + 64 * Self.M - 1, radix: 16)) of \(a): held by dax\(id).0, and dax\(id).0 is online as system RAM (kmem driver bound); "), "\(online.stderr)")
        #expect(try Self.state() == ram)
        try Lab.must(Lab.daxkit, ["dax", "reconfigure-device", "dax\(id).0", "-m", "devdax", "-f"])
        _ = try Self.daxkit(["enable-device", "dax\(id).0"])
        #expect(try Self.state() == boot)

        // The boot state: no manual step, the same ranges, and a note saying what happened.
        let r = try Self.daxkit(["restore-layout", layout])
        #expect(r.status == 0 && r.stderr.hasPrefix("dax\(id).0: emptied (boot state), its range belongs to the layout\n")
                && r.stderr.hasSuffix("restored 3 devices\n"), "\(r.stderr)")
        #expect(Set(try Self.devices().values) == ranges)

        // Killed after each kernel change in turn: the next restore finishes the job.
        var crashes = 0
        for n in 1...12 {
            try Self.restoreBootState(id)
            let crashed = try Lab.run("/usr/bin/env", ["DAXKIT_FAULT_AFTER=\(n)", Lab.daxkit, "dax", "restore-layout", layout])
            if crashed.status == 0 { break }
            #expect(crashed.status == 137, "\(n): \(crashed.stderr)")
            crashes += 1
            let again = try Self.daxkit(["restore-layout", layout])
            #expect(again.status == 0, "after a crash at point \(n) (\(crashed.stderr)): \(again.stderr)")
            #expect(Set(try Self.devices().values) == ranges, "after a crash at point \(n) (\(crashed.stderr))")
            let bound = try FileManager.default.contentsOfDirectory(atPath: "/sys/bus/dax/drivers/device_dax").filter { $0.hasPrefix("dax") }
            #expect(bound.count == 3, "after a crash at point \(n), bound to device_dax: \(bound)")
        }
        // emptied, three made, and the second range of the two-range device.
        #expect(crashes == 5, "\(crashes) crash points reached")
    }

    @Test("devdax -> system-ram -> devdax: MemTotal up by the device and back; create and reconfigure JSON as daxctl's")
    func systemRAMRoundTrip() throws {
        try Lab.require()
        let (id, _) = try Self.hmem()
        defer { try? Self.restoreBootState(id) }
        _ = try Self.daxkit(["disable-device", "dax\(id).0"])
        try Self.reset(id)
        // The reference: daxctl creates a 128M device at the region start and moves it.
        let refCreate = try Lab.run("daxctl", ["create-device", "-r", id, "-s", "128M"])
        try #require(refCreate.status == 0, "\(refCreate.stderr)")
        let refDev = try #require((try Lab.parse(refCreate.stdout) as? [[String: Any]])?.first?["chardev"] as? String)
        let ref = try Lab.run("daxctl", ["reconfigure-device", refDev, "-m", "system-ram"])
        try #require(ref.status == 0, "\(ref.stderr)")
        try Lab.must("daxctl", ["reconfigure-device", refDev, "-m", "devdax", "-f"])
        try Self.reset(id)

        let made = try Self.daxkit(["create-device", "-r", id, "-s", "128M"])
        try #require(made.status == 0, "\(made.stderr)")
        let dev = try #require((try Lab.parse(made.stdout) as? [[String: Any]])?.first?["chardev"] as? String)
        #expect(made.stdout.replacingOccurrences(of: dev, with: "D") == refCreate.stdout.replacingOccurrences(of: refDev, with: "D"),
                "create-device JSON: daxkit\n\(made.stdout)\ndaxctl\n\(refCreate.stdout)")
        let total = try Self.memTotal()
        let up = try Self.daxkit(["reconfigure-device", dev, "-m", "system-ram"])
        #expect(up.status == 0, "\(up.stderr)")
        #expect(up.stdout.replacingOccurrences(of: dev, with: "D") == ref.stdout.replacingOccurrences(of: refDev, with: "D"),
                "daxkit:\n\(up.stdout)\ndaxctl:\n\(ref.stdout)")
        #expect(up.stderr.contains("128 MiB (1 memory block of 128 MiB) becomes system RAM on node 0, zone Movable"), "\(up.stderr)")
        #expect(try Self.memTotal() == total + 128 * Self.M)

        // Online memory is not taken back without --force; then it is, and MemTotal falls.
        let held = try Self.state()
        let refused = try Self.daxkit(["reconfigure-device", dev, "-m", "devdax"])
        #expect(refused.status == 1 && refused.stderr.contains("is online as system RAM (memory"), "\(refused.stderr)")
        #expect(try Self.state() == held)
        let off = try Self.daxkit(["offline-memory", dev])
        #expect(off.status == 0 && off.stderr == "offlined memory for 1 device\n", "\(off.stderr)")
        let offAgain = try Self.daxkit(["offline-memory", dev])
        #expect(offAgain.status == 0 && offAgain.stderr.contains("already offline"), "\(offAgain.stderr)")
        #expect(try Self.daxkit(["online-memory", dev]).status == 0)
        let down = try Self.daxkit(["reconfigure-device", dev, "-m", "devdax", "-f"])
        #expect(down.status == 0, "\(down.stderr)")
        #expect(try Self.memTotal() == total)
        #expect(try Lab.parse(down.stdout).flatMap { ($0 as? [[String: Any]])?.first?["mode"] as? String } == "devdax")
    }

    @Test("every preflight refusal: its words, exit 1, the kernel state unchanged")
    func preflight() throws {
        try Lab.require()
        let (id, s) = try Self.hmem()
        defer { try? Self.restoreBootState(id) }
        _ = try Self.daxkit(["disable-device", "dax\(id).0"])
        try Self.reset(id)
        let small = try Self.create(id, "64M")          // at the region start: no whole 128M block
        let offset = try Self.create(id, "128M")        // at +64M: the issue's example
        let before = try Self.state()
        let cases: [([String], [String])] = [
            (["reconfigure-device", small, "-m", "system-ram"],
             ["daxkit: \(small): none of its 64 MiB at 0x\(String(s, radix: 16))-", "covers a whole 128 MiB memory block"]),
            (["reconfigure-device", offset, "-m", "system-ram"],
             ["daxkit: \(offset): none of its 128 MiB", "(the kernel refuses it, EINVAL)", "multiple of 128M"]),
            (["create-device", "-r", id, "-s", "1G"], ["does not fit", "64 MiB available, largest free range 64 MiB", "use --size 64M or less"]),
            (["create-device", "-r", id, "-s", "32M", "-a", "8M"], ["--align 8M: not an alignment dax region \(id) supports; supported: 2M, 1G"]),
            (["create-device", "-r", id, "-s", "3M"], ["--size 3M: not a multiple of the alignment 2M; use --size 4M or 2M"]),
            (["create-device", "-r", id, "-s", "0"], ["--size 0: zero bytes"]),
            (["enable-device", "dax\(id).0"], ["dax\(id).0: 0 bytes"]),
            (["online-memory", small], ["in devdax mode"]),
            (["destroy-device", "dax\(id).9"], ["dax device dax\(id).9: not found"]),
        ]
        for (args, words) in cases {
            let r = try Self.daxkit(args)
            #expect(r.status == 1, "\(args): exit \(r.status): \(r.stderr)")
            #expect(!r.stderr.trimmingCharacters(in: .newlines).contains("\n"), "\(args): not one line: \(r.stderr)")
            for w in words { #expect(r.stderr.contains(w), "\(args): no '\(w)' in \(r.stderr)") }
            #expect(try Self.state() == before, "\(args) changed the kernel state")
        }

        // The kernel's auto-online policy would online the memory where -N asks otherwise.
        let policy = "/sys/devices/system/memory/auto_online_blocks"
        let old = Lab.sysfs(policy) ?? "offline"
        try Lab.must("/bin/sh", ["-c", "echo online > \(policy)"])
        defer { _ = try? Lab.run("/bin/sh", ["-c", "echo \(old) > \(policy)"]) }
        let grow = try Self.daxkit(["create-device", "-r", id, "-s", "64M"])   // fill: nothing else changes below
        #expect(grow.status == 0)
        let state2 = try Self.state()
        let auto = try Self.daxkit(["reconfigure-device", offset, "-m", "system-ram", "-N"])
        #expect(auto.status == 1 && auto.stderr.contains("auto_online_blocks=online") && auto.stderr.contains("kernel policy will auto-online memory, aborting"), "\(auto.stderr)")
        #expect(try Self.state() == state2)
    }

    @Test("a device a process maps is never destroyed, disabled or reconfigured, even with --force")
    func mappedDevice() throws {
        try Lab.require()
        let (id, _) = try Self.hmem()
        defer { try? Self.restoreBootState(id) }
        _ = try Self.daxkit(["disable-device", "dax\(id).0"])
        try Self.reset(id)
        let dev = try Self.create(id, "128M")
        let pid = try Lab.mapHolder("/dev/\(dev)", bytes: 2 << 20)
        defer { Lab.stopHolder(pid) }
        let before = try Self.state()
        for args in [["destroy-device", dev, "-f"], ["disable-device", dev], ["reconfigure-device", dev, "-m", "system-ram", "-f"]] {
            let r = try Self.daxkit(args)
            #expect(r.status == 1 && r.stderr.contains("/dev/\(dev) is mapped by PID \(pid) (python3)"), "\(args): \(r.stderr)")
        }
        #expect(try Self.state() == before)
    }

    @Test("create-device on a static (pmem) region points to create-namespace")
    func staticRegion() throws {
        try Lab.require()
        let (labelled, _) = try NamespaceLabTests.regions()
        let c = try Lab.run(Lab.daxkit, ["create-namespace", "-r", labelled, "-m", "devdax", "-s", "64M"])
        try #require(c.status == 0, "\(c.stderr)")
        let ns = try #require(try NamespaceLabTests.json(c.stdout)["dev"] as? String)
        defer { _ = try? Lab.run(Lab.daxkit, ["destroy-namespace", ns, "-f"]) }
        let chardev = try #require(((try NamespaceLabTests.json(c.stdout)["daxregion"] as? [String: Any])?["devices"] as? [[String: Any]])?.first?["chardev"] as? String)
        let rid = String(chardev.dropFirst(3).prefix { $0 != "." })
        let r = try Self.daxkit(["create-device", "-r", rid, "-s", "16M"])
        #expect(r.status == 1 && r.stderr.contains("static") && r.stderr.contains("daxkit create-namespace -m devdax"), "\(r.stderr)")
    }
}
