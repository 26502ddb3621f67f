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
    @OptionGroup var verbosity: Verbosity

    /// Applies a library operation (`ident, region:, bus:, context:`) to the namespaces
    /// named, says which of them were idle (nothing done, not counted) and how many it did.
    func apply(_ verb: String, _ operation: (String, String?, String?, NDContext) throws -> Namespaces.Outcome) throws {
        try report(verb) {
            let out = try operation(namespace, regionLimit.region, bus, $0)
            let action = ["destroyed": "destroy", "disabled": "disable"][verb] ?? verb
            for note in out.notes { CLI.writeAll(2, note + "\n") }
            for name in out.idle {
                CLI.printError("\(name): idle (size 0, no uuid: never configured, or destroyed): nothing to \(action)")
            }
            return out.processed.count
        }
    }
}

struct DestroyNamespaceCommand: ParsableCommand {
    static let configuration = CommandConfiguration.ndctl(
        "destroy-namespace", "Destroy namespaces, releasing their capacity",
        discussion: """
        An active namespace needs --force. Beyond ndctl, even --force refuses a namespace \
        whose dax device is mapped by a live process (the PID and command are named: usually \
        a VM whose RAM this is), whose block device is mounted or held open, or whose dax \
        device is online as system RAM. All targets are checked before any is touched. The \
        label name is cleared with the namespace, so no later lookup by name finds it. An \
        idle namespace named (size 0: a region's unused seed, or destroyed) is a no-op: it \
        is named and not counted ("destroyed 0 namespaces").
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
    static let configuration = CommandConfiguration.ndctl(
        "disable-namespace", "Disable namespaces",
        discussion: """
        As ndctl does, an active namespace is disabled without --force. Beyond ndctl, a \
        namespace that is mapped by a process, mounted, held open or online as system RAM \
        is refused (the holder is named), with or without --force. An idle namespace \
        (size 0: never configured, or destroyed) is already disabled: it is named and not \
        counted.
        """
    )
    @OptionGroup var target: NamespaceTarget
    @Flag(name: [.short, .long], help: "Accepted for scripts written for earlier daxkit; disabling needs no consent.")
    var force = false

    func run() throws { try target.apply("disabled", Namespaces.disable) }
}
