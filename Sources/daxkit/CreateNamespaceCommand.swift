import ArgumentParser
import DaxCore
import DaxKit
import NDCtl

/// "N thing" or "N things".
func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }

struct CreateNamespaceCommand: ParsableCommand {
    static let configuration = CommandConfiguration.ndctl(
        "create-namespace", "Provision or reconfigure a namespace",
        discussion: """
        Creates a namespace in the first region with room for it (or the one given with -r) \
        and prints it as JSON, as ndctl does. Every rule the kernel enforces is checked \
        first: size a multiple of align x interleave ways and of the region alignment, align \
        among the seed's supported alignments, at least 16 MiB for non-raw modes, --map only \
        for fsdax/devdax, --map none only for devdax, names of at most 63 bytes, label-less \
        regions not sub-divided, enough free space. A failure names the object, the value, \
        the rule and the fix, and leaves the kernel state as it was (a failed bind is rolled \
        back and the kernel's own log lines are quoted).

        --dry-run prints the capacity plan instead: in words on a terminal or with --human (-u is --uuid, as in ndctl), as \
        JSON (raw_size, usable_size, metadata_bytes, host_ram_bytes, infoblock_bytes, padding_bytes) in a \
        pipe or with --json; a plan the kernel will refuse exits 1. --usable-size S creates \
        the smallest namespace that gives at least S usable bytes. On a host without pmem, \
        --dry-run with a size plans for a labelled region with the kernel's defaults. \
        Mutating commands take a \
        host-wide lock.

        -e on an idle namespace (a region's seed: size 0, no uuid) with --size configures \
        it as ndctl does: a new namespace in that seed, in the mode given (the seed's own, \
        raw, without -m). Without --size it is refused, as by ndctl (the size it keeps is \
        0). -e all is refused: ndctl reconfigures only the first namespace it finds. A new \
        namespace starts where the kernel puts it: after the last one, rounded up to the \
        region's align.

        Examples:
          daxkit create-namespace -r region1 -m devdax -a 2M -s 1G -n vm1
          daxkit create-namespace -m devdax --usable-size 1G --dry-run
          daxkit create-namespace -e namespace2.0 -m devdax -f
        """
    )

    @OptionGroup var regionLimit: RegionLimit
    @Option("Limit to a bus: id, provider or name.", value: "bus-id") var bus: String?
    @Option("raw, sector, fsdax (default) or devdax.", value: "mode") var mode: String?
    @Option("Namespace type: pmem (ndctl's -t, for scripts; blk namespaces no longer exist).", value: "type", name: [.customShort("t"), .long])
    var type: String?
    @Option("Where struct page lives: dev (default), mem, or none (devdax only).", value: "map", name: [.customShort("M"), .long])
    var map: String?
    @Option(checkedInRun: "Namespace size: bytes or K/M/G/T (base 1024); default: the largest free extent.", value: "size", name: [.short, .long])
    var size: String?
    @Option(checkedInRun: "Create the smallest namespace giving at least this many usable bytes.", value: "size", name: .customLong("usable-size"))
    var usableSize: String?
    @Option(checkedInRun: "Mapping alignment: 4K, 2M, 1G or bytes (among the seed's supported alignments).", value: "align", name: [.short, .long])
    var align: String?
    @Option("Namespace name (label alt_name, up to 63 bytes).", value: "name") var name: String?
    @Option("Namespace uuid (default: random).", value: "uuid") var uuid: String?
    @Option(checkedInRun: "Logical sector size (sector mode: 512, 520, 528, 4096, 4104, 4160 or 4224; default 4096).", value: "bytes", name: [.customShort("l"), .customLong("sector-size")])
    var sectorSize: String?
    @Option("Reconfigure this existing namespace instead of creating one (an idle seed with --size: configure it).", value: "namespace", name: [.customShort("e"), .customLong("reconfig")])
    var reconfig: String?
    @Flag(name: [.short, .long], help: "Reconfigure an active namespace (never one in use by a process, mount or as system RAM).")
    var force = false
    @Flag(name: [.customShort("c"), .customLong("continue")], help: "Do not stop after one namespace: create one in every region that matches --region/--bus and has room (label-less regions not named are skipped). Stops at the first error unless --force, which skips it and still fails the command; prints \"created N namespaces\" on stderr.")
    var greedy = false
    @Flag(name: .customLong("no-autolabel"), help: "Do not try to enable labels on label-less regions when reconfiguring.")
    var noAutolabel = false
    @Flag(name: [.customShort("L"), .customLong("autolabel")], help: "Try to enable labels on label-less regions when reconfiguring (the default; ndctl's -L).")
    var autolabel = false
    @OptionGroup var verbosity: Verbosity
    @Flag(name: .customLong("no-autorecover"), help: "On failure, leave the partial configuration for debugging instead of rolling back.")
    var noAutorecover = false
    @Flag(name: .customLong("dry-run"), help: "Print the capacity plan (in words on a terminal or with --human, else JSON) and change nothing.")
    var dryRun = false
    /// Long only: ndctl's create-namespace spells `-u` for `--uuid`.
    @Flag(name: .long, help: "Print the plan (--dry-run) in words and sizes in human units, as on a terminal.")
    var human = false
    @Flag(help: "With --dry-run, print the plan as JSON even on a terminal.")
    var json = false

