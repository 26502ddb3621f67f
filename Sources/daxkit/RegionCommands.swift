import ArgumentParser
import DaxCore
import DaxKit
import NDCtl

struct RegionTarget: ParsableArguments {
    @Argument(help: ArgumentHelp("regionN, N, or \"all\".", valueName: "region"))
    var region: String
    @Option(name: [.short, .long], help: ArgumentHelp("Limit to a bus.", valueName: "bus-id"))
    var bus: String?
}

struct EnableRegionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "enable-region", abstract: "Enable regions (ndctl enable-region compatible).")
    @OptionGroup var target: RegionTarget
    func run() throws {
        try CLI.run {
            let done = try Regions.enable(target.region, bus: target.bus, context: NDContext())
            CLI.writeAll(2, "enabled \(plural(done.count, "region"))\n")
        }
    }
}

struct DisableRegionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disable-region",
        abstract: "Disable regions (ndctl disable-region compatible).",
        discussion: "Refused when a namespace of the region is mapped, mounted, held open or online as system RAM."
    )
    @OptionGroup var target: RegionTarget
    func run() throws {
        try CLI.run {
            let done = try Regions.disable(target.region, bus: target.bus, context: NDContext())
            CLI.writeAll(2, "disabled \(plural(done.count, "region"))\n")
        }
    }
}

