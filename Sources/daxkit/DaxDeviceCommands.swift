import ArgumentParser
import DaxCore
import DaxKit
import NDCtl

/// The device a daxctl device command names, and the region filter and units they share.
struct DaxDeviceTarget: ParsableArguments {
    @Argument(help: ArgumentHelp("daxX.Y, X.Y, /dev/daxX.Y, or \"all\" (devices of 0 bytes left out).", valueName: "device"))
    var device: String
    @Option("Limit to a dax region: N or regionN.", value: "region-id") var region: String?
    @OptionGroup var units: HumanUnits

    /// `/dev/dax0.0` names dax0.0, as daxctl's basename().
    var ident: String { device.split(separator: "/").last.map(String.init) ?? device }

    /// Runs a library operation, prints its notes, the devices it returns as daxctl's JSON
    /// (when `printsDevices`), and "VERB N device(s)" on stderr.
    func report(_ verb: String, printsDevices: Bool = false,
                _ operation: (String, String?, DAXContext) throws -> DaxDevices.Outcome) throws {
        try CLI.run { try DaxDeviceTarget.report(verb, printsDevices: printsDevices, human: units.human) {
            try operation(ident, region, $0)
        } }
    }

    static func report(_ verb: String, printsDevices: Bool, human: Bool,
                       _ operation: (DAXContext) throws -> DaxDevices.Outcome) throws {
        let out = try operation(try DAXContext())
        for note in out.notes { CLI.writeAll(2, note + "\n") }
        if printsDevices && !out.devices.isEmpty {
            let items = out.devices.map { DaxDevices.json($0, human: human) }
            CLI.writeAll(1, (items.count == 1 && human ? items[0] : JSON.array(items)).rendered() + "\n")
        }
        CLI.writeAll(2, "\(verb) \(plural(out.devices.count, "device"))\n")
    }
}

struct ReconfigureDeviceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconfigure-device",
        abstract: "Move a dax device between devdax and system-ram, or resize it (daxctl reconfigure-device compatible).",
        discussion: """
        -m system-ram binds kmem: the device's memory is hot-added in whole memory blocks \
        (block_size_bytes) and onlined movable (ZONE_MOVABLE, so that it can be offlined \
        again) unless -N or --no-movable. Before anything changes it says how much comes \
        online, on which node and in which zone, and what is lost at ranges that are not \
        whole memory blocks; a device with no whole block is refused (the kernel would \
        answer EINVAL) unless --force. When the kernel's auto_online_blocks policy would \
        online the memory itself, -N and movable onlining are refused without --force, as \
        daxctl does. -m devdax with memory online needs --force to offline it first; a \
        block the kernel will not offline is named with its zone, and what went offline \
        is put back online. Beyond daxctl: a device a process maps is never reconfigured \
        (the PID is named), every failed step is undone, and the JSON lists every device \
        reconfigured (daxctl 76.1 prints only the last). -s/-a resize or realign a \
        disabled device.

        Examples:
          daxkit dax reconfigure-device dax0.1 -m system-ram
          daxkit dax reconfigure-device dax0.1 -m devdax --force
          daxkit dax reconfigure-device dax0.1 -s 256M
        """
    )
    @OptionGroup var target: DaxDeviceTarget
    @Option("devdax or system-ram.", value: "mode") var mode: String?
    @Option(checkedInRun: "New size of a disabled device: bytes or K/M/G/T.", value: "size", name: [.short, .long]) var size: String?
    @Option(checkedInRun: "New alignment of a disabled device: 4K, 2M or 1G.", value: "align", name: [.short, .long]) var align: String?
    @Flag(name: [.customShort("N"), .customLong("no-online")], help: "Do not online the memory (system-ram).") var noOnline = false
    @Flag(name: .customLong("no-movable"), help: "Online the memory into a normal zone (it may never offline again).") var noMovable = false
    @Flag(name: [.short, .long], help: "Offline memory before leaving system-ram; go on despite the auto-online policy or block alignment. Never overrides a device in use.") var force = false

    func run() throws {
        try CLI.run {
            var r = DaxDevices.Reconfiguration()
            if let mode {
                guard let m = DaxDevices.Mode(rawValue: mode) else {
                    throw DaxError(.invalidArgument, object: "\(.mode, mode)", problem: "not a dax device mode", fix: "use devdax or system-ram")
                }
                if m == .devdax && noOnline {
                    throw DaxError(.invalidArgument, object: "\(Parameter("noOnline"))", problem: "incompatible with \(.mode, "devdax")",
                                   fix: "drop one of them")
                }
                r.mode = m
            }
            r.size = try CLI.size(size, .size)
            r.align = try CLI.size(align, .align)
            r.online = !noOnline; r.movable = !noMovable; r.force = force
            try DaxDeviceTarget.report("reconfigured", printsDevices: r.mode != nil, human: target.units.human) {
                try DaxDevices.reconfigure(target.ident, region: target.region, r, context: $0)
            }
        }
    }
}

