import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `daxkit provision` against the lab's labelled NVDIMM region: apply creates, a second
/// apply changes nothing, a changed plan recreates only with --force and never what a
/// process maps, bad plans change nothing, concurrent applies converge, and QEMU maps
/// the device it is given with the planned page size.
@Suite("provisioning (lab)", .serialized)
struct ProvisionLabTests {
    static func daxkit(_ args: [String]) throws -> Lab.Result { try Lab.run(Lab.daxkit, args) }

    /// Writes a plan file and returns its path.
    static func plan(_ text: String, _ name: String = "vms") throws -> String {
        let path = "/tmp/daxkit-\(name)-\(getpid()).yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func states(_ text: String) throws -> [[String: Any]] {
        try #require(try Lab.parse(text) as? [[String: Any]], "not a JSON array: \(text)")
    }

    /// Namespaces by label name: name -> (dev, size, align).
    static func named() throws -> [String: [(dev: String, size: UInt64, align: UInt64?)]] {
        let parsed = try Lab.parse(try Lab.must("ndctl", ["list", "-N"]))
        let list = (parsed as? [[String: Any]]) ?? ((parsed as? [String: Any]).map { [$0] } ?? [])
        var out: [String: [(dev: String, size: UInt64, align: UInt64?)]] = [:]
        for o in list {
            guard let name = o["name"] as? String, let dev = o["dev"] as? String else { continue }
            out[name, default: []].append((dev, (o["size"] as? NSNumber)?.uint64Value ?? 0, (o["align"] as? NSNumber)?.uint64Value))
        }
        return out
    }

    static func twoVMs(dbAlign: String = "2M") -> String {
        """
        vms:
          - name: db1
            size: 256M
            align: \(dbAlign)
            map: mem
            owner: nobody
            group: nogroup
            mode: "0640"
          - name: web1
            size: 128M
            align: 2M
        """
    }

    @Test("apply creates each VM's device with its owner and mode; applying again changes nothing")
    func applyTwice() throws {
        try Lab.require()
        try Lab.resetWithNdctl()
        let file = try Self.plan(Self.twoVMs())
        let first = try Self.daxkit(["provision", "apply", file, "--format", "json"])
        try #require(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("changed 2 VMs"), "\(first.stderr)")
        let states = try Self.states(first.stdout)
        #expect(states.map { $0["action"] as? String } == ["create", "create"])
        let named = try Self.named()
        #expect(named["db1"]?.count == 1 && named["web1"]?.count == 1, "\(named)")
        // The kernel's own numbers: usable bytes at least as asked, 2M alignment.
        for (vm, want) in [("db1", UInt64(256) << 20), ("web1", UInt64(128) << 20)] {
            let s = try #require(states.first { $0["name"] as? String == vm })
            let dev = try #require((s["device"] as? String)?.split(separator: "/").last.map(String.init))
            // The stable path points at the device.
            #expect(s["path"] as? String == "/dev/dax/by-vm/\(vm)", "\(s)")
            #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: "/dev/dax/by-vm/\(vm)")) == "../../\(dev)")
            let size = UInt64(Lab.sysfs("/sys/bus/dax/devices/\(dev)/size") ?? "") ?? 0
            #expect(size >= want && (s["usable_size"] as? NSNumber)?.uint64Value == size, "\(vm): \(s)")
            #expect(Lab.sysfs("/sys/bus/dax/devices/\(dev)/align") == "2097152")
        }
        // Owner, group and mode of db1's node, as stat sees them.
        let db1 = try #require(states.first { $0["name"] as? String == "db1" }?["path"] as? String)
        var st = stat()
        try #require(stat(db1, &st) == 0)
        #expect(st.st_uid == 65534 && st.st_mode & 0o777 == 0o640, "uid \(st.st_uid) mode \(String(st.st_mode & 0o777, radix: 8))")

        let before = try NamespaceLabTests.state()
        let again = try Self.daxkit(["provision", "apply", file, "--format", "json"])
        #expect(again.status == 0 && again.stderr.contains("nothing to change"), "\(again.stderr)")
        #expect(try Self.states(again.stdout).map { $0["action"] as? String } == ["keep", "keep"])
        #expect(try NamespaceLabTests.state() == before, "a second apply changed the kernel state")
        let status = try Self.daxkit(["provision", "status", file, "--format", "json"])
        #expect(status.status == 0, "status: \(status.stdout) \(status.stderr)")
        #expect(try Self.states(status.stdout).allSatisfy { $0["drift"] == nil && $0["in_use"] as? Bool == false })
    }

