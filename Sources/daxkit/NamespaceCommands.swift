import ArgumentParser
import DaxKit
import NDCtl

private func parseSize(_ s: String?) throws -> SizeArgument? {
    try s.map { try SizeArgument(parsing: $0) }
}

private func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }

struct CreateNamespaceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create-namespace",
        abstract: "Provision or reconfigure a namespace (ndctl create-namespace compatible).",
        discussion: """
        Creates a namespace in the first region with room for it (or the one given with -r) \
        and prints it as JSON, as ndctl does. Every rule the kernel enforces is checked \
        first: size a multiple of align x interleave ways and of the region alignment, align \
        among the seed's supported alignments, at least 16 MiB for non-raw modes, --map only \
        for fsdax/devdax, --map none only for devdax, names of at most 63 bytes, label-less \
        regions not sub-divided, enough free space. A failure names the object, the value, \
        the rule and the fix, and leaves the kernel state as it was (a failed bind is rolled \
        back and the kernel's own log lines are quoted).

        --dry-run prints the capacity plan instead (raw_size, usable_size, metadata_bytes, \
        infoblock_bytes, padding_bytes); --usable-size S creates the smallest namespace that \
        gives at least S usable bytes. Mutating commands take a host-wide lock.

        Examples:
          daxkit create-namespace -r region1 -m devdax -a 2M -s 1G -n vm1
          daxkit create-namespace -m devdax --usable-size 1G --dry-run
          daxkit create-namespace -e namespace2.0 -m devdax -f
        """
    )

    @Option(name: [.short, .long], help: ArgumentHelp("Limit to a region: id, name or \"all\".", valueName: "region-id"))
    var region: String?
    @Option(name: [.short, .long], help: ArgumentHelp("Limit to a bus: id, provider or name.", valueName: "bus-id"))
    var bus: String?
    @Option(name: [.short, .long], help: ArgumentHelp("raw, sector, fsdax (default) or devdax.", valueName: "mode"))
    var mode: String?
    @Option(name: [.customShort("M"), .long], help: ArgumentHelp("Where struct page lives: dev (default), mem, or none (devdax only).", valueName: "map"))
    var map: String?
    @Option(name: [.short, .long], help: ArgumentHelp("Namespace size: bytes or K/M/G/T (base 1024); default: all free space.", valueName: "size"))
    var size: String?
    @Option(name: .customLong("usable-size"), help: ArgumentHelp("Create the smallest namespace giving at least this many usable bytes.", valueName: "size"))
    var usableSize: String?
    @Option(name: [.short, .long], help: ArgumentHelp("Mapping alignment: 4K, 2M, 1G or bytes (among the seed's supported alignments).", valueName: "align"))
    var align: String?
    @Option(name: [.short, .long], help: ArgumentHelp("Namespace name (label alt_name, up to 63 bytes).", valueName: "name"))
    var name: String?
    @Option(name: [.short, .long], help: ArgumentHelp("Namespace uuid (default: random).", valueName: "uuid"))
    var uuid: String?
    @Option(name: [.customShort("l"), .customLong("sector-size")], help: ArgumentHelp("Logical sector size (sector mode: 512 or 4096, default 4096).", valueName: "bytes"))
    var sectorSize: String?
    @Option(name: [.customShort("e"), .customLong("reconfig")], help: ArgumentHelp("Reconfigure this existing namespace instead of creating one.", valueName: "namespace"))
    var reconfig: String?
    @Flag(name: [.short, .long], help: "Reconfigure an active namespace (never one in use by a process, mount or as system RAM).")
    var force = false
    @Flag(name: [.customShort("c"), .customLong("continue")], help: "Do not stop after one namespace: create one in every region that matches --region/--bus and has room (label-less regions not named are skipped). Stops at the first error unless --force, which skips it and still fails the command; prints \"created N namespaces\" on stderr.")
    var greedy = false
    @Flag(name: .customLong("no-autolabel"), help: "Do not try to enable labels on label-less regions when reconfiguring.")
    var noAutolabel = false
    @Flag(name: .customLong("no-autorecover"), help: "On failure, leave the partial configuration for debugging instead of rolling back.")
    var noAutorecover = false
    @Flag(name: .customLong("dry-run"), help: "Print the capacity plan as JSON and change nothing.")
    var dryRun = false

    func run() throws {
        try CLI.run {
            var r = NamespaceRequest()
            r.region = region; r.bus = bus; r.name = name; r.uuid = uuid; r.reconfigure = reconfig
            if let m = mode {
                guard let parsed = NamespaceMode(parsing: m) else {
                    throw DaxKitError(.invalidArgument, "create-namespace: --mode \"\(m)\" is not a mode; use raw, sector, fsdax or devdax")
                }
                r.mode = parsed
            }
            if let m = map {
                guard let parsed = MapLocation(rawValue: m) else {
                    throw DaxKitError(.invalidArgument, "create-namespace: --map \"\(m)\" is not a map location; use dev, mem or none")
                }
                r.map = parsed
            }
            r.size = try parseSize(size); r.usableSize = try parseSize(usableSize)
            r.align = try parseSize(align); r.sectorSize = try parseSize(sectorSize)
            r.force = force; r.greedy = greedy; r.autolabel = !noAutolabel
            r.autorecover = !noAutorecover; r.dryRun = dryRun
            let ctx = try NDContext()
            let out = try Namespaces.create(r, context: ctx)
            if dryRun {
                let plans = out.plans.map { Namespaces.planJSON($0) }
                CLI.writeAll(1, (plans.count == 1 ? plans[0] : JSON.array(plans)).rendered() + "\n")
            } else {
                for j in out.namespaces { CLI.writeAll(1, j.rendered() + "\n") }
                if greedy { CLI.writeAll(2, "created \(plural(out.plans.count, "namespace"))\n") }
            }
            if let failure = out.failure { throw failure }
        }
    }
}