struct OnlineMemoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "online-memory",
        abstract: "Online the memory of a system-ram dax device (daxctl online-memory compatible).",
        discussion: "Movable (ZONE_MOVABLE) unless --no-movable. Memory already online is a no-op that says so and counts 0, with exit status 0 (daxctl 76.1 exits 1)."
    )
    @OptionGroup var target: DaxDeviceTarget
    @Flag(name: .customLong("no-movable"), help: "Online into a normal zone (it may never offline again).") var noMovable = false
    func run() throws {
        try target.report("onlined memory for") { try DaxDevices.onlineMemory($0, region: $1, movable: !noMovable, context: $2) }
    }
}

struct OfflineMemoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "offline-memory",
        abstract: "Offline the memory of a system-ram dax device (daxctl offline-memory compatible).",
        discussion: "A memory block the kernel will not offline is named with its zone. Memory already offline is a no-op that says so and counts 0, with exit status 0 (daxctl 76.1 exits 1)."
    )
    @OptionGroup var target: DaxDeviceTarget
    func run() throws {
        try target.report("offlined memory for") { try DaxDevices.offlineMemory($0, region: $1, context: $2) }
    }
}

struct CreateDeviceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create-device",
        abstract: "Create a dax device in a dynamic dax region (daxctl create-device compatible).",
        discussion: """
        Sizes the region's seed device (all the available space by default), aligns it \
        (the region's alignment by default) and binds device_dax. The kernel allocates \
        first fit, so on a fragmented region a device may span several physical ranges; \
        --input FILE replays a device's exact ranges (a daxctl/daxkit device JSON object \
        with "mappings", as `dax list -M` prints it). Static regions (pmem namespaces) are \
        refused with the way to get a device there; no room says what is available and \
        the largest free range; a failed create empties the device again. The region is \
        -r, or the first dynamic region that has room.

        Examples:
          daxkit dax create-device -r 0 -s 1G -a 2M
          daxkit dax list -M -d dax0.1 > dax0.1.json && daxkit dax create-device --input dax0.1.json
        """
    )
    @Option("The dax region: N or regionN.", value: "region-id") var region: String?
    @Option(checkedInRun: "Size: bytes or K/M/G/T (default: all available).", value: "size", name: [.short, .long]) var size: String?
    @Option(checkedInRun: "Alignment: 4K, 2M or 1G (default: the region's).", value: "align", name: [.short, .long]) var align: String?
    @Option(name: [.customShort("i"), .customLong("input")], help: ArgumentHelp("A device JSON object whose mappings to replay exactly.", valueName: "file"), completion: .file(extensions: ["json"]))
    var input: String?
    @OptionGroup var units: HumanUnits

    func run() throws {
        try CLI.run {
            var size = try CLI.size(size, .size)
            var align = try CLI.size(align, .align)
            var region = region
            var ranges: [DaxRegionSnapshot.Range] = []
            if let input {
                let saved = try DaxLayout.device(fromFile: input)
                ranges = saved.ranges
                align = ByteCount(bytes: saved.align)
                size = nil
                region = region ?? String(saved.region)
            }
            try DaxDeviceTarget.report("created", printsDevices: true, human: units.human) {
                try DaxDevices.create(region: region, size: size, align: align, ranges: ranges, context: $0)
            }
        }
    }
}

