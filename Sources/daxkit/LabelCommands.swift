import ArgumentParser
import DaxCore
import DaxKit
import NDCtl

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
                throw DaxError(.invalidArgument, object: "\(.labelVersion, labelVersion)", problem: "unknown label version",
                               fix: "use 1.1 or 1.2")
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
