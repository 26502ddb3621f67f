import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `daxkit provision` with dax sources, on the default lab's soft-reserved region
/// (dax_hmem, 256 MiB): the boot-time whole-region device, the state journal, devices
/// found again by their exact ranges, a "reboot" (devices gone, the boot-time device
/// back) restoring the same ranges, destroy forgetting them, and crashes after every
/// kernel change converging. The journal lives in a directory of the test's own
/// ($DAXKIT_STATE_DIR).
@Suite("provisioning from dax regions (lab)", .serialized)
struct ProvisionLabDaxSourceTests {
    static let stateDir = "/tmp/daxkit-state-\(getpid())"
    static let plan = """
    vms:
      - {name: web1, size: 64M, align: 2M, source: dax, mode: "0640"}
      - {name: web2, size: 31M, align: 2M, source: dax}
    """

    static func daxkit(_ args: [String]) throws -> Lab.Result {
        try Lab.run("/usr/bin/env", ["DAXKIT_STATE_DIR=\(stateDir)", Lab.daxkit] + args)
    }

    /// The region as the kernel leaves it at boot: every other device gone, dax0.0 over
    /// the whole region, enabled; and no journal.
    static func bootState() throws {
        _ = try Lab.run(Lab.daxkit, ["dax", "destroy-device", "all", "-f"])
        try Lab.must(Lab.daxkit, ["dax", "reconfigure-device", "dax0.0", "-s", "256M"])
        _ = try Lab.run(Lab.daxkit, ["dax", "enable-device", "dax0.0"])
        _ = unlink(stateDir + "/provision.json")
    }

    /// Sized devices: name -> ranges [start, end] in page-offset order.
    static func devices() throws -> [String: [[UInt64]]] {
        let parsed = try Lab.parse(try Lab.must("daxctl", ["list", "-DM"]))
        let list = (parsed as? [[String: Any]]) ?? ((parsed as? [String: Any]).map { [$0] } ?? [])
        var out: [String: [[UInt64]]] = [:]
        for d in list where ((d["size"] as? NSNumber)?.uint64Value ?? 0) > 0 {
            let maps = (d["mappings"] as? [[String: Any]] ?? []).sorted {
                (($0["page_offset"] as? NSNumber)?.uint64Value ?? 0) < (($1["page_offset"] as? NSNumber)?.uint64Value ?? 0)
            }
            out[d["chardev"] as? String ?? "?"] = maps.map { [($0["start"] as? NSNumber)?.uint64Value ?? 0, ($0["end"] as? NSNumber)?.uint64Value ?? 0] }
        }
        return out
    }

    /// The VMs' devices from status: name -> device.
    static func vmDevices(_ file: String) throws -> [String: String] {
        let r = try daxkit(["provision", "status", file, "--format", "json"])
        let list = try #require(try Lab.parse(r.stdout) as? [[String: Any]], "\(r.stdout) \(r.stderr)")
        var out: [String: String] = [:]
        for o in list { if let n = o["name"] as? String, let d = o["device"] as? String { out[n] = d.replacingOccurrences(of: "/dev/", with: "") } }
        return out
    }

