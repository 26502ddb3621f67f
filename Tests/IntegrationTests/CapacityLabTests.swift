import Foundation
import Testing

/// The capacity planner against the kernel: `create-namespace --dry-run` must predict the
/// usable size the kernel reports after creation, to the byte. Run on the large-NVDIMM
/// topology (`--nvdimm 8G`) so 1G alignments fit.
@Suite("capacity planner (lab)", .serialized)
struct CapacityLabTests {
    static func daxkit(_ args: String...) throws -> Lab.Result { try Lab.run(Lab.daxkit, args) }
    static func daxkit(_ args: [String]) throws -> Lab.Result { try Lab.run(Lab.daxkit, args) }
    static func json(_ text: String) throws -> [String: Any] { try NamespaceLabTests.json(text) }
    static func regions() throws -> (labelled: String, legacy: String?) { try NamespaceLabTests.regions() }

    @Test("planner: --dry-run predicts to the byte the usable size the kernel reports, over a matrix")
    func plannerMatrix() throws {
        try Lab.require()
        let (region, _) = try Self.regions()
        let regionSize = UInt64(Lab.sysfs("/sys/bus/nd/devices/\(region)/size") ?? "0") ?? 0
        var cases: [[String]] = []
        // daxkit's own create path end to end (PlannerLabTests checks the planner against
        // ndctl-created namespaces over a wider matrix, refusals included).
        for mode in ["fsdax", "devdax"] {
            for map in ["dev", "mem"] {
                for (align, size) in [("4K", "16M"), ("2M", "272M"), ("2M", "1G")] {
                    cases.append(["-m", mode, "-M", map, "-a", align, "-s", size])
                }
                if regionSize >= 6 << 30 { cases.append(["-m", mode, "-M", map, "-a", "1G", "-s", "3G"]) }
            }
        }
        for l in ["512", "4096"] { for size in ["64M", "1G"] { cases.append(["-m", "sector", "-l", l, "-s", size]) } }
        cases.append(["-m", "raw", "-s", "48M"])
        var mismatches: [String] = []
        for c in cases {
            let plan = try Self.daxkit(["create-namespace", "-r", region, "--dry-run"] + c)
            try #require(plan.status == 0, "dry-run \(c): \(plan.stderr)")
            let p = try Self.json(plan.stdout)
            let predicted = try #require(p["usable_size"] as? Int)
            let parts = ["metadata_bytes", "infoblock_bytes", "padding_bytes", "usable_size"].compactMap { p[$0] as? Int }.reduce(0, +)
            #expect(parts == p["raw_size"] as? Int, "\(c): breakdown does not add up: \(p)")
            let made = try Self.daxkit(["create-namespace", "-r", region] + c)
            if made.status != 0 {
                if predicted != 0 { mismatches.append("\(c): kernel refused (\(made.stderr)) but planner predicted \(predicted)") }
                continue
            }
            let o = try Self.json(made.stdout)
            let actual = try #require(o["size"] as? Int)
            if actual != predicted { mismatches.append("\(c): kernel \(actual), planner \(predicted) (\(actual - predicted))") }
            try Lab.must(Lab.daxkit, ["destroy-namespace", try #require(o["dev"] as? String), "-f"])
        }
        print("planner matrix: \(cases.count - mismatches.count)/\(cases.count) exact")
        #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
    }

    @Test("--usable-size creates the smallest namespace giving at least that much")
    func usableSize() throws {
        try Lab.require()
        let (region, _) = try Self.regions()
        let want = 1 << 30
        let r = try Self.daxkit("create-namespace", "-r", region, "-m", "devdax", "-a", "2M", "--usable-size", "1G")
        try #require(r.status == 0, "\(r.stderr)")
        let o = try Self.json(r.stdout)
        let got = try #require(o["size"] as? Int)
        let dev = try #require(o["dev"] as? String)
        let raw = try #require(Int(Lab.sysfs("/sys/bus/nd/devices/\(dev)/size") ?? ""))
        #expect(got >= want, "usable \(got) < \(want)")
        // One region-align step smaller would not have been enough.
        let smaller = try Self.daxkit("create-namespace", "-r", region, "-m", "devdax", "-a", "2M", "-s", "\(raw - (16 << 20))", "--dry-run")
        let s = try Self.json(smaller.stdout)
        #expect((s["usable_size"] as? Int ?? Int.max) < want, "a smaller namespace would do: \(s)")
        try Lab.must(Lab.daxkit, ["destroy-namespace", dev, "-f"])
    }
}
