import ArgumentParser
import DaxCore
import DaxKit
import DAXMemory

/// `daxkit provision`: per-VM guest memory on /dev/daxX.Y from a plan file.
struct ProvisionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "provision",
        abstract: "Per-VM guest memory on /dev/daxX.Y, from a declarative plan file.",
        discussion: """
        A plan file (YAML or JSON) lists the VMs and the memory each gets: name, size \
        (guest-usable bytes), align (4K, 2M or 1G), source (namespace: a devdax namespace \
        in labelled pmem; dax: a device in a dynamic dax region), map (dev, mem or none; \
        namespaces only), region, and owner, group and mode of the device node.
        """,
        subcommands: [ProvisionPlanCommand.self, ProvisionApplyCommand.self, ProvisionStatusCommand.self,
                      ProvisionDestroyCommand.self])
}

struct ProvisionPlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Say what provisioning a plan file would do and what it costs; change nothing.",
        discussion: """
        Per VM: the action (create, keep, or recreate when its namespace differs from the \
        plan, which loses its contents), the region, usable and raw bytes, struct-page \
        metadata stored in pmem (map dev), and the host RAM its struct pages take once \
        enabled (host_ram_bytes: 64 bytes per 4 KiB page with map mem, much less for 2M \
        and 1G device-dax on Linux 5.17 and later, which shares the struct pages of \
        compound pages). VMs are placed in the file's order, each in the region named or \
        the best fit. A plan file with mistakes is refused with every problem listed \
        (file, line, VM, key, value, rule, fix). Exits 1 when a VM does not fit.

        --format text (the default on a terminal) prints a table and the totals; json \
        (the default in a pipe) an array with one object per VM.

        Examples:
          daxkit provision plan vms.yaml
          daxkit provision plan vms.yaml --format json | jq '.[].host_ram_bytes'
        """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
        static var allValueStrings: [String] { allCases.map { $0.rawValue } }
    }

    @OptionGroup var planFile: PlanFile
    @Option(help: ArgumentHelp("text or json (default: text on a terminal, json in a pipe).", valueName: "format"))
    var format: Format?

    func run() throws {
        try CLI.run {
            let plan = try planFile.load()
            let report = Provisioning.plan(plan, host: try ProvisionHost(dax: plan.vms.contains { $0.source == .dax }))
            switch format ?? (CLI.stdoutIsTerminal ? .text : .json) {
            case .text: CLI.writeAll(1, report.describe(CLIVocabulary()).joined(separator: "\n") + "\n")
            case .json: CLI.writeAll(1, report.json(CLIVocabulary()).rendered() + "\n")
            }
            if !report.fits { throw ExitCode(1) }
        }
    }
}

/// The plan file every provision command takes.
struct PlanFile: ParsableArguments {
    @Argument(help: ArgumentHelp("The plan file (YAML or JSON).", valueName: "file"), completion: .file(extensions: ["yaml", "yml", "json"]))
    var file: String

    /// The plan, read and checked (``ProvisionPlan/load(_:)``).
    func load() throws -> ProvisionPlan { try ProvisionPlan.load(file) }
}

/// How apply and status print the VMs' devices.
enum StateFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, qemu, libvirt
    case cloudHypervisor = "cloud-hypervisor"

    /// The values `--format` takes, as ArgumentParser's default gives them (the raw
    /// values), without its generic key path: that one is instantiated at run time,
    /// through conformance lookups, at every start of every command that has the option.
    static var allValueStrings: [String] { allCases.map { $0.rawValue } }

    static func print(_ states: [VMState], _ format: StateFormat?) {
        switch format ?? (CLI.stdoutIsTerminal ? .text : .json) {
        case .text: CLI.writeAll(1, states.describe(CLIVocabulary()).joined(separator: "\n") + "\n")
        case .json: CLI.writeAll(1, JSON.array(states.map { $0.json(CLIVocabulary()) }).rendered() + "\n")
        case .qemu, .cloudHypervisor:
            // Only options on stdout, so that they can go into a command line as they are.
            for s in states {
                if let args = format == .qemu ? s.qemuArguments : s.cloudHypervisorArguments {
                    CLI.writeAll(1, "\(s.name): " + args.joined(separator: " ") + "\n")
                } else {
                    CLI.printError(s.problem.map { "\($0.rendered(by: CLIVocabulary())); no options" }
                                   ?? "vm \(s.name): \(s.drift ?? "no device yet"); no options; make it with daxkit provision apply")
                }
            }
        case .libvirt:
            for s in states {
                if let xml = s.libvirtXML { CLI.writeAll(1, xml + "\n") } else {
                    CLI.printError(s.problem.map { "\($0.rendered(by: CLIVocabulary())); no domain XML" }
                                   ?? "vm \(s.name): \(s.drift ?? "no device yet"); no domain XML; make it with daxkit provision apply")
                }
            }
        }
    }
}

