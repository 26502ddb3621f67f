import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// ndctl's habits and the public bug reports replayed (the bug-report issue): idle
/// namespaces, plan against create, the size grammar, size 0, argument mistakes before
/// region state, scripts written for ndctl, and bounded waits. Each kind's right values.
@Suite("ndctl habits and bug reports (lab)", .serialized)
struct HabitsLabTests {
    static func daxkit(_ args: [String]) throws -> Lab.Result { try Lab.run(Lab.daxkit, args) }
    static func regions() throws -> (labelled: String, legacy: String?) { try NamespaceLabTests.regions() }
    static func state() throws -> String { try NamespaceLabTests.state() }
    static func json(_ text: String) throws -> [String: Any] { try NamespaceLabTests.json(text) }

    /// Creates a namespace in `region` that must be made; its JSON and device name.
    static func create(_ region: String, _ args: [String]) throws -> (json: [String: Any], dev: String) {
        let r = try daxkit(["create-namespace", "-r", region] + args)
        try #require(r.status == 0, "\(args): \(r.stderr)")
        let j = try json(r.stdout)
        return (j, try #require(j["dev"] as? String))
    }

    /// Runs daxkit expecting a refusal (exit 1) whose one line contains every word given.
    static func expectRefused(_ args: [String], saying words: [String]) throws {
        let r = try daxkit(args)
        #expect(r.status == 1, "\(args): exit \(r.status)")
        for w in words { #expect(r.stderr.contains(w), "\(args): no '\(w)' in \(r.stderr)") }
    }

    /// The namespaces of a region as `ndctl list -Ni` shows them: dev -> (size, name).
    static func namespaces(_ region: String) throws -> [String: (UInt64, String?)] {
        let text = try Lab.must("ndctl", ["list", "-N", "-i", "-r", region])
        var out: [String: (UInt64, String?)] = [:]
        let parsed = try Lab.parse(text)
        let list = (parsed as? [[String: Any]]) ?? ((parsed as? [String: Any]).map { [$0] } ?? [])
        for o in list {
            if let dev = o["dev"] as? String {
                out[dev] = ((o["size"] as? NSNumber)?.uint64Value ?? 0, o["name"] as? String)
            }
        }
        return out
    }

    @Test("a destroyed namespace loses its name; an idle one is a no-op for destroy and disable and an error for enable and -e")
    func idleNamespaces() throws {
        try Lab.require()
        let (region, _) = try Self.regions()
        let (_, dev) = try Self.create(region, ["-m", "raw", "-s", "64M", "-n", "MyName00"])
        let d = try Self.daxkit(["destroy-namespace", "-f", dev])
        #expect(d.status == 0 && d.stderr == "destroyed 1 namespace\n", "\(d.stderr)")
        let after = try Self.namespaces(region)
        #expect(after.values.allSatisfy { $0.1 != "MyName00" }, "the destroyed namespace is still named: \(after)")

        // Every idle namespace of the region: destroying, disabling one is a no-op that
        // says so and counts 0; enabling or reconfiguring one is refused.
        let idle = try #require(after.first { $0.value.0 == 0 }?.key, "no idle namespace in \(after)")
        let before = try Self.state()
        for verb in ["destroy-namespace", "disable-namespace"] {
            let r = try Self.daxkit([verb, "-f", idle].filter { verb == "destroy-namespace" || $0 != "-f" })
            #expect(r.status == 0, "\(verb): \(r.stderr)")
            #expect(r.stderr.contains("\(idle): idle") && r.stderr.hasSuffix("\(verb.hasPrefix("destroy") ? "destroyed" : "disabled") 0 namespaces\n"),
                    "\(verb): \(r.stderr)")
        }
        let all = try Self.daxkit(["destroy-namespace", "-f", "all", "-r", region])
        #expect(all.status == 0 && all.stderr.hasSuffix("destroyed 0 namespaces\n"), "\(all.stderr)")
        for args in [["enable-namespace", idle], ["create-namespace", "-e", idle, "-m", "raw"]] {
            try Self.expectRefused(args, saying: ["daxkit: \(idle): idle", "daxkit create-namespace -r \(region)"])
        }
        #expect(try Self.state() == before, "an idle no-op changed kernel state")
    }

    static func ndctl(_ args: [String]) throws -> Lab.Result { try Lab.run("ndctl", args) }

    /// A device's `resource` attribute (hex, as sysfs prints it), as a number.
    static func resource(_ dev: String) -> UInt64? {
        Lab.sysfs("/sys/bus/nd/devices/\(dev)/resource").flatMap { UInt64($0.dropFirst(2), radix: 16) }
    }

    /// The first idle namespace of `region` (its seed).
    static func idleSeed(_ region: String) throws -> String {
        try #require(try namespaces(region).filter { $0.value.0 == 0 }.keys.sorted().first, "no idle namespace in \(region)")
    }

    @Test("ndctl's daxctl-devices.sh: destroy and -fe on an idle seed with a size configure it in every mode as ndctl does; no size, and -e all, are refused in words")
    func reconfigureIdleSeed() throws {
        try Lab.require()
        let (region, _) = try Self.regions()
        _ = try Self.daxkit(["destroy-namespace", "all", "-r", region, "-f"])
        for mode in [nil, "raw", "fsdax", "devdax", "sector"] {
            let extra = mode.map { ["-m", $0] } ?? []
            // The script's pair: destroy the seed (a no-op that succeeds), then -fe it.
            let seed = try Self.idleSeed(region)
            let gone = try Self.daxkit(["destroy-namespace", "-f", seed])
            #expect(gone.status == 0, "\(gone.stderr)")
            let ours = try Self.daxkit(["create-namespace", "-fe", seed, "-s", "32M"] + extra)
            try #require(ours.status == 0, "-m \(mode ?? "(none)"): \(ours.stderr)")
            let o = try Self.json(ours.stdout)
            #expect(o["dev"] as? String == seed)
            try Lab.must(Lab.daxkit, ["destroy-namespace", "-f", seed])
            let refSeed = try Self.idleSeed(region)
            let theirs = try Self.ndctl(["create-namespace", "-fe", refSeed, "-s", "32M"] + extra)
            try #require(theirs.status == 0, "ndctl -m \(mode ?? "(none)"): \(theirs.stderr)")
            let t = try Self.json(theirs.stdout)
            try Lab.must("ndctl", ["destroy-namespace", "-f", try #require(t["dev"] as? String)])
            for key in ["mode", "size", "sector_size", "align"] {
                #expect("\(o[key] ?? "-")" == "\(t[key] ?? "-")", "-m \(mode ?? "(none)"): \(key): daxkit \(o[key] ?? "-"), ndctl \(t[key] ?? "-")")
            }
        }
        // No size: reconfiguring keeps the size, 0. ndctl refuses too.
        let seed = try Self.idleSeed(region)
        let before = try Self.state()
        let noSize = try Self.daxkit(["create-namespace", "-fe", seed, "-m", "devdax"])
        #expect(noSize.status == 1 && noSize.stderr.contains("reconfiguring it keeps its size, 0") && noSize.stderr.contains("give --size"), "\(noSize.stderr)")
        #expect(try Self.ndctl(["create-namespace", "-fe", seed, "-m", "devdax"]).status != 0, "ndctl configured an idle seed without a size")
        #expect(try Self.state() == before)

        // -e all: ndctl reconfigures only the first namespace it finds; daxkit refuses.
        let a = try Self.create(region, ["-m", "raw", "-s", "32M"]).dev, b = try Self.create(region, ["-m", "raw", "-s", "32M"]).dev
        let two = try Self.state()
        let all = try Self.daxkit(["create-namespace", "-e", "all", "-r", region, "-m", "fsdax", "-f"])
        #expect(all.status == 1 && all.stderr.contains("reconfigures one namespace") && all.stderr.contains("of 2"), "\(all.stderr)")
        #expect(try Self.state() == two)
        let ref = try Self.ndctl(["create-namespace", "-e", "all", "-r", region, "-m", "fsdax", "-f"])
        #expect(ref.status == 0, "\(ref.stderr)")
        let listed = try Lab.parse(try Lab.must("ndctl", ["list", "-N", "-r", region]))
        let objects = (listed as? [[String: Any]]) ?? ((listed as? [String: Any]).map { [$0] } ?? [])
        let modes = [a, b].map { dev in objects.first { $0["dev"] as? String == dev }?["mode"] as? String ?? "gone" }
        #expect(modes.sorted() == ["fsdax", "raw"], "ndctl's -e all reconfigured \(modes)")
        _ = try Self.daxkit(["destroy-namespace", "all", "-r", region, "-f"])
    }

    @Test("ndctl's align.sh: after a misaligned namespace and the region's align set to 16M, the next namespace starts where the kernel puts it; dry run, create and ndctl agree")
    func regionAlignStart() throws {
        try Lab.require()
        let (region, _) = try Self.regions()
        _ = try Self.daxkit(["destroy-namespace", "all", "-r", region, "-f"])
        let alignPath = "/sys/bus/nd/devices/\(region)/align"
        let saved = try #require(Lab.sysfs(alignPath))
        defer {
            _ = try? Self.daxkit(["destroy-namespace", "all", "-r", region, "-f"])
            _ = try? Lab.run("/bin/sh", ["-c", "echo \(saved) > \(alignPath)"])
        }
        let base = try #require(Self.resource(region))
        try #require(base % (16 << 20) == 0, "\(region) starts at \(base), not 16M aligned")
        let odd = "\((64 << 20) + (8 << 10))"  // 64M + 8K, as align.sh's 1G + 8K
        try Lab.must("/bin/sh", ["-c", "echo 4096 > \(alignPath)"])
        _ = try Self.create(region, ["-s", odd, "-m", "fsdax", "-a", "4K"])
        // Right after it, at region align 4K: not 16M aligned, refused by both.
        let before = try Self.state()
        let misaligned = try Self.daxkit(["create-namespace", "-r", region, "-s", odd, "-m", "fsdax", "-a", "4K"])
        #expect(misaligned.status == 1 && misaligned.stderr.contains("namespace start 0x\(String(base + (64 << 20) + (8 << 10), radix: 16)) is not 16M aligned")
                && misaligned.stderr.contains("set the region's align to 16M"), "\(misaligned.stderr)")
        #expect(try Self.state() == before)
        let refused = try Self.ndctl(["create-namespace", "-r", region, "-s", odd, "-m", "fsdax", "-a", "4K"])
        #expect(refused.status != 0, "ndctl created it: \(refused.stdout)")
        _ = try Self.ndctl(["destroy-namespace", "all", "-r", region, "-f"]) // ndctl's rollback leaves nothing; be sure
        _ = try Self.create(region, ["-s", odd, "-m", "fsdax", "-a", "4K"])

        // The test's next step: the region's align to 16M. The kernel starts the next
        // namespace at base + 80M (64M + 8K rounded up to 16M).
        try Lab.must("/bin/sh", ["-c", "echo \(16 << 20) > \(alignPath)"])
        let want = base + (80 << 20)
        for a in ["2M", "4K"] {
            let plan = try Self.daxkit(["create-namespace", "-r", region, "-s", "64M", "-m", "fsdax", "-a", a, "--dry-run"])
            try #require(plan.status == 0, "\(a): \(plan.stderr)")
            #expect((try Self.json(plan.stdout)["start"] as? NSNumber)?.uint64Value == want, "dry run -a \(a): \(plan.stdout)")
            let made = try Self.create(region, ["-s", "64M", "-m", "fsdax", "-a", a])
            #expect(Self.resource(made.dev) == want, "create -a \(a)")
            try Lab.must(Lab.daxkit, ["destroy-namespace", "-f", made.dev])
            let ref = try Self.ndctl(["create-namespace", "-r", region, "-s", "64M", "-m", "fsdax", "-a", a])
            try #require(ref.status == 0, "ndctl -a \(a): \(ref.stderr)")
            let refDev = try #require(try Self.json(ref.stdout)["dev"] as? String)
            #expect(Self.resource(refDev) == want, "ndctl -a \(a)")
            try Lab.must("ndctl", ["destroy-namespace", "-f", refDev])
        }
    }

    @Test("dry run and create judge alike: every rule, both answers")
    func planAgreesWithCreate() throws {
        try Lab.require()
        let (region, _) = try Self.regions()
        let cases: [[String]] = [
            ["-m", "fsdax", "-s", "256M"], ["-m", "devdax", "-a", "1G", "-s", "1G"],
            ["-m", "devdax", "-a", "1G", "-M", "mem", "-s", "2G"], ["-m", "sector", "-s", "64M"],
            ["-m", "raw", "-s", "16M"], ["-m", "devdax", "-a", "2M", "-s", "100M"],
            ["-m", "fsdax", "-s", "8M"], ["-m", "devdax", "-M", "none", "-s", "64M"],
            ["-m", "devdax", "--usable-size", "512M"], ["-m", "fsdax", "-a", "1G", "-s", "1G"],
        ]
        for c in cases {
            let plan = try Self.daxkit(["create-namespace", "-r", region, "--dry-run"] + c)
            let creatable = plan.status == 0 && (try? Self.json(plan.stdout)["creatable"] as? Bool) == true
            let made = try Self.daxkit(["create-namespace", "-r", region] + c)
            #expect(creatable == (made.status == 0), "\(c): plan says \(creatable) (\(plan.stderr)), create exit \(made.status) (\(made.stderr))")
            if plan.status != 0 && plan.stdout.isEmpty {
                #expect(plan.stderr == made.stderr, "\(c): the plan and the create refuse in other words")
            }
            if made.status == 0, let dev = try Self.json(made.stdout)["dev"] as? String {
                let size = (try Self.json(made.stdout)["size"] as? NSNumber)?.uint64Value
                #expect(size == (try Self.json(plan.stdout)["usable_size"] as? NSNumber)?.uint64Value, "\(c): planned usable != created")
                try Lab.must(Lab.daxkit, ["destroy-namespace", "-f", dev])
            }
        }
    }

    @Test("sizes follow ndctl's grammar; 0 is refused; the arguments' mistakes come before the region's state")
    func sizes() throws {
        try Lab.require()
        let (region, _) = try Self.regions()
        let blank = try Self.create(region, ["-m", "raw", "-s", " 64M"])
        #expect((blank.json["size"] as? NSNumber)?.uint64Value == 64 << 20)
        try Lab.must(Lab.daxkit, ["destroy-namespace", "-f", blank.dev])

        let before = try Self.state()
        let refusals: [([String], String)] = [
            (["-s", "64M "], "daxkit: --size \"64M \": blanks after it; write 64M"),
            (["-s", "-64M"], "daxkit: --size \"-64M\": negative; a size counts bytes from zero up; drop the sign"),
            (["-s", "1.5G"], "daxkit: --size \"1.5G\": a fraction; write the integer in a smaller unit: 1536M"),
            (["-s", "0"], "daxkit: --size 0: zero bytes; an empty namespace cannot be created, and 0 does not mean \"all free space\" here; leave --size out to take the largest free extent"),
            (["-t", "blk", "-s", "64M"], "daxkit: --type blk: BLK namespaces (and the BLK-aperture regions that held them) were removed from Linux in 2022; use pmem, or leave --type out"),
        ]
        for (args, message) in refusals {
            let r = try Self.daxkit(["create-namespace", "-r", region] + args)
            #expect(r.status == 1 && r.stderr == message + "\n", "\(args): \(r.stderr)")
        }
        #expect(try Self.state() == before)

        // A full region: what is wrong with the arguments is said first.
        let fill = try Self.create(region, ["-m", "raw", "-t", "pmem"])
        let full = try Self.state()
        try Self.expectRefused(["create-namespace", "-r", region, "-m", "devdax", "-s", "100M", "-a", "2M"],
                               saying: ["--size 100M is not a multiple of 16M"])
        try Self.expectRefused(["create-namespace", "-r", region, "-m", "fsdax", "-s", "8M"], saying: ["below the 16 MiB minimum"])
        try Self.expectRefused(["create-namespace", "-r", region, "-m", "devdax", "-s", "64M"], saying: ["no free capacity"])
        #expect(try Self.state() == full)
        try Lab.must(Lab.daxkit, ["destroy-namespace", "-f", fill.dev])
    }

    @Test("disable-namespace disables an active, unused namespace without --force, as ndctl")
    func disableLikeNdctl() throws {
        try Lab.require()
        let (region, _) = try Self.regions()
        let (_, dev) = try Self.create(region, ["-m", "fsdax", "-s", "32M"])
        let dis = try Self.daxkit(["disable-namespace", dev])
        #expect(dis.status == 0 && dis.stderr == "disabled 1 namespace\n", "\(dis.stderr)")
        #expect(try Self.daxkit(["enable-namespace", dev]).status == 0)
        #expect(try Self.daxkit(["destroy-namespace", dev, "-f"]).status == 0)
    }

    @Test("`all` matching nothing counts 0 and exits 0, as ndctl; the count words are ndctl's")
    func allOnNothing() throws {
        try Lab.require()
        for args in [["enable-region", "all"], ["disable-region", "all"], ["init-labels", "all"], ["zero-labels", "all"],
                     ["destroy-namespace", "all", "-f"], ["disable-namespace", "all"], ["enable-namespace", "all"]] {
            let full = args + ["-b", "no-such-bus"]
            let ref = try Lab.run("ndctl", full)
            let ours = try Self.daxkit(full)
            #expect(ours.status == ref.status && ours.stderr == ref.stderr, "\(full): daxkit \(ours.status) \(ours.stderr) vs ndctl \(ref.status) \(ref.stderr)")
        }
    }

    @Test("disable-region of the memmap region holding a devdax namespace returns promptly, as ndctl's")
    func disableRegionReturns() throws {
        try Lab.require()
        let (_, legacy) = try Self.regions()
        let region = try #require(legacy, "no memmap region in this topology")
        let ns = "namespace\(region.dropFirst("region".count)).0"
        let listed = try Lab.parse(try Lab.must("ndctl", ["list", "-n", ns]))
        let mode = try #require(((listed as? [[String: Any]])?.first ?? (listed as? [String: Any]))?["mode"] as? String)
        let made = try Self.daxkit(["create-namespace", "-e", ns, "-m", "devdax", "-a", "2M", "-f"])
        try #require(made.status == 0, "\(made.stderr)")
        let start = Date()
        let off = try Self.daxkit(["disable-region", "-b", "e820", "all"])
        let took = Date().timeIntervalSince(start)
        #expect(off.status == 0 && off.stderr == "disabled 1 region\n", "\(off.stderr)")
        #expect(took < 60, "disable-region took \(took) s")
        #expect(Lab.sysfs("/sys/bus/nd/devices/\(region)/driver") == nil || !FileManager.default.fileExists(atPath: "/sys/bus/nd/devices/\(region)/driver"))
        #expect(try Self.daxkit(["enable-region", "-b", "e820", "all"]).status == 0)
        let back = try Self.daxkit(["create-namespace", "-e", ns, "-m", mode, "-f"])
        #expect(back.status == 0, "\(back.stderr)")
    }

    @Test("the host lock is waited for with a bound, naming who holds it")
    func boundedLockWait() throws {
        try Lab.require()
        let lock = "/tmp/daxkit-test.lock"
        // Another process holds the lock for a while.
        let holder = try Lab.spawn("/usr/bin/flock", [lock, "sleep", "30"], stdout: "/dev/null")
        defer { kill(holder, SIGKILL); var st: Int32 = 0; waitpid(holder, &st, 0) }
        usleep(300_000)
        setenv("DAXKIT_LOCK", lock, 1)
        setenv("DAXKIT_LOCK_TIMEOUT", "2", 1)
        defer { unsetenv("DAXKIT_LOCK"); unsetenv("DAXKIT_LOCK_TIMEOUT") }
        let start = Date()
        let r = try Self.daxkit(["disable-region", "all", "-b", "e820"])
        let waited = Date().timeIntervalSince(start)
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.contains("held by PID"), "\(r.stderr)")
        #expect(waited < 20, "waited \(waited) s for a 2 s bound")
    }
}
