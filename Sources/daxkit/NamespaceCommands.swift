import ArgumentParser
import DaxCore
import DaxKit
import NDCtl

/// What destroy/enable/disable-namespace act on.
struct NamespaceTarget: ObjectTarget {
    static let noun = "namespace"
    @Argument(help: ArgumentHelp("namespaceX.Y, X.Y, or \"all\".", valueName: "namespace"))
    var namespace: String
    @OptionGroup var regionLimit: RegionLimit
    @OptionGroup var busLimit: BusLimit

    /// Applies a library operation (`ident, region:, bus:, context:`) to the namespaces
    /// named, and says how many it did.
    func apply(_ verb: String, _ operation: (String, String?, String?, NDContext) throws -> Namespaces.Outcome) throws {
        try report(verb) { try operation(namespace, regionLimit.region, bus, $0).processed.count }
    }
}

struct DestroyNamespaceCommand: ParsableCommand {
    static let configuration = CommandConfiguration.ndctl(
        "destroy-namespace", "Destroy namespaces, releasing their capacity",
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
        try target.apply("destroyed") { try Namespaces.destroy($0, region: $1, bus: $2, force: force, context: $3) }
    }
}

struct EnableNamespaceCommand: ParsableCommand {
    static let configuration = CommandConfiguration.ndctl(
        "enable-namespace", "Enable namespaces", discussion: "A kernel refusal quotes the kernel's log lines for the attempt.")
    @OptionGroup var target: NamespaceTarget
    func run() throws { try target.apply("enabled", Namespaces.enable) }
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
        try target.apply("disabled") { _ = force; return try Namespaces.disable($0, region: $1, bus: $2, context: $3) }
    }
}
