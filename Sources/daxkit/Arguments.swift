import ArgumentParser

// How daxkit declares its options, and the options several commands share.

extension Option {
    /// An optional value: `-x, --name <value>` unless `name` says otherwise (ndctl spells
    /// most of its options both ways); `nil` when not given.
    init<T: ExpressibleByArgument>(
        _ help: String, value: String, name: NameSpecification = [.short, .long]
    ) where Value == T? {
        self.init(name: name, help: ArgumentHelp(help, valueName: value))
    }

    /// An optional value that `run()` parses (sizes, alignments, a seed) or checks (a
    /// thread count) itself, inside `CLI.run`, so that a bad value is a `DaxError` (one
    /// line, exit status 1) like every other refusal: `.unconditional` lets a value such
    /// as `-64M` reach that parser ("negative") instead of ArgumentParser's "Missing value".
    init<T: ExpressibleByArgument>(
        checkedInRun help: String, value: String, name: NameSpecification = .long
    ) where Value == T? {
        self.init(name: name, parsing: .unconditional, help: ArgumentHelp(help, valueName: value))
    }
}

/// `-b, --bus`: the bus that the objects a command names are looked for on.
struct BusLimit: ParsableArguments {
    @Option("Limit to a bus.", value: "bus-id") var bus: String?
}

/// `-u, --human`, as `list` and `dax list` both spell it.
struct HumanUnits: ParsableArguments {
    @Flag(name: [.customShort("u"), .long], help: "Use human-friendly number formats.") var human = false
}

/// `-v, --verbose`, which ndctl's namespace commands take (debug logging there): accepted
/// so that ndctl's scripts run unchanged; daxkit says the same either way.
struct Verbosity: ParsableArguments {
    @Flag(name: [.short, .long], help: "Accepted for ndctl's scripts (ndctl's debug output); daxkit's messages are the same.")
    var verbose = false
}

/// `-r, --region`: the region that the namespaces a command names or creates are looked
/// for in.
struct RegionLimit: ParsableArguments {
    @Option("Limit to a region: id, name or \"all\".", value: "region-id") var region: String?
}

extension CommandConfiguration {
    /// A command that does what ndctl's `commandName` does: its abstract says so, the same
    /// way for every one of them ("Enable regions (ndctl enable-region compatible).").
    static func ndctl(_ commandName: String, _ abstract: String, discussion: String = "") -> CommandConfiguration {
        CommandConfiguration(
            commandName: commandName, abstract: "\(abstract) (ndctl \(commandName) compatible).", discussion: discussion)
    }
}
