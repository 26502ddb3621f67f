// daxkit-bench: benchmarks that need no lab (scripts/bench runs them).
//
//   daxkit-bench plan [--vms N] [--runs N]
//
// plan: issue 9's "plan (pure) for 1,000 VMs on a synthetic 4 TiB host: well under a
// second". Builds a host by hand (8 labelled pmem regions of 480 GiB and 2 dynamic dax
// regions of 128 GiB: 4 TiB) and a plan of N VMs as YAML text, which it parses as
// `provision plan FILE` does; then times, median of --runs runs each: the parse, the
// plan on the empty host (every VM a create), and the plan on the host where the
// first plan's namespaces exist (what a re-apply plans: keep). Prints the VM count
// and how many fit. Timings only, never pass/fail.
import DaxCore
import DaxKit
import Glibc

let G: UInt64 = 1 << 30, M: UInt64 = 1 << 20

func fail(_ message: String) -> Never {
    let line = "daxkit-bench: \(message)\n"
    _ = line.withCString { write(2, $0, strlen($0)) }
    exit(2)
}

// MARK: - The synthetic host and plan

/// 8 labelled pmem regions of 480 GiB and 2 soft-reserved (dynamic) dax regions of
/// 128 GiB: 4 TiB in all, empty.
func syntheticHost() -> ProvisionHost {
    let regions = (0..<8).map { i -> RegionSnapshot in
        let base = (UInt64(1) << 40) + UInt64(i) * 512 * G
        return RegionSnapshot(name: "region\(i)", id: UInt32(i), size: 480 * G, availableSize: 480 * G,
                              maxAvailableExtent: 480 * G, resource: base, nextStart: base)
    }
    let dax = (0..<2).map { j -> DaxRegionSnapshot in
        let base = (UInt64(1) << 44) + UInt64(j) * 256 * G
        return DaxRegionSnapshot(id: 10 + j, device: "hmem.\(j)", size: 128 * G, availableSize: 128 * G, align: 2 * M,
                                 isDynamic: true, range: .init(start: base, end: base + 128 * G - 1), devices: [])
    }
    return ProvisionHost(regions: regions, daxRegions: dax)
}

/// A plan file of `count` VMs: one in eight from a dax region (1G or 2G), the rest
/// namespaces of 1G..8G, a third at align 1G with map mem (1G with map dev loses a
/// whole 1G page to struct pages), the others at 2M with map dev or mem.
func syntheticPlan(_ count: Int) -> String {
    let sizes = ["1G", "2G", "4G", "8G", "4G", "6G"]
    var text = "vms:\n"
    for i in 0..<count {
        if i % 8 == 7 {
            text += "  - {name: vm\(i), size: \(i % 16 == 7 ? "1G" : "2G"), align: \(i % 3 == 0 ? "1G" : "2M"), source: dax}\n"
        } else if i % 3 == 0 {
            text += "  - {name: vm\(i), size: \(sizes[i % 6]), align: 1G, map: mem}\n"
        } else {
            text += "  - {name: vm\(i), size: \(sizes[i % 6]), align: 2M, map: \(i % 2 == 0 ? "dev" : "mem")}\n"
        }
    }
    return text
}

/// The host after an apply of `report`: each namespace VM that fits exists in its
/// region, named after the VM, of the raw size planned, placed first fit as the
/// planner places it; the regions' free space shrinks accordingly. (Dax-source VMs
/// are planned, not applied, so the dax regions stay empty.)
func applied(_ report: ProvisionReport, _ plan: ProvisionPlan, on host: ProvisionHost) -> ProvisionHost {
    var host = host
    var count: [String: Int] = [:]
    for (vm, p) in zip(plan.vms, report.vms) where p.fits && p.source == .namespace {
        guard let region = p.region, let i = host.regions.firstIndex(where: { $0.name == region }) else { continue }
        let r = host.regions[i]
        let k = count[region, default: 0]
        count[region] = k + 1
        let snapshot = NamespaceSnapshot(name: "namespace\(r.id).\(k)", mode: .devdax, size: p.rawSize,
                                         resource: r.nextStart, align: p.align, label: vm.name)
        host.namespaces.append(.init(snapshot: snapshot, map: vm.map, region: region, device: "dax\(r.id).\(k)"))
        host.regions[i].availableSize -= p.rawSize
        host.regions[i].maxAvailableExtent = (r.maxAvailableExtent ?? 0) - p.rawSize
        host.regions[i].nextStart = r.nextStart.map { $0 + p.rawSize }
    }
    return host
}