    func run() throws {
        try CLI.run {
            var r = NamespaceRequest()
            if let type, type.lowercased() != "pmem" {
                throw DaxError(.invalidArgument, object: "\(Parameter("type"), type)",
                               problem: type.lowercased() == "blk" ? "BLK namespaces (and the BLK-aperture regions that held them) were removed from Linux in 2022"
                                                                  : "not a namespace type",
                               fix: "use pmem, or leave \(Parameter("type")) out")
            }
            r.region = regionLimit.region; r.bus = bus; r.name = name; r.uuid = uuid; r.reconfigure = reconfig
            if let m = mode {
                guard let parsed = NamespaceMode(parsing: m) else {
                    throw DaxError(.invalidArgument, object: "\(.mode, "\"\(m)\"")", problem: "not a mode",
                                   fix: "use raw, sector, fsdax or devdax")
                }
                r.mode = parsed
            }
            if let m = map {
                guard let parsed = MapLocation(rawValue: m) else {
                    throw DaxError(.invalidArgument, object: "\(.map, "\"\(m)\"")", problem: "not a map location",
                                   fix: "use dev, mem or none")
                }
                r.map = parsed
            }
            r.size = try CLI.size(size, .size)
            r.usableSize = try CLI.size(usableSize, .usableSize)
            r.align = try CLI.size(align, .align)
            r.sectorSize = try CLI.size(sectorSize, .sectorSize)
            r.force = force; r.greedy = greedy; r.autolabel = !noAutolabel; r.autorecover = !noAutorecover
            let ctx = try NDContext()
            if dryRun {
                let plans = try Namespaces.plan(r, context: ctx)
                if (human || CLI.stdoutIsTerminal) && !json {
                    for p in plans {
                        CLI.writeAll(1, p.describe(requestedUsable: r.usableSize?.bytes, CLIVocabulary(),
                                                   compoundVmemmap: HostRAMCost.runningKernelHasCompoundVmemmap).joined(separator: "\n  ") + "\n")
                    }
                } else {
                    let items = plans.map { $0.json(CLIVocabulary(), compoundVmemmap: HostRAMCost.runningKernelHasCompoundVmemmap) }
                    CLI.writeAll(1, (items.count == 1 ? items[0] : JSON.array(items)).rendered() + "\n")
                }
                // A plan the kernel will refuse (map none) fails like the create would.
                if plans.contains(where: { !$0.capacity.creatable }) { throw ExitCode(1) }
                return
            }
            let out = try Namespaces.create(r, context: ctx)
            for ns in out.namespaces {
                if let j = Namespaces.json(ns, human: human || CLI.stdoutIsTerminal) { CLI.writeAll(1, j.rendered() + "\n") }
            }
            if greedy { CLI.writeAll(2, "created \(plural(out.plans.count, "namespace"))\n") }
            if let failure = out.failure { throw failure }
        }
    }
}

