import ArgumentParser
import DaxCore
import DaxKit
import NDCtl

struct DIMMTarget: ObjectTarget {
    static let noun = "nmem"
    /// ndctl's dimm.c says "0 nmem", "1 nmem", "2 nmems" (plural only above one).
    static func counted(_ n: Int) -> String { "\(n) nmem\(n > 1 ? "s" : "")" }
    @Argument(help: ArgumentHelp("nmemN, N, or \"all\".", valueName: "nmem"))
    var dimms: [String]
    @OptionGroup var busLimit: BusLimit

    /// Applies a library operation (`idents, bus:, context:`) to the DIMMs named, and
    /// says how many it did.
    func apply(_ verb: String, _ operation: ([String], String?, NDContext) throws -> [String]) throws {
        try report(verb) { try operation(dimms, bus, $0).count }
    }
}

struct InitLabelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration.ndctl(
        "init-labels", "Initialise an empty label index on DIMMs", discussion: "The DIMMs' regions must be disabled first. Existing valid labels are kept unless --force.")
    @OptionGroup var target: DIMMTarget
    @Flag(name: [.short, .long], help: "Overwrite an existing valid label index (all namespaces on it are lost).")
    var force = false
    @Option(name: [.customShort("V"), .customLong("label-version")], help: ArgumentHelp("Label version: 1.1 (default) or 1.2.", valueName: "version"))
    var labelVersion = "1.1"

    func run() throws {
        // The version is checked before the kernel context is opened.
        try CLI.run {
            guard labelVersion == "1.1" || labelVersion == "1.2" else {
                throw DaxError(.invalidArgument, object: "\(.labelVersion, labelVersion)", problem: "unknown label version",
                               fix: "use 1.1 or 1.2")
            }
        }
        try target.apply("initialized") { try Regions.initLabels($0, bus: $1, force: force, v12: labelVersion == "1.2", context: $2) }
    }
}

struct ZeroLabelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration.ndctl(
        "zero-labels", "Erase the label area of DIMMs", discussion: "The DIMMs' regions must be disabled first.")
    @OptionGroup var target: DIMMTarget
    func run() throws { try target.apply("zeroed", Regions.zeroLabels) }
}
