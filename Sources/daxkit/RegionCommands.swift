import ArgumentParser
import DaxCore
import DaxKit
import NDCtl

struct RegionTarget: ObjectTarget {
    static let noun = "region"
    @Argument(help: ArgumentHelp("regionN, N, or \"all\".", valueName: "region"))
    var region: String
    @OptionGroup var busLimit: BusLimit

    /// Applies a library operation (`ident, bus:, context:`) to the regions named, and
    /// says how many it did.
    func apply(_ verb: String, _ operation: (String, String?, NDContext) throws -> [String]) throws {
        try report(verb) { try operation(region, bus, $0).count }
    }
}

struct EnableRegionCommand: ParsableCommand {
    static let configuration = CommandConfiguration.ndctl("enable-region", "Enable regions")
    @OptionGroup var target: RegionTarget
    func run() throws { try target.apply("enabled", Regions.enable) }
}

struct DisableRegionCommand: ParsableCommand {
    static let configuration = CommandConfiguration.ndctl(
        "disable-region", "Disable regions", discussion: "Refused when a namespace of the region is mapped, mounted, held open or online as system RAM.")
    @OptionGroup var target: RegionTarget
    func run() throws { try target.apply("disabled", Regions.disable) }
}