// MARK: - Timing

/// Median wall time of `runs` calls of `body`, in milliseconds, and the last result.
func time<T>(_ runs: Int, _ body: () throws -> T) rethrows -> (ms: Double, result: T) {
    let clock = ContinuousClock()
    var samples: [Double] = []
    var last: T?
    for _ in 0..<runs {
        var r: T?
        let d = try clock.measure { r = try body() }
        last = r
        samples.append(Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) / 1e15)
    }
    samples.sort()
    let n = samples.count
    let median = n % 2 == 1 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2
    return (median, last!)
}

/// `create 990, no fit 10`: the report's actions, counted.
func tally(_ r: ProvisionReport) -> String {
    var counts: [String: Int] = [:]
    for vm in r.vms { counts[vm.fits ? vm.action.rawValue : "no fit", default: 0] += 1 }
    return ["keep", "create", "recreate", "no fit"].compactMap { k in counts[k].map { "\(k) \($0)" } }
        .joined(separator: ", ")
}

func pad(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: max(0, n - s.count)) }

func planBenchmark(vms: Int, runs: Int) throws {
    let host = syntheticHost()
    let text = syntheticPlan(vms)
    let parse = try time(runs) { try ProvisionPlan.parse(text, file: "bench.yaml") }
    let plan = parse.result
    let noAccounts: (String, Bool) -> Bool = { _, _ in true }
    let empty = time(runs) { Provisioning.plan(plan, host: host, accountExists: noAccounts) }
    let existing = applied(empty.result, plan, on: host)
    let again = time(runs) { Provisioning.plan(plan, host: existing, accountExists: noAccounts) }

    let dax = plan.vms.filter { $0.source == .dax }.count
    let total = host.regions.reduce(0) { $0 + $1.size } + host.daxRegions.reduce(0) { $0 + $1.size }
    let fit = empty.result.vms.filter(\.fits).count
    print("plan: \(vms) VMs (\(vms - dax) namespace, \(dax) dax) on a synthetic \(ByteCount.format(Int(total))) host "
        + "(8 pmem regions of 480 GiB, 2 dax regions of 128 GiB), median of \(runs) runs, release build:")
    let rows: [(String, Double, String)] = [
        ("parse the YAML plan", parse.ms, "\(plan.vms.count) VMs"),
        ("plan, empty host", empty.ms, tally(empty.result)),
        ("plan, the VMs' namespaces exist", again.ms, tally(again.result)),
    ]
    for (what, ms, detail) in rows {
        let number = format3(ms)
        print("  \(pad(what, 32)) median \(String(repeating: " ", count: max(0, 9 - number.count)))\(number) ms  (\(detail))")
    }
    print("  \(fit) of \(vms) VMs fit; \(ByteCount.format(Int(empty.result.rawSize))) raw, "
        + "\(ByteCount.format(Int(empty.result.hostRAMBytes))) of host RAM for struct pages (goal: well under a second)")
}

/// `12.345`: milliseconds with three decimals.
func format3(_ v: Double) -> String {
    let t = Int((v * 1000).rounded())
    let frac = String(t % 1000)
    return "\(t / 1000).\(String(repeating: "0", count: 3 - frac.count))\(frac)"
}

// MARK: - Arguments

var args = Array(CommandLine.arguments.dropFirst())
guard let what = args.first else { fail("usage: daxkit-bench plan [--vms N] [--runs N]") }
args.removeFirst()
var vms = 1000, runs = 5
while let a = args.first {
    args.removeFirst()
    guard let v = args.first.flatMap({ Int($0) }), v > 0 else { fail("\(a) needs a positive number") }
    args.removeFirst()
    switch a {
    case "--vms": vms = v
    case "--runs": runs = v
    default: fail("unknown argument '\(a)'")
    }
}
switch what {
case "plan":
    do { try planBenchmark(vms: vms, runs: runs) } catch { fail("\(error)") }
default:
    fail("unknown benchmark '\(what)' (plan)")
}