struct DestroyDeviceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "destroy-device",
        abstract: "Destroy dax devices, returning their ranges to the region (daxctl destroy-device compatible).",
        discussion: "An enabled device needs --force. Never, even with --force: a device a process maps (the PID is named) or whose memory is online as system RAM. A region's first device (daxN.0) is emptied to 0 bytes and kept, as the kernel will not delete it (daxctl 76.1 fails with EBUSY there)."
    )
    @OptionGroup var target: DaxDeviceTarget
    @Flag(name: [.short, .long], help: "Disable an enabled device first (never one in use).") var force = false
    func run() throws {
        try target.report("destroyed") { try DaxDevices.destroy($0, region: $1, force: force, context: $2) }
    }
}

struct EnableDeviceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enable-device",
        abstract: "Bind device_dax to dax devices (daxctl enable-device compatible).",
        discussion: "`all` leaves out 0-byte seed devices (daxctl 76.1 fails on them)."
    )
    @OptionGroup var target: DaxDeviceTarget
    func run() throws { try target.report("enabled") { try DaxDevices.enable($0, region: $1, context: $2) } }
}

struct DisableDeviceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disable-device",
        abstract: "Unbind device_dax from dax devices (daxctl disable-device compatible).",
        discussion: "A device a process maps is refused (the PID is named)."
    )
    @OptionGroup var target: DaxDeviceTarget
    func run() throws { try target.report("disabled") { try DaxDevices.disable($0, region: $1, context: $2) } }
}

struct SaveLayoutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "save-layout",
        abstract: "Record every dynamic dax device's exact ranges, size, alignment and mode in FILE.",
        discussion: """
        Dynamic dax devices vanish at reboot and a plain re-create gets other ranges, so a \
        VM's memory would move. The file (JSON) is written atomically: a temporary file is \
        written, fsynced and renamed over FILE, and the directory fsynced. restore-layout \
        puts the same devices back on the same ranges.
        """
    )
    @Argument(help: ArgumentHelp("Where to write the layout.", valueName: "file"), completion: .file()) var file: String
    func run() throws {
        try CLI.run {
            let n = try DaxLayout.save(to: file, context: DAXContext())
            CLI.writeAll(2, "saved \(plural(n, "device")) to \(file)\n")
        }
    }
}

struct RestoreLayoutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore-layout",
        abstract: "Recreate the dax devices a save-layout FILE records, on their exact ranges.",
        discussion: """
        After every boot the kernel hands each soft-reserved region whole to its first \
        device, daxN.0. When the layout records the region's devices and daxN.0 is not \
        among them at that size, restore-layout empties daxN.0 first (enabled, devdax, \
        mapped or opened by no process: its boot state) and says so; daxN.0 in any other \
        state (held by a PID, in system-ram mode, disabled) is refused, naming why. \
        Devices already holding exactly their saved ranges are kept; every other saved \
        device is created on its ranges (multi-range devices included, in device order) \
        and put back in its mode. Every range is checked before anything changes: a range \
        another device holds is named with its holder and nothing changes. A failed step \
        undoes the steps before it; after a crash, running it again finishes the job. \
        Device numbers may differ from the saved ones; the ranges do not.
        """
    )
    @Argument(help: ArgumentHelp("A layout written by save-layout.", valueName: "file"), completion: .file(extensions: ["json"])) var file: String
    @OptionGroup var units: HumanUnits
    func run() throws {
        try CLI.run {
            try DaxDeviceTarget.report("restored", printsDevices: true, human: units.human) {
                try DaxLayout.restore(from: file, context: $0)
            }
        }
    }
}
