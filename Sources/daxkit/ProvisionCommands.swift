import ArgumentParser
import DaxCore
import DaxKit

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
        subcommands: [ProvisionPlanCommand.self])
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
    }

    @Argument(help: ArgumentHelp("The plan file (YAML or JSON).", valueName: "file")) var file: String
    @Option(help: ArgumentHelp("text or json (default: text on a terminal, json in a pipe).", valueName: "format"))
    var format: Format?

    func run() throws {
        try CLI.run {
            let plan = try ProvisionPlan.load(file)
            let report = Provisioning.plan(plan, host: try ProvisionHost())
            switch format ?? (CLI.stdoutIsTerminal ? .text : .json) {
            case .text: CLI.writeAll(1, report.describe(CLIVocabulary()).joined(separator: "\n") + "\n")
            case .json: CLI.writeAll(1, report.json(CLIVocabulary()).rendered() + "\n")
            }
            if !report.fits { throw ExitCode(1) }
        }
    }
}