/// Shared shape of destroy/enable/disable-namespace.
struct NamespaceTarget: ParsableArguments {
    @Argument(help: ArgumentHelp("namespaceX.Y, X.Y, or \"all\".", valueName: "namespace"))
    var namespace: String
    @Option(name: [.short, .long], help: ArgumentHelp("Limit to a region: id, name or \"all\".", valueName: "region-id"))
    var region: String?
    @Option(name: [.short, .long], help: ArgumentHelp("Limit to a bus.", valueName: "bus-id"))
    var bus: String?
}

struct DestroyNamespaceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "destroy-namespace",
        abstract: "Destroy namespaces, releasing their capacity (ndctl destroy-namespace compatible).",
        discussion: """
        An active namespace needs --force. Beyond ndctl, even --force refuses a namespace \
        whose dax device is mapped by a live process (the PID and command are named: usually \
        a VM whose RAM this is), whose block device is mounted or held open, or whose dax \
        device is online as system RAM. All targets are checked before any is touched.
        """
    )
    @OptionGroup var target: NamespaceTarget
    @Flag(name: [.short, .long], help: "Destroy active namespaces (never ones in use).")
    var force = false

    func run() throws {
        try CLI.run {
            let out = try Namespaces.destroy(target.namespace, region: target.region, bus: target.bus, force: force, context: NDContext())
            CLI.writeAll(2, "destroyed \(plural(out.processed.count, "namespace"))\n")
        }
    }
}

struct EnableNamespaceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enable-namespace",
        abstract: "Enable namespaces (ndctl enable-namespace compatible).",
        discussion: "A kernel refusal quotes the kernel's log lines for the attempt."
    )
    @OptionGroup var target: NamespaceTarget

    func run() throws {
        try CLI.run {
            let out = try Namespaces.enable(target.namespace, region: target.region, bus: target.bus, context: NDContext())
            CLI.writeAll(2, "enabled \(plural(out.processed.count, "namespace"))\n")
        }
    }
}

