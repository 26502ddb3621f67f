import ArgumentParser
import DaxCore
import DaxKit
import NDCtl

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

