import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Namespace lifecycle against the real libnvdimm drivers: create/destroy/reconfigure in
/// every mode, validation errors that leave the kernel untouched, rollback of kernel
/// refusals, in-use refusal, concurrency, and equality with ndctl's results.
@Suite("namespace lifecycle (lab)", .serialized)
struct NamespaceLabTests {
    /// The first labelled region and the first label-less (memmap) region.
    static func regions() throws -> (labelled: String, legacy: String?) {
        var labelled: String?
        var legacy: String?
        for dev in (try? FileManager.default.contentsOfDirectory(atPath: "/sys/bus/nd/devices"))?.sorted() ?? []
        where dev.hasPrefix("region") {
            let nstype = Lab.sysfs("/sys/bus/nd/devices/\(dev)/nstype")
            if nstype == "5" && labelled == nil { labelled = dev }
            if nstype == "4" && legacy == nil { legacy = dev }
        }
        return (try #require(labelled, "no labelled region in this lab"), legacy)
    }

    /// A snapshot of kernel state to compare before/after (list output with idle seeds).
    static func state() throws -> String {
        try Lab.must("ndctl", ["list", "-RNDi"]) + (try Lab.must("daxctl", ["list", "-RDi"]))
    }

    /// Configured state only: regions, active namespaces, dax devices. A namespace that
    /// was given a size and then rolled back leaves the kernel's next idle seed behind
    /// (the kernel never removes seed devices), which -i would show.
    static func configuredState() throws -> String {
        try Lab.must("ndctl", ["list", "-RND"]) + (try Lab.must("daxctl", ["list", "-RD"]))
    }

    static func daxkit(_ args: String...) throws -> Lab.Result { try Lab.run(Lab.daxkit, args) }
    static func daxkit(_ args: [String]) throws -> Lab.Result { try Lab.run(Lab.daxkit, args) }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try Lab.parse(text) as? [String: Any], "not a JSON object: \(text)")
    }

    /// Creates a namespace with daxkit, which must succeed: the JSON object it prints.
    static func create(_ args: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        let c = try daxkit(["create-namespace"] + args)
        try #require(c.status == 0, "\(c.stderr)", sourceLocation: sourceLocation)
        return try json(c.stdout)
    }

    /// The dax device (`daxX.Y`) of a devdax namespace, from its JSON object.
    static func chardev(_ o: [String: Any], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        try #require(((o["daxregion"] as? [String: Any])?["devices"] as? [[String: Any]])?.first?["chardev"] as? String, sourceLocation: sourceLocation)
    }

    @Test("create and destroy in every mode and map; result matches ndctl's for the same arguments")
    func everyModeMatchesNdctl() throws {
        try Lab.require()
        let (region, _) = try Self.regions()
        let cases: [[String]] = [
            ["-m", "fsdax", "-s", "64M"], ["-m", "fsdax", "-M", "mem", "-s", "64M"],
            ["-m", "fsdax", "-a", "4K", "-s", "32M"],
            ["-m", "devdax", "-a", "2M", "-s", "128M"], ["-m", "devdax", "-M", "mem", "-a", "4K", "-s", "64M"],
            ["-m", "sector", "-s", "64M"], ["-m", "sector", "-l", "512", "-s", "64M"],
            ["-m", "raw", "-s", "32M"],
        ]
        let keys = ["mode", "map", "size", "align", "sector_size"]
        let existing = try Lab.must("ndctl", ["list", "-N", "-r", region])
        for c in cases {
            let ours = try Self.daxkit(["create-namespace", "-r", region] + c + ["-n", "dk"])
            try #require(ours.status == 0, "daxkit create-namespace \(c) failed: \(ours.stderr)")
            let o = try Self.json(ours.stdout)
            let dev = try #require(o["dev"] as? String)
            #expect(o["name"] as? String == "dk")
            let d = try Self.daxkit("destroy-namespace", dev, "-f")
            try #require(d.status == 0, "destroy \(dev): \(d.stderr)")

            let ref = try Lab.run("ndctl", ["create-namespace", "-r", region] + c + ["-n", "nd"])
            try #require(ref.status == 0, "ndctl create-namespace \(c) failed: \(ref.stderr)")
            let r = try Self.json(ref.stdout)
            for k in keys {
                #expect("\(o[k] ?? "-")" == "\(r[k] ?? "-")", "\(c): \(k) daxkit \(o[k] ?? "-") vs ndctl \(r[k] ?? "-")")
            }
            try Lab.must("ndctl", ["destroy-namespace", try #require(r["dev"] as? String), "-f"])
        }
        // Nothing left behind: the region's namespaces are what they were.
        let after = try Lab.must("ndctl", ["list", "-N", "-r", region])
        #expect(after == existing, "namespaces left behind: \(after)")
    }

    @Test("each validation error: exact one-line message, exit 1, kernel state unchanged")
    func validationErrors() throws {
        try Lab.require()
        let (region, legacy) = try Self.regions()
        var cases: [([String], String)] = [
            (["-m", "devdax", "-a", "2M", "-s", "100M"],
             "daxkit: \(region): --size 100M is not a multiple of 16M (align 2M x 1 interleave way, region align 16M); use --size 112M (or 96M)"),
            (["-m", "devdax", "-a", "8M", "-s", "256M"],
             "daxkit: \(region): --align 8M is not supported for devdax (supported: 4K, 2M, 1G); pick one of them"),
            (["-m", "raw", "-M", "mem", "-s", "64M"],
             "daxkit: --map mem: only valid for fsdax and devdax namespaces, not raw; drop --map or use --mode fsdax or --mode devdax"),
            (["-m", "fsdax", "-M", "none", "-s", "64M"],
             "daxkit: --map none: no struct page is only valid in devdax mode, not fsdax; use --mode devdax or --map mem"),
            (["-m", "raw", "-a", "2M", "-s", "64M"],
             "daxkit: --align 2M: not valid for raw mode; drop --align or use --mode fsdax or --mode devdax"),
            (["-n", String(repeating: "x", count: 64), "-s", "64M"],
             "daxkit: --name: 64 bytes long; a namespace label holds at most 63; shorten it"),
            (["-m", "fsdax", "-a", "3M", "-s", "64M"],
             "daxkit: --align 3M: not a power of two of at least 4K; use 4K, 2M or 1G"),
            (["-s", "64X"],
             "daxkit: --size \"64X\": unknown unit 'X'; write bytes or a number with K, M, G or T (base 1024), e.g. 256M"),
        ]
        if let legacy {
            cases.append((["-r", legacy, "-s", "64M"],
                          "daxkit: \(legacy): label-less (memmap/e820 pmem or an NVDIMM without a label area): it holds one namespace of its full size and cannot be sub-divided; drop --size and reconfigure it with -e namespace\(legacy.dropFirst(6)).0, or use an NVDIMM with a label area (daxkit init-labels)"))
        }
        let before = try Self.state()
        for (args, message) in cases {
            let full = args.contains("-r") ? args : ["-r", region] + args
            let r = try Lab.run(Lab.daxkit, ["create-namespace"] + full)
            #expect(r.status == 1, "\(args): exit \(r.status)")
            #expect(r.stderr.trimmingCharacters(in: .newlines) == message, "\(args)")
            #expect(r.stdout.isEmpty)
            #expect(!r.stderr.trimmingCharacters(in: .newlines).contains("\n"), "not one line: \(r.stderr)")
        }
        // Not enough space: names the available space and the largest extent.
        let big = try Lab.run(Lab.daxkit, ["create-namespace", "-r", region, "-s", "64G"])
        #expect(big.status == 1)
        #expect(big.stderr.contains("exceeds the free capacity") && big.stderr.contains("largest extent"), "\(big.stderr)")
        #expect(try Self.state() == before, "a refused command changed kernel state")
    }

    @Test("--map none: the kernel refuses, the error says so and suggests --map mem, nothing is left behind")
    func mapNone() throws {
        try Lab.require()
        let (region, _) = try Self.regions()
        let before = try Self.configuredState()
        let r = try Lab.run(Lab.daxkit, ["create-namespace", "-r", region, "-m", "devdax", "-M", "none", "-s", "64M"])
        #expect(r.status == 1)
        let line = r.stderr.split(separator: "\n").last.map(String.init) ?? ""
        #expect(line.contains("struct-page-less") && line.contains("use --map mem"), "\(r.stderr)")
        let after = try Self.configuredState()
        let diff = zip(before.split(separator: "\n"), after.split(separator: "\n")).filter { $0 != $1 }
        #expect(after == before, "state changed after a refused --map none: \(diff)")
        #expect(!r.stderr.trimmingCharacters(in: .newlines).contains("\n"), "not one line: \(r.stderr)")
    }

    @Test("a dax device mapped by a live process is never destroyed, disabled or reconfigured, even with --force")
    func inUseRefusal() throws {
        try Lab.require()
        let (region, _) = try Self.regions()
        let o = try Self.create("-r", region, "-m", "devdax", "-a", "2M", "-s", "64M", "-n", "busy")
        let dev = try #require(o["dev"] as? String)
        let chardev = try Self.chardev(o)
        // A holder: python maps the whole device and sleeps (like a VM holding guest RAM).
        let pid = try Lab.mapHolder("/dev/\(chardev)", bytes: 64 << 20)
        let before = try Self.state()
        for args in [["destroy-namespace", dev, "-f"], ["disable-namespace", dev, "-f"],
                     ["create-namespace", "-e", dev, "-m", "fsdax", "-f"], ["disable-region", region]] {
            let r = try Lab.run(Lab.daxkit, args)
            #expect(r.status == 1, "\(args) was not refused")
            #expect(r.stderr.contains("is mapped by PID \(pid) (python3)"), "\(args): \(r.stderr)")
        }
        #expect(try Self.state() == before)
        Lab.stopHolder(pid)
        let d = try Self.daxkit("destroy-namespace", dev, "-f")
        #expect(d.status == 0, "\(d.stderr)")
    }

    @Test("active namespaces need --force to be destroyed (not to be disabled, as with ndctl)")
    func activeNeedsForce() throws {
        try Lab.require()
        let (region, _) = try Self.regions()
        let dev = try #require(try Self.create("-r", region, "-m", "fsdax", "-s", "32M")["dev"] as? String)
        let d = try Self.daxkit("destroy-namespace", dev)
        #expect(d.status == 1)
        #expect(d.stderr == "daxkit: \(dev): active; pass --force to destroy it (its data will be lost)\n")
        // disable-namespace needs no --force (as ndctl); -f is still accepted.
        #expect(try Self.daxkit("disable-namespace", dev, "-f").status == 0)
        #expect(try Self.daxkit("enable-namespace", dev).status == 0)
        #expect(try Self.daxkit("destroy-namespace", dev, "-f").status == 0)
    }

    @Test("two concurrent creates both succeed without overlap")
    func concurrentCreates() throws {
        try Lab.require()
        let (region, _) = try Self.regions()
        let script = "\(Lab.daxkit) create-namespace -r \(region) -m devdax -a 2M -s 64M -n c1 > /tmp/c1.json & p1=$!; \(Lab.daxkit) create-namespace -r \(region) -m devdax -a 2M -s 64M -n c2 > /tmp/c2.json & p2=$!; wait $p1; a=$?; wait $p2; b=$?; exit $((a + b))"
        let r = try Lab.run("/bin/bash", ["-c", script])
        #expect(r.status == 0, "\(r.stderr)")
        let a = try Self.json(String(contentsOfFile: "/tmp/c1.json", encoding: .utf8))
        let b = try Self.json(String(contentsOfFile: "/tmp/c2.json", encoding: .utf8))
        let da = try #require(a["dev"] as? String), db = try #require(b["dev"] as? String)
        #expect(da != db)
        let ra = try #require(UInt64(Lab.sysfs("/sys/bus/nd/devices/\(da)/resource")?.dropFirst(2) ?? "", radix: 16))
        let rb = try #require(UInt64(Lab.sysfs("/sys/bus/nd/devices/\(db)/resource")?.dropFirst(2) ?? "", radix: 16))
        let size: UInt64 = 64 << 20
        #expect(ra + size <= rb || rb + size <= ra, "ranges overlap: \(ra) \(rb)")
        #expect(try Self.daxkit("destroy-namespace", "all", "-r", region, "-f").status == 0)
    }

    /// The JSON objects create-namespace prints one after another (ndctl prints each
    /// namespace as it is created, pretty, each followed by a newline).
    static func objects(_ text: String) throws -> [[String: Any]] {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return [] }
        let array = "[" + trimmed.replacingOccurrences(of: "\n}\n{", with: "\n},\n{") + "]"
        return try #require(try Lab.parse(array) as? [[String: Any]], "not JSON objects: \(text)")
    }

    @Test("--continue: one namespace in every region with room, as ndctl creates; a failure stops it, says how many were made and leaves nothing behind")
    func greedyMatchesNdctl() throws {
        try Lab.require()
        let before = try Self.configuredState()
        let args = ["create-namespace", "-c", "-m", "devdax", "-a", "2M", "-s", "64M"]
        // (region, mode, size, align) of each created namespace, and the count line.
        func summary(_ r: Lab.Result) throws -> ([String], String) {
            let rows = try Self.objects(r.stdout).map { o -> String in
                let dev = o["dev"] as? String ?? "?"
                let region = dev.dropFirst("namespace".count).prefix { $0 != "." }
                return "region\(region) \(o["mode"] ?? "-") \(o["size"] ?? "-") \(o["align"] ?? "-")"
            }
            let count = r.stderr.split(separator: "\n").first { $0.hasPrefix("created ") }
            return (rows, count.map(String.init) ?? "(no count line in: \(r.stderr))")
        }
        func destroyAll(_ r: Lab.Result) throws {
            for o in try Self.objects(r.stdout) {
                try Lab.must("ndctl", ["destroy-namespace", try #require(o["dev"] as? String), "-f"])
            }
        }

        // ndctl counts a sized request on a label-less region (every topology here has
        // one: the memmap region) as an error that stops --continue, unless --force
        // skips it (and still fails the command). daxkit skips a label-less region it
        // was not pointed at, with or without --force (as it does without --continue),
        // so the reference is ndctl's -c -f: what ndctl creates when it goes on.
        let ref = try Lab.run("ndctl", args + ["-f"])
        let (refRows, refCount) = try summary(ref)
        try destroyAll(ref)
        try #require(try Self.configuredState() == before, "ndctl's namespaces not destroyed")

        let ours = try Self.daxkit(args)
        #expect(ours.status == 0, "\(ours.stderr)")
        let (rows, count) = try summary(ours)
        #expect(rows.sorted() == refRows.sorted(), "daxkit created \(rows), ndctl \(refRows)")
        #expect(count == refCount)
        #expect(!rows.isEmpty)
        try destroyAll(ours)
        #expect(try Self.configuredState() == before)

        // A kernel refusal (map none on a kernel without it) stops --continue: the error,
        // the count of what was made, exit 1, state unchanged. With --force it is skipped
        // in each region, and the run still fails, having created nothing.
        for extra in [[String](), ["-f"]] {
            let none = try Self.daxkit(["create-namespace", "-c", "-m", "devdax", "-M", "none", "-s", "64M"] + extra)
            #expect(none.status == 1, "\(extra): \(none.stdout)")
            #expect(none.stdout.isEmpty)
            #expect(none.stderr.hasPrefix("created 0 namespaces\ndaxkit: "), "\(extra): \(none.stderr)")
            #expect(none.stderr.contains("use --map mem"), "\(extra): \(none.stderr)")
            #expect(try Self.configuredState() == before, "\(extra): state changed")
        }
    }

    @Test("reconfigure the legacy memmap namespace to devdax and back (-e)")
    func reconfigureLegacy() throws {
        try Lab.require()
        guard let legacy = try Self.regions().legacy else {
            Issue.record("this topology has no memmap region"); return
        }
        let ns = "namespace\(legacy.dropFirst(6)).0"
        let r = try Self.daxkit("create-namespace", "-e", ns, "-m", "devdax", "-f")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try Self.json(r.stdout)["mode"] as? String == "devdax")
        let back = try Self.daxkit("create-namespace", "-e", ns, "-m", "fsdax", "-M", "mem", "-f")
        #expect(back.status == 0, "\(back.stderr)")
        #expect(try Self.json(back.stdout)["mode"] as? String == "fsdax")
    }

    @Test("a mounted fsdax namespace and a devdax namespace online as system RAM are refused, even with --force")
    func mountedAndSystemRAMRefused() throws {
        try Lab.require()
        let (region, _) = try Self.regions()
        // fsdax with a mounted ext4.
        let o = try Self.create("-r", region, "-m", "fsdax", "-s", "64M")
        let dev = try #require(o["dev"] as? String)
        let bdev = try #require(o["blockdev"] as? String)
        try Lab.must("modprobe", ["ext4"])
        try Lab.must("mkfs.ext4", ["-q", "-F", "-b", "4096", "/dev/\(bdev)"])
        try FileManager.default.createDirectory(atPath: "/tmp/mnt-\(bdev)", withIntermediateDirectories: true)
        try Lab.must("mount", ["/dev/\(bdev)", "/tmp/mnt-\(bdev)"])
        let before = try Self.state()
        let d = try Self.daxkit("destroy-namespace", dev, "-f")
        #expect(d.status == 1)
        #expect(d.stderr.contains("/dev/\(bdev) is mounted on /tmp/mnt-\(bdev)"), "\(d.stderr)")
        #expect(try Self.state() == before)
        try Lab.must("umount", ["/tmp/mnt-\(bdev)"])
        #expect(try Self.daxkit("destroy-namespace", dev, "-f").status == 0)

        // devdax onlined as system RAM through kmem (128 MiB memory blocks: 256M raw keeps
        // a block-aligned range after the info block padding).
        let o2 = try Self.create("-r", region, "-m", "devdax", "-a", "2M", "-M", "mem", "-s", "512M")
        let dev2 = try #require(o2["dev"] as? String)
        let chardev = try Self.chardev(o2)
        let rc = try Lab.run("daxctl", ["reconfigure-device", "--mode=system-ram", chardev])
        try #require(rc.status == 0, "daxctl reconfigure-device to system-ram failed: \(rc.stderr)")
        let before2 = try Self.configuredState()
        let d2 = try Self.daxkit("destroy-namespace", dev2, "-f")
        #expect(d2.status == 1)
        #expect(d2.stderr.contains("\(chardev) is online as system RAM"), "\(d2.stderr)")
        #expect(try Self.configuredState() == before2)
        // Put it back to devdax (offlining may fail if the kernel placed data there; then leave it).
        let back = try Lab.run("daxctl", ["reconfigure-device", "--mode=devdax", "-f", chardev])
        if back.status == 0 {
            #expect(try Self.daxkit("destroy-namespace", dev2, "-f").status == 0)
        }
    }

    @Test("disable-region, init-labels (-f), zero-labels, enable-region round trip")
    func regionsAndLabels() throws {
        try Lab.require()
        let (region, _) = try Self.regions()
        // mapping0 reads "nmemN,offset,length,position".
        let dimm = try #require(Lab.sysfs("/sys/bus/nd/devices/\(region)/mapping0")?.split(separator: ",").first.map(String.init))
        // Labels cannot be written while the region is active.
        let busy = try Self.daxkit("init-labels", dimm, "-f")
        #expect(busy.status == 1)
        #expect(busy.stderr.contains("regions are active"), "\(busy.stderr)")
        let d = try Self.daxkit("disable-region", region)
        #expect(d.status == 0 && d.stderr == "disabled 1 region\n", "\(d.stderr)")
        #expect(try Lab.must("ndctl", ["list", "-R", "-i", "-r", region]).contains("\"state\":\"disabled\""))
        let again = try Self.daxkit("init-labels", dimm)
        #expect(again.status == 1)
        #expect(again.stderr == "daxkit: \(dimm): labels already initialized; pass --force to overwrite them (all namespaces on it are lost)\n")
        let z = try Self.daxkit("zero-labels", dimm)
        #expect(z.status == 0 && z.stderr == "zeroed 1 nmem\n", "\(z.stderr)")
        #expect(try Lab.run("ndctl", ["check-labels", dimm]).status != 0, "labels still valid after zero-labels")
        let i = try Self.daxkit("init-labels", dimm)
        #expect(i.status == 0 && i.stderr == "initialized 1 nmem\n", "\(i.stderr)")
        #expect(try Lab.run("ndctl", ["check-labels", dimm]).status == 0, "labels not valid after init-labels")
        let e = try Self.daxkit("enable-region", region)
        #expect(e.status == 0 && e.stderr == "enabled 1 region\n", "\(e.stderr)")
        #expect(Lab.sysfs("/sys/bus/nd/devices/\(region)/nstype") == "5", "region is not labelled after init-labels")
        let c = try Self.daxkit("create-namespace", "-r", region, "-m", "devdax", "-a", "2M", "-s", "64M")
        #expect(c.status == 0, "\(c.stderr)")
        #expect(try Self.daxkit("destroy-namespace", "all", "-r", region, "-f").status == 0)
    }
}