struct ProvisionApplyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Make the host match a plan file: create, keep or recreate each VM's device.",
        discussion: """
        Judges the whole plan first and changes nothing if any VM does not fit, an owner or \
        group does not exist, or a VM's namespace differs from the plan (size, align, map, \
        region) without --force, which recreates it and loses its contents. A device that a \
        process maps (a running VM) is never recreated, even with --force; its holder is \
        named. Applying the same plan again changes nothing. Then sets each device node's \
        owner, group and mode, points the VM's stable path /dev/dax/by-vm/NAME at its \
        device (give that path to the VMM: device numbers can change at a reboot, and the \
        daxkit-provision.service unit applies the plan again at boot), and prints the VMs' \
        devices (as status does). A failed step \
        undoes what this apply did, in reverse. Source dax: each VM's exact physical ranges \
        are recorded in the state journal ($DAXKIT_STATE_DIR/provision.json, default \
        /var/lib/daxkit) before the kernel is asked for them; after a reboot apply makes \
        each device again on the same ranges. A region's boot-time device (daxN.0 over the \
        whole soft-reserved range) is the operator's until emptied once (daxkit dax \
        destroy-device daxN.0 -f); once the plan has placed a VM there, apply empties it \
        again after each reboot. Takes the host-wide lock.

        Run as root (as the boot unit does), apply and destroy refuse a plan file that \
        another user could change: not owned by root, group- or world-writable, or in a \
        directory with such rights (as sshd's StrictModes; a sticky directory such as /tmp \
        is allowed). The refusal names the path, the rights found and the chown/chmod \
        that fixes it; daxkit doctor --plan reports the same.

        At boot, daxkit-provision.service runs apply before libvirtd (and virtqemud). If \
        the plan cannot be applied (its region gone, a VM that no longer fits), the unit \
        fails with the refusal in the journal and libvirtd still starts: the VMs whose \
        memory is there can run, and one whose device is missing fails to start on its \
        own, naming the missing path.

        Examples:
          daxkit provision apply vms.yaml
          daxkit provision apply vms.yaml --format qemu
        """)

    @OptionGroup var planFile: PlanFile
    @Flag(name: [.short, .long], help: "Recreate VMs whose namespace differs from the plan (their contents are lost); never one in use.")
    var force = false
    @Option(help: ArgumentHelp("text, json, qemu, libvirt or cloud-hypervisor (default: text on a terminal, json in a pipe).", valueName: "format"))
    var format: StateFormat?

    func run() throws {
        try CLI.run {
            let states = try Provisioning.apply(try planFile.load(), force: force)
            StateFormat.print(states, format)
            let changed = states.filter { $0.action != .keep }.count
            CLI.writeAll(2, "\(changed == 0 ? "nothing to change" : "changed \(plural(changed, "VM"))"); \(plural(states.count, "VM")) as planned\n")
        }
    }
}

