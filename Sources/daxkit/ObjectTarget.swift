import ArgumentParser
import NDCtl

/// The objects that destroy/enable/disable-namespace, enable/disable-region and
/// init/zero-labels act on: named by the positional argument, looked for on the bus that
/// `-b` names.
protocol ObjectTarget: ParsableArguments {
    /// What the count line calls one of them ("enabled 2 regions").
    static var noun: String { get }
    /// The count as ndctl words it: "0 regions", "1 region", "2 regions".
    static func counted(_ n: Int) -> String
    var busLimit: BusLimit { get }
}

extension ObjectTarget {
    static func counted(_ n: Int) -> String { plural(n, noun) }

    var bus: String? { busLimit.bus }

    /// What those commands all do: one library operation in a new kernel context, then,
    /// on stderr, how many objects it did ("VERB N objects").
    func report(_ verb: String, _ operation: (NDContext) throws -> Int) throws {
        try CLI.run {
            let count = try operation(NDContext())
            CLI.writeAll(2, "\(verb) \(Self.counted(count))\n")
        }
    }
}