    static func writePlan() throws -> String {
        let path = "/tmp/daxkit-dax-\(getpid()).yaml"
        try plan.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("the boot-time device is the operator's until emptied once; then apply carves, keeps, restores after a reboot, and destroy forgets")
    func lifecycle() throws {
        try Lab.require()
        try Self.bootState()
        defer { try? Self.bootState() }
        let file = try Self.writePlan()

        // dax0.0 spans the region as at boot, and the plan never took the region over.
        let before = try Self.devices()
        let refused = try Self.daxkit(["provision", "apply", file])
        #expect(refused.status != 0 && refused.stderr.contains("dax0.0 holds its whole region")
                && refused.stderr.contains("daxkit dax destroy-device dax0.0 -f"), "\(refused.stderr)")
        #expect(try Self.devices() == before, "a refused apply changed the region")

        try Lab.must(Lab.daxkit, ["dax", "destroy-device", "dax0.0", "-f"])
        let first = try Self.daxkit(["provision", "apply", file, "--format", "json"])
        try #require(first.status == 0, "\(first.stderr)")
        let vms = try Self.vmDevices(file)
        let carved = try Self.devices()
        let web1 = try #require(vms["web1"]), web2 = try #require(vms["web2"])
        // Sizes rounded up to the alignment; the mode set; the stable paths.
        #expect(Lab.sysfs("/sys/bus/dax/devices/\(web1)/size") == "\(64 << 20)")
        #expect(Lab.sysfs("/sys/bus/dax/devices/\(web2)/size") == "\(32 << 20)")
        var st = stat()
        #expect(stat("/dev/\(web1)", &st) == 0 && st.st_mode & 0o777 == 0o640)
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: "/dev/dax/by-vm/web1")) == "../../\(web1)")
        // doctor judges the nodes against this plan: as planned, then a mode that drifted.
        func nodesCheck() throws -> [String: Any] {
            let d = try Lab.run(Lab.daxkit, ["doctor", "--json", "--plan", file])
            let all = try #require(try Lab.parse(d.stdout) as? [[String: Any]], "\(d.stdout) \(d.stderr)")
            return try #require(all.first { $0["check"] as? String == "device-nodes" })
        }
        let asPlanned = try nodesCheck()
        #expect(asPlanned["status"] as? String == "ok", "\(asPlanned)")
        chmod("/dev/\(web1)", 0o660)
        let drifted = try nodesCheck()
        #expect(drifted["status"] as? String == "warn" && (drifted["found"] as? String ?? "").contains("mode 0660, planned 0640"), "\(drifted)")
        chmod("/dev/\(web1)", 0o640)
        // udev gives a re-probed node the same (the lab runs no udevd: the rule's words).
        let rule = (try? String(contentsOfFile: "/run/udev/rules.d/70-daxkit-vm-web1.rules", encoding: .utf8)) ?? ""
        #expect(rule.contains("KERNEL==\"\(web1)\", MODE:=\"0640\", SYMLINK+=\"dax/by-vm/web1\""), "\(rule)")
        // The journal records exactly the ranges the kernel gave.
        let journal = try #require(try Lab.parse(try String(contentsOfFile: Self.stateDir + "/provision.json", encoding: .utf8)) as? [String: Any])
        let entries = try #require(journal["vms"] as? [[String: Any]])
        for e in entries {
            let name = try #require(e["name"] as? String)
            let ranges = (e["ranges"] as? [[String: Any]] ?? []).map { [($0["start"] as? NSNumber)?.uint64Value ?? 0, ($0["end"] as? NSNumber)?.uint64Value ?? 0] }
            #expect(ranges == carved[vms[name] ?? "?"], "\(name): journal \(ranges) vs kernel \(carved)")
        }

        // Applying again changes nothing.
        let again = try Self.daxkit(["provision", "apply", file])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try Self.devices() == carved)

        // A reboot: the devices are gone and dax0.0 spans the region again. Apply empties
        // it (the region is the plan's now) and puts each VM back on its ranges.
        try Lab.must(Lab.daxkit, ["dax", "destroy-device", web1, "-f"])
        try Lab.must(Lab.daxkit, ["dax", "destroy-device", web2, "-f"])
        try Lab.must(Lab.daxkit, ["dax", "reconfigure-device", "dax0.0", "-s", "256M"])
        try Lab.must(Lab.daxkit, ["dax", "enable-device", "dax0.0"])
        let drift = try Self.daxkit(["provision", "status", file])
        #expect(drift.stdout.contains("apply makes it again on its recorded ranges"), "\(drift.stdout)")
        let restored = try Self.daxkit(["provision", "apply", file])
        try #require(restored.status == 0, "\(restored.stderr)")
        let after = try Self.vmDevices(file)
        let now = try Self.devices()
        for vm in ["web1", "web2"] {
            #expect(now[after[vm] ?? "?"] == carved[vms[vm] ?? "?"], "\(vm) moved: \(carved) -> \(now)")
            #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: "/dev/dax/by-vm/\(vm)")) == "../../\(after[vm] ?? "?")")
        }
        #expect(now.count == 2, "more than the VMs' devices: \(now)")

        // A changed plan: web2 grows. Refused without --force (nothing changes); with it,
        // only web2 is made again, web1 keeps its device and ranges.
        let grownPlan = "/tmp/daxkit-dax-grown-\(getpid()).yaml"
        try Self.plan.replacingOccurrences(of: "size: 31M", with: "size: 40M").write(toFile: grownPlan, atomically: true, encoding: .utf8)
        let unforced = try Self.daxkit(["provision", "apply", grownPlan])
        #expect(unforced.status != 0 && unforced.stderr.contains("vm web2") && unforced.stderr.contains("--force"), "\(unforced.stderr)")
        #expect(try Self.devices() == now)
        let forced = try Self.daxkit(["provision", "apply", grownPlan, "--force"])
        #expect(forced.status == 0, "\(forced.stderr)")
        let grown = try Self.vmDevices(grownPlan)
        let regrown = try Self.devices()
        #expect(grown["web1"] == after["web1"] && regrown[grown["web1"] ?? "?"] == now[after["web1"] ?? "?"], "\(now) -> \(regrown)")
        #expect(Lab.sysfs("/sys/bus/dax/devices/\(grown["web2"] ?? "?")/size") == "\(40 << 20)")

        // Destroy: the devices go, and the journal forgets them. A VM can be named without
        // the plan file (as after removing it from the file): found by the journal.
        let one = try Self.daxkit(["provision", "destroy", "--vm", "web1", "--force"])
        #expect(one.status == 0 && one.stderr.contains("destroyed 1 VM: web1"), "\(one.stderr)")
        #expect(try Self.devices().count == 1)
        let gone = try Self.daxkit(["provision", "destroy", file, "--force"])
        #expect(gone.status == 0, "\(gone.stderr)")
        #expect(try Self.devices().isEmpty)
        let forgotten = try String(contentsOfFile: Self.stateDir + "/provision.json", encoding: .utf8)
        #expect(!forgotten.contains("web1") && !forgotten.contains("web2"), "\(forgotten)")
        #expect(!FileManager.default.fileExists(atPath: "/dev/dax/by-vm/web1"))
        #expect(!FileManager.default.fileExists(atPath: "/run/udev/rules.d/70-daxkit-vm-web1.rules"))
    }

    @Test("killed after any kernel change (boot device emptied, device created), apply run again converges")
    func crashConvergence() throws {
        try Lab.require()
        try Self.bootState()
        defer { try? Self.bootState() }
        let file = try Self.writePlan()
        // Hand the region over and take the clean result.
        try Lab.must(Lab.daxkit, ["dax", "destroy-device", "dax0.0", "-f"])
        try #require(try Self.daxkit(["provision", "apply", file]).status == 0)
        let clean = Set(try Self.devices().values.map { $0 })
        var crashes = 0
        for n in 1...30 {
            // A reboot's state, with the journal kept: apply empties dax0.0 and restores.
            _ = try Lab.run(Lab.daxkit, ["dax", "destroy-device", "all", "-f"])
            try Lab.must(Lab.daxkit, ["dax", "reconfigure-device", "dax0.0", "-s", "256M"])
            _ = try Lab.run(Lab.daxkit, ["dax", "enable-device", "dax0.0"])
            let crashed = try Lab.run("/usr/bin/env", ["DAXKIT_FAULT_AFTER=\(n)", "DAXKIT_STATE_DIR=\(Self.stateDir)", Lab.daxkit,
                                                        "provision", "apply", file])
            if crashed.status == 0 { break }
            #expect(crashed.status == 137, "\(n): \(crashed.stderr)")
            crashes += 1
            let again = try Self.daxkit(["provision", "apply", file])
            #expect(again.status == 0, "after a crash at point \(n) (\(crashed.stderr)): \(again.stderr)")
            let now = try Self.devices()
            #expect(Set(now.values.map { $0 }) == clean, "after a crash at point \(n): \(now)")
            let status = try Self.daxkit(["provision", "status", file, "--format", "json"])
            #expect(status.status == 0, "after a crash at point \(n), status drifts: \(status.stdout)")
        }
        #expect(crashes >= 4, "only \(crashes) crash points were reached")

        // A recreate (web2 grows, --force) killed at each point after the journal recorded
        // it: the next apply, without --force (consent was given), finishes it: web1 as it was, web2 at 40M, nothing
        // else, and the old web2 device is not left behind.
        let grownPlan = "/tmp/daxkit-dax-grown-crash-\(getpid()).yaml"
        try Self.plan.replacingOccurrences(of: "size: 31M", with: "size: 40M").write(toFile: grownPlan, atomically: true, encoding: .utf8)
        var recreateCrashes = 0
        for n in 1...20 {
            try #require(try Self.daxkit(["provision", "apply", file, "--force"]).status == 0)
            let web1 = try Self.devices()[try Self.vmDevices(file)["web1"] ?? "?"]
            let crashed = try Lab.run("/usr/bin/env", ["DAXKIT_FAULT_AFTER=\(n)", "DAXKIT_STATE_DIR=\(Self.stateDir)", Lab.daxkit,
                                                        "provision", "apply", grownPlan, "--force"])
            if crashed.status == 0 { break }
            recreateCrashes += 1
            if crashed.stderr.contains(": plan judged") {
                // Killed before the journal recorded the recreate: nothing changed, and
                // without --force the next apply asks for it again.
                let unforced = try Self.daxkit(["provision", "apply", grownPlan])
                #expect(unforced.status != 0 && unforced.stderr.contains("--force"), "\(unforced.stderr)")
                #expect(try Self.devices()[try Self.vmDevices(file)["web1"] ?? "?"] == web1)
                try #require(try Self.daxkit(["provision", "apply", grownPlan, "--force"]).status == 0)
                continue
            }
            let again = try Self.daxkit(["provision", "apply", grownPlan])
            #expect(again.status == 0, "after a crash at point \(n) of a recreate (\(crashed.stderr)): \(again.stderr)")
            let vms = try Self.vmDevices(grownPlan), now = try Self.devices()
            #expect(now.count == 2 && now[vms["web1"] ?? "?"] == web1, "after a crash at point \(n) of a recreate: \(now)")
            #expect(Lab.sysfs("/sys/bus/dax/devices/\(vms["web2"] ?? "?")/size") == "\(40 << 20)")
        }
        #expect(recreateCrashes >= 3, "only \(recreateCrashes) crash points of a recreate were reached")
    }
}