    @Test("a changed plan recreates only with --force, and never a device a process maps")
    func changedPlan() throws {
        try Lab.require()
        try Lab.resetWithNdctl()
        let file = try Self.plan(Self.twoVMs())
        let applied = try Self.daxkit(["provision", "apply", file])
        try #require(applied.status == 0, "\(applied.stderr)")
        let changed = try Self.plan(Self.twoVMs(dbAlign: "1G"), "changed")

        // Without --force: refused, naming what differs; nothing changes.
        var before = try NamespaceLabTests.state()
        let refused = try Self.daxkit(["provision", "apply", changed])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("vm db1: its namespace") && refused.stderr.contains("align 2M, not 1G")
                && refused.stderr.contains("--force"), "\(refused.stderr)")
        #expect(try NamespaceLabTests.state() == before)
        let drift = try Self.daxkit(["provision", "status", changed, "--format", "json"])
        #expect(drift.status == 1)
        #expect((try Self.states(drift.stdout).first?["drift"] as? String)?.hasPrefix("align 2M, not 1G, ") == true, "\(drift.stdout)")

        // A process maps db1's device: refused even with --force, naming the pid.
        let status = try Self.states(try Lab.must(Lab.daxkit, ["provision", "status", file, "--format", "json"]))
        let path = try #require(status.first?["path"] as? String)
        let pid = try Lab.mapHolder(path, bytes: 2 << 20)
        defer { Lab.stopHolder(pid) }
        before = try NamespaceLabTests.state()
        let inUse = try Self.daxkit(["provision", "apply", changed, "--force"])
        #expect(inUse.status == 1)
        #expect(inUse.stderr.contains("pid \(pid)") || inUse.stderr.contains("PID \(pid)"), "\(inUse.stderr)")
        #expect(try NamespaceLabTests.state() == before)
        let busy = try Self.states(try Self.daxkit(["provision", "status", file, "--format", "json"]).stdout)
        #expect(busy.first?["in_use"] as? Bool == true, "\(busy)")
        kill(pid, SIGKILL)
        var s: Int32 = 0
        waitpid(pid, &s, 0)

