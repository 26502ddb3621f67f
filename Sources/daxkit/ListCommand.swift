import ArgumentParser
import DaxKit
import NDCtl

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List buses, DIMMs, regions and namespaces as JSON (drop-in for ndctl list).",
        discussion: """
        Prints the same JSON as `ndctl list` for the same options: the same keys, nesting \
        and value formats, so existing jq pipelines keep working. With no object flag, \
        active namespaces are listed. A filter option without an object flag (-b, -r, -d) \
        selects that object type, as in ndctl. With -u, sizes of 5000 KiB and more print \
        as "256.00 MiB (268.44 MB)", handles and offsets as hex strings, and a single \
        result prints as a bare object instead of a one-element array.

        Examples:
          daxkit list -RNu               regions with their namespaces, human units
          daxkit list -N -r 0 -m devdax  devdax namespaces of region0
          daxkit list -BDRi              everything, including idle seeds
        """
    )

    @Option("Filter by bus: id, provider or device name (or \"all\").", value: "bus-id") var bus: String?
    @Option("Filter by region: id or name (or \"all\").", value: "region-id") var region: String?
    @Option("Filter by DIMM: id or nmemN name (or \"all\").", value: "dimm-id") var dimm: String?
    @Option("Filter by namespace: namespaceX.Y or X.Y (or \"all\").", value: "namespace-id") var namespace: String?
    @Option("Filter by namespace mode: raw, sector, fsdax, devdax.", value: "namespace-mode") var mode: String?
    @Option("Filter by region type: pmem or blk.", value: "region-type") var type: String?
    @Option("Filter by NUMA node.", value: "numa-node", name: [.customShort("U"), .long]) var numaNode: String?

    @Flag(name: [.customShort("B"), .long], help: "Include bus info.") var buses = false
    @Flag(name: [.customShort("D"), .long], help: "Include DIMM info.") var dimms = false
    @Flag(name: [.customShort("R"), .long], help: "Include region info.") var regions = false
    @Flag(name: [.customShort("N"), .long], help: "Include namespace info (the default).") var namespaces = false
    @Flag(name: [.customShort("X"), .customLong("device-dax")], help: "Include device-dax info (dax region and devices of devdax namespaces).")
    var deviceDax = false
    @Flag(name: [.customShort("C"), .long], help: "Include region capability info (modes, alignments, sector sizes).") var capabilities = false
    @Flag(name: [.short, .long], help: "Include idle (disabled, unconfigured) devices.") var idle = false
    @Flag(name: [.short, .long], help: "Include configured namespaces, disabled or not.") var configured = false
    @Flag(name: [.customShort("M"), .customLong("media-errors")], help: "Include media errors (bad blocks).") var mediaErrors = false
    @OptionGroup var units: HumanUnits
    @Flag(name: [.short, .long], help: "Increase output detail (repeatable, as in ndctl).") var verbose: Int

    func run() throws {
        var o = NDListOptions()
        o.bus = bus; o.region = region; o.dimm = dimm; o.namespace = namespace
        o.mode = mode; o.type = type; o.numaNode = numaNode
        o.buses = buses; o.dimms = dimms; o.regions = regions; o.namespaces = namespaces
        o.dax = deviceDax; o.capabilities = capabilities; o.idle = idle
        o.configured = configured; o.mediaErrors = mediaErrors; o.human = units.human; o.verbose = verbose
        try CLI.run {
            let ctx = try NDContext()
            let out = try NDList.run(o, context: ctx)
            try CLI.emit(out)
        }
    }
}

struct DaxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dax",
        abstract: "Device-DAX regions and devices (the daxctl side).",
        subcommands: [
            DaxListCommand.self, CreateDeviceCommand.self, DestroyDeviceCommand.self, EnableDeviceCommand.self,
            DisableDeviceCommand.self, ReconfigureDeviceCommand.self, OnlineMemoryCommand.self, OfflineMemoryCommand.self,
            SaveLayoutCommand.self, RestoreLayoutCommand.self,
        ]
    )
}

struct DaxListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List dax regions and devices as JSON (drop-in for daxctl list).",
        discussion: """
        Prints the same JSON as `daxctl list` for the same options. With no object flag, \
        dax devices are listed; -r alone lists regions and -d alone lists devices.

        Examples:
          daxkit dax list -RDu     regions with their devices, human units
          daxkit dax list -d dax0.0 -M
        """
    )

    @Option("Filter by dax region id (N or regionN).", value: "region-id") var region: String?
    @Option("Filter by dax device (daxX.Y or X.Y).", value: "dev-id", name: [.customShort("d"), .customLong("dev")]) var dev: String?
    @Flag(name: [.customShort("D"), .long], help: "Include dax device info.") var devices = false
    @Flag(name: [.customShort("R"), .long], help: "Include dax region info.") var regions = false
    @Flag(name: [.customShort("M"), .long], help: "Include dax mappings info.") var mappings = false
    @Flag(name: [.short, .long], help: "Include idle (zero-sized) devices.") var idle = false
    @OptionGroup var units: HumanUnits

    func run() throws {
        var o = DAXListOptions()
        o.region = region; o.device = dev; o.devices = devices; o.regions = regions
        o.mappings = mappings; o.idle = idle; o.human = units.human
        try CLI.run {
            let ctx = try DAXContext()
            try CLI.emit(DAXList.run(o, context: ctx))
        }
    }
}