struct DisableNamespaceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disable-namespace",
        abstract: "Disable namespaces (needs --force when active; refused when in use).",
        discussion: "Refuses a namespace that is mapped, mounted, held open or online as system RAM, even with --force."
    )
    @OptionGroup var target: NamespaceTarget
    @Flag(name: [.short, .long], help: "Disable active namespaces (never ones in use).")
    var force = false

    func run() throws {
        try CLI.run {
            let out = try Namespaces.disable(target.namespace, region: target.region, bus: target.bus, force: force, context: NDContext())
            CLI.writeAll(2, "disabled \(plural(out.processed.count, "namespace"))\n")
        }
    }
}

struct RegionTarget: ParsableArguments {
    @Argument(help: ArgumentHelp("regionN, N, or \"all\".", valueName: "region"))
    var region: String
    @Option(name: [.short, .long], help: ArgumentHelp("Limit to a bus.", valueName: "bus-id"))
    var bus: String?
}

struct EnableRegionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "enable-region", abstract: "Enable regions (ndctl enable-region compatible).")
    @OptionGroup var target: RegionTarget
    func run() throws {
        try CLI.run {
            let done = try Regions.enable(target.region, bus: target.bus, context: NDContext())
            CLI.writeAll(2, "enabled \(plural(done.count, "region"))\n")
        }
    }
}

struct DisableRegionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disable-region",
        abstract: "Disable regions (ndctl disable-region compatible).",
        discussion: "Refused when a namespace of the region is mapped, mounted, held open or online as system RAM."
    )
    @OptionGroup var target: RegionTarget
    func run() throws {
        try CLI.run {
            let done = try Regions.disable(target.region, bus: target.bus, context: NDContext())
            CLI.writeAll(2, "disabled \(plural(done.count, "region"))\n")
        }
    }
}

struct DIMMTarget: ParsableArguments {
    @Argument(help: ArgumentHelp("nmemN, N, or \"all\".", valueName: "nmem"))
    var dimms: [String]
    @Option(name: [.short, .long], help: ArgumentHelp("Limit to a bus.", valueName: "bus-id"))
    var bus: String?
}

struct InitLabelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init-labels",
        abstract: "Initialise an empty label index on DIMMs (ndctl init-labels compatible).",
        discussion: "The DIMMs' regions must be disabled first. Existing valid labels are kept unless --force."
    )
    @OptionGroup var target: DIMMTarget
    @Flag(name: [.short, .long], help: "Overwrite an existing valid label index (all namespaces on it are lost).")
    var force = false
    @Option(name: [.customShort("V"), .customLong("label-version")], help: ArgumentHelp("Label version: 1.1 (default) or 1.2.", valueName: "version"))
    var labelVersion = "1.1"

    func run() throws {
        try CLI.run {
            guard labelVersion == "1.1" || labelVersion == "1.2" else {
                throw DaxKitError(.invalidArgument, "init-labels: --label-version \(labelVersion) is unknown; use 1.1 or 1.2")
            }
            let done = try Regions.initLabels(target.dimms, bus: target.bus, force: force, v12: labelVersion == "1.2", context: NDContext())
            CLI.writeAll(2, "initialized \(done.count) nmem\(done.count == 1 ? "" : "s")\n")
        }
    }
}

struct ZeroLabelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zero-labels",
        abstract: "Erase the label area of DIMMs (ndctl zero-labels compatible).",
        discussion: "The DIMMs' regions must be disabled first."
    )
    @OptionGroup var target: DIMMTarget

    func run() throws {
        try CLI.run {
            let done = try Regions.zeroLabels(target.dimms, bus: target.bus, context: NDContext())
            CLI.writeAll(2, "zeroed \(done.count) nmem\(done.count == 1 ? "" : "s")\n")
        }
    }
}