        // Nobody maps it now: --force recreates db1 at 1G and leaves web1 as it was.
        let web1Before = try Self.named()["web1"]?.first?.dev
        let forced = try Self.daxkit(["provision", "apply", changed, "--force", "--format", "json"])
        try #require(forced.status == 0, "\(forced.stderr)")
        let after = try Self.states(forced.stdout)
        #expect(after.map { $0["action"] as? String } == ["recreate", "keep"])
        let newDev = try #require((after.first?["device"] as? String)?.split(separator: "/").last.map(String.init))
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: "/dev/dax/by-vm/db1")) == "../../\(newDev)",
                "the stable path follows the recreated device")
        #expect(Lab.sysfs("/sys/bus/dax/devices/\(newDev)/align") == "1073741824")
        #expect(try Self.named()["web1"]?.first?.dev == web1Before)
        #expect(try Self.named()["db1"]?.count == 1)
    }

    @Test("a plan with mistakes, or one that does not fit, changes nothing and lists every problem")
    func badPlans() throws {
        try Lab.require()
        try Lab.resetWithNdctl()
        let before = try NamespaceLabTests.state()
        let bad = try Self.plan("""
        vms:
          - name: a
            size: 1 G
          - name: a
            size: 64M
            colour: red
        """, "bad")
        let r = try Self.daxkit(["provision", "apply", bad])
        #expect(r.status == 1)
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 4, "\(r.stderr)")
        #expect(r.stderr.contains("a blank before the unit") && r.stderr.contains("given twice") && r.stderr.contains("unknown key \"colour\"")
                && r.stderr.contains("3 problems; the plan is refused as a whole"), "\(r.stderr)")
        let huge = try Self.plan("vms:\n  - {name: big, size: 64G}\n  - {name: small, size: 64M}\n", "huge")
        let h = try Self.daxkit(["provision", "apply", huge])
        #expect(h.status == 1)
        #expect(h.stderr.contains("vm big") || h.stderr.contains("region"), "\(h.stderr)")
        #expect(h.stderr.contains("1 problem; nothing was changed"), "\(h.stderr)")
        #expect(try NamespaceLabTests.state() == before)
        let plan = try Self.daxkit(["provision", "plan", huge, "--format", "json"])
        #expect(plan.status == 1)
        let vms = try Self.states(plan.stdout)
        #expect(vms.map { $0["fits"] as? Bool } == [false, true], "\(plan.stdout)")
    }

    @Test("two applies at once converge: one namespace per VM")
    func concurrentApplies() throws {
        try Lab.require()
        try Lab.resetWithNdctl()
        let file = try Self.plan(Self.twoVMs(), "concurrent")
        let outs = (0..<2).map { "/tmp/provision-concurrent-\(getpid())-\($0)" }
        let pids = try outs.map { try Lab.spawn(Lab.daxkit, ["provision", "apply", file], stdout: $0 + ".out", stderr: $0 + ".err") }
        var codes: [Int32] = []
        for pid in pids {
            var s: Int32 = 0
            while waitpid(pid, &s, 0) < 0 && errno == EINTR {}
            codes.append((s >> 8) & 0xff)
        }
        let errs = outs.map { (try? String(contentsOfFile: $0 + ".err", encoding: .utf8)) ?? "" }
        for o in outs { unlink(o + ".out"); unlink(o + ".err") }
        #expect(codes == [0, 0], "\(errs)")
        #expect(errs.filter { $0.contains("nothing to change") }.count == 1, "\(errs)")
        let named = try Self.named()
        #expect(named["db1"]?.count == 1 && named["web1"]?.count == 1, "\(named)")
    }

    @Test("QEMU started with --format qemu's options maps the device with the planned page size")
    func qemuMapsTheDevice() throws {
        try Lab.require()
        try Lab.resetWithNdctl()
        let file = try Self.plan(Self.twoVMs(), "qemu")
        let applied = try Self.daxkit(["provision", "apply", file])
        try #require(applied.status == 0, "\(applied.stderr)")
        let q = try Lab.must(Lab.daxkit, ["provision", "status", file, "--format", "qemu"])
        let line = try #require(q.split(separator: "\n").first { $0.hasPrefix("db1: ") })
        let args = line.dropFirst("db1: ".count).split(separator: " ").map(String.init)
        let status = try Self.states(try Lab.must(Lab.daxkit, ["provision", "status", file, "--format", "json"]))
        let path = try #require(status.first?["path"] as? String)
        #expect(args.contains { $0.contains("mem-path=\(path)") && $0.contains("share=on") && $0.contains("align=2097152") }, "\(args)")
        let pidfile = "/tmp/provision-qemu-\(getpid()).pid"
        let r = try Lab.run("qemu-system-x86_64", ["-S", "-display", "none", "-nodefaults", "-machine", "pc,accel=tcg",
                                                    "-daemonize", "-pidfile", pidfile] + args)
        try #require(r.status == 0, "qemu: \(r.stderr)")
        let pid = try #require(Int32((try? String(contentsOfFile: pidfile, encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""))
        defer { kill(pid, SIGKILL); unlink(pidfile) }
        // cat reads procfs to the end; a one-shot read of a 0-byte-sized file may not.
        let smaps = try Lab.must("cat", ["/proc/\(pid)/smaps"])
        let block = smaps.components(separatedBy: "\n")
        let device = try #require(status.first?["device"] as? String)
        let start = try #require(block.firstIndex { $0.hasSuffix(device) }, "qemu does not map \(device) (through \(path)): \(smaps.prefix(2000))")
        let page = block[(start + 1)...].first { $0.hasPrefix("KernelPageSize:") }
        #expect(page?.contains("2048 kB") == true, "\(String(describing: page))")
        // The status names QEMU as the device's holder.
        let busy = try Self.states(try Self.daxkit(["provision", "status", file, "--format", "json"]).stdout)
        #expect(busy.first?["in_use"] as? Bool == true, "\(busy)")
    }

    @Test("destroy --zero: the memory reads back as zeros once the capacity is used again; without it the data survives")
    func destroyZero() throws {
        try Lab.require()
        try Lab.resetWithNdctl()
        let file = try Self.plan(Self.twoVMs(), "destroy")
        func apply() throws -> [[String: Any]] {
            let r = try Self.daxkit(["provision", "apply", file, "--format", "json"])
            try #require(r.status == 0, "\(r.stderr)")
            return try Self.states(r.stdout)
        }
        func db1() throws -> String { try #require(try apply().first?["device"] as? String) }
        let path = try db1()
        try Lab.must(Lab.daxkit, ["touch", path, "--mode", "pattern", "--seed", "7"])
        let web1 = try Self.named()["web1"]?.first?.dev

        // Refused without --force; nothing changes.
        let before = try NamespaceLabTests.state()
        let noForce = try Self.daxkit(["provision", "destroy", file, "--vm", "db1"])
        #expect(noForce.status == 1 && noForce.stderr.contains("--force"), "\(noForce.stderr)")
        #expect(try NamespaceLabTests.state() == before)

        // Control: destroyed without --zero, the same capacity comes back with the data.
        let plain = try Self.daxkit(["provision", "destroy", file, "--vm", "db1", "--force"])
        #expect(plain.status == 0 && plain.stderr == "destroyed 1 VM: db1\n", "\(plain.stderr)")
        #expect(try Self.named()["db1"] == nil)
        #expect(try Self.named()["web1"]?.first?.dev == web1, "web1 was touched")
        let again = try db1()
        #expect(try Lab.run(Lab.daxkit, ["touch", again, "--mode", "verify", "--seed", "7"]).status == 0,
                "the control failed: the recreated device does not hold the old data, so zeroing could not be told apart")

        // With --zero: the next owner of the capacity reads zeros.
        let zeroed = try Self.daxkit(["provision", "destroy", file, "--vm", "db1", "--zero", "--force"])
        #expect(zeroed.status == 0 && zeroed.stderr.contains("zeroed and verified"), "\(zeroed.stderr)")
        let fresh = try db1()
        #expect(try Lab.run(Lab.daxkit, ["touch", fresh, "--mode", "verify", "--seed", "7"]).status == 1)
        let check = try Lab.run("/usr/bin/python3", ["-c", """
            import mmap,os
            fd=os.open('\(fresh)',os.O_RDONLY); n=int(open('/sys/bus/dax/devices/\(fresh.split(separator: "/").last!)/size').read())
            m=mmap.mmap(fd,n,mmap.MAP_SHARED,mmap.PROT_READ)
            z=bytes(1<<20)
            print(all(m[i:i+(1<<20)]==z for i in range(0,n,1<<20)))
            """])
        #expect(check.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "True", "\(check.stdout) \(check.stderr)")

        // Every VM, and the plan's VMs are gone but nothing else.
        #expect(FileManager.default.fileExists(atPath: "/dev/dax/by-vm/db1"))
        let all = try Self.daxkit(["provision", "destroy", file, "--force"])
        #expect(all.status == 0 && all.stderr == "destroyed 2 VMs: db1, web1\n", "\(all.stderr)")
        #expect(try Self.named().isEmpty)
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: "/dev/dax/by-vm/db1")) == nil, "destroy leaves the stable path")
        let unknown = try Self.daxkit(["provision", "destroy", file, "--vm", "nope", "--force"])
        #expect(unknown.status == 1 && unknown.stderr.contains("vm nope: not in"), "\(unknown.stderr)")
    }

    /// Runs daxkit with DAXKIT_FAULT_AFTER=n in its environment: it ends as if killed
    /// right after its n-th kernel change.
    static func daxkitCrashing(after n: Int, _ args: [String]) throws -> Lab.Result {
        try Lab.run("/usr/bin/env", ["DAXKIT_FAULT_AFTER=\(n)", Lab.daxkit] + args)
    }

    @Test("killed after any kernel change, apply run again converges to the plan with nothing left behind")
    func crashConvergence() throws {
        try Lab.require()
        try Lab.resetWithNdctl()
        let file = try Self.plan("vms:\n  - {name: db1, size: 256M, align: 2M, map: mem, mode: \"0640\"}\n", "crash")
        // The state a clean apply gives.
        try #require(try Self.daxkit(["provision", "apply", file]).status == 0)
        let clean = try #require(try Self.named()["db1"]?.first)
        var crashes = 0
        for n in 1...40 {
            try Lab.resetWithNdctl()
            let crashed = try Self.daxkitCrashing(after: n, ["provision", "apply", file])
            if crashed.status == 0 { break }  // past the last kernel change: nothing to crash
            #expect(crashed.status == 137 && crashed.stderr.contains("fault injected after point \(n)"), "\(n): \(crashed.stderr)")
            crashes += 1
            let again = try Self.daxkit(["provision", "apply", file, "--format", "json"])
            #expect(again.status == 0, "after a crash at point \(n) (\(crashed.stderr)): \(again.stderr)")
            let named = try Self.named()["db1"] ?? []
            #expect(named.count == 1 && named.first?.size == clean.size && named.first?.align == clean.align,
                    "after a crash at point \(n): \(named) vs \(clean)")
            // Nothing else is left: the region holds exactly that namespace.
            let all = try Lab.parse(try Lab.must("ndctl", ["list", "-N"]))
            let count = (all as? [Any])?.count ?? (all == nil ? 0 : 1)
            #expect(count == 1, "after a crash at point \(n): \(count) namespaces")
            let status = try Self.daxkit(["provision", "status", file, "--format", "json"])
            #expect(status.status == 0, "after a crash at point \(n), status drifts: \(status.stdout)")
        }
        #expect(crashes >= 10, "only \(crashes) crash points were reached")
    }
}