struct ProvisionStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Each VM's device, usable bytes, align, owner, whether it is in use, and its drift from the plan.",
        discussion: """
        Per VM of the plan file: its namespace and /dev/daxX.Y, usable bytes, alignment, \
        host RAM of its struct pages, the node's owner, group and mode, the processes that \
        map it (a running VM), and what differs from the plan (what apply would do). \
        Exits 1 when any VM drifts. --format qemu prints the QEMU options for each VM's \
        guest RAM on its device (a memory-backend-file, share=on, with its alignment); \
        libvirt a domain (libvirt 9.0 and later) with the device as an NVDIMM and what to \
        merge into the VM's own; cloud-hypervisor a shared --memory-zone on the device \
        (Cloud Hypervisor before v52 refuses file=/dev/daxX.Y for a memory zone: its \
        vm-memory checked the file's size, which reads 0 for a character device; use v52 \
        or later).

        Examples:
          daxkit provision status vms.yaml
          daxkit provision status vms.yaml --format json | jq '.[] | select(.in_use)'
        """)

    @OptionGroup var planFile: PlanFile
    @Option(help: ArgumentHelp("text, json, qemu, libvirt or cloud-hypervisor (default: text on a terminal, json in a pipe).", valueName: "format"))
    var format: StateFormat?

    func run() throws {
        try CLI.run {
            let states = try Provisioning.status(try planFile.load())
            StateFormat.print(states, format)
            if states.contains(where: { $0.drift != nil || $0.problem != nil }) { throw ExitCode(1) }
        }
    }
}

struct ProvisionDestroyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "destroy",
        abstract: "Tear down VMs' devices, optionally zeroing their memory first.",
        discussion: """
        Destroys the namespace (source namespace) or dax device (source dax, which the \
        state journal then forgets; a region no VM uses any more is given back) of each VM \
        named with --vm (every VM of the plan file without one), and removes its stable \
        path and udev rule; their contents are lost, so --force is required, as for \
        destroy-namespace. --zero overwrites each device with zeros and reads it back \
        before destroying it (tenant hygiene), with progress on a terminal; a device that \
        does not read back as zeros is not destroyed. A VM whose device a process maps (a \
        running VM) refuses the whole teardown, even with --force, naming the holder. \
        VMs without a device are skipped. Takes the host-wide lock.

        Without the plan file, --vm names VMs as the host knows them (a namespace \
        carrying the name, or a dax device the state journal records): for a VM already \
        removed from the plan file.

        Examples:
          daxkit provision destroy vms.yaml --vm db1 --zero --force
          daxkit provision destroy --vm old-vm --force
        """)

    @Argument(help: ArgumentHelp("The plan file (YAML or JSON); without it, --vm names VMs as the host knows them.",
                                 valueName: "file"), completion: .file(extensions: ["yaml", "yml", "json"]))
    var file: String?
    @Option(help: ArgumentHelp("A VM to tear down (repeatable; default: every VM of the plan file).", valueName: "name"))
    var vm: [String] = []
    @Flag(help: "Overwrite each device with zeros and verify them before destroying it.") var zero = false
    @Flag(name: [.short, .long], help: "Consent to destroy (the VMs' memory contents are lost); never overrides in use.")
    var force = false
    @Flag(help: "Draw zeroing progress on stderr even when it is not a terminal.") var progress = false
    @Flag(help: "Never draw zeroing progress.") var noProgress = false

    func run() throws {
        try CLI.run {
            guard file != nil || !vm.isEmpty else {
                throw DaxError(.invalidArgument, object: "provision destroy", problem: "neither a plan file nor --vm",
                               fix: "name the plan file, or the VMs with --vm NAME")
            }
            let plan = try file.map { try ProvisionPlan.load($0) } ?? Provisioning.hostPlan(vms: vm)
            for n in vm where !plan.vms.contains(where: { $0.name == n }) {
                throw DaxError(.notFound, object: Phrase("vm \(n)"), problem: Phrase("not in \(plan.file)"),
                               fix: Phrase("name one of \(plan.vms.map(\.name).joined(separator: ", "))"))
            }
            guard force else {
                throw DaxError(.inUse, object: Phrase(vm.isEmpty ? "every VM of \(plan.file)" : "vm \(vm.joined(separator: ", "))"),
                               problem: "destroying loses the VMs' memory contents", fix: "\(enable: .force) to destroy")
            }
            let line = ProgressLine(style: ProgressLine.style(asked: progress, refused: noProgress), labels: ("zero", "zero (2nd)"))
            let destroyed = try Provisioning.destroy(plan, vms: vm, zero: zero,
                                                     progress: line.enabled ? { _, p in line.draw(p) } : nil)
            line.clear()
            CLI.writeAll(2, "destroyed \(plural(destroyed.count, "VM"))\(destroyed.isEmpty ? "" : ": " + destroyed.joined(separator: ", "))\(zero && !destroyed.isEmpty ? " (zeroed and verified)" : "")\n")
        }
    }
}
