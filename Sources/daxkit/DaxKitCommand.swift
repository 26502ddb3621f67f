import DaxCore
import ArgumentParser
import DaxKit
#if canImport(Glibc)
import Glibc
#endif

@main
struct DaxKitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daxkit",
        abstract: "Manage Linux persistent memory and device-DAX (ndctl/daxctl compatible).",
        version: DaxKitVersion.string,
        subcommands: [
            ListCommand.self, CreateNamespaceCommand.self, DestroyNamespaceCommand.self,
            EnableNamespaceCommand.self, DisableNamespaceCommand.self, EnableRegionCommand.self,
            DisableRegionCommand.self, InitLabelsCommand.self, ZeroLabelsCommand.self,
            DaxCommand.self, TouchCommand.self, ProvisionCommand.self, DoctorCommand.self,
        ]
    )

    /// Parses and runs; a usage mistake is one line on stderr and exit status 1, like every
    /// other refusal (help and version print as usual), and an unknown command gets the
    /// nearest one suggested.
    static func main() {
        let args = Array(CommandLine.arguments.dropFirst())
        do {
            var command = try parseAsRoot(args)
            try command.run()
        } catch {
            if error is ExitCode || exitCode(for: error) == .success { exit(withError: error) }
            var text = message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            if text.hasPrefix("Error: ") { text.removeFirst("Error: ".count) }
            let path = args.prefix { !$0.hasPrefix("-") }
            if let unknown = Self.unknownCommand(path) {
                text = "'\(unknown.word)' is not a daxkit \(unknown.parent)command" + (unknown.nearest.map { " (did you mean '\($0)'?)" } ?? "")
                    + "; see daxkit \(unknown.parent)--help"
            } else {
                let known = Self.commandPath(path)
                text += "; see daxkit \(known.isEmpty ? "" : known.joined(separator: " ") + " ")--help"
            }
            CLI.printError(text)
            Glibc.exit(1)
        }
    }

    /// The leading words of `args` that name (sub)commands.
    static func commandPath(_ words: ArraySlice<String>) -> [String] {
        var out: [String] = []
        var type: any ParsableCommand.Type = DaxKitCommand.self
        for w in words {
            guard let sub = type.configuration.subcommands.first(where: { $0.configuration.commandName == w }) else { break }
            out.append(w)
            type = sub
        }
        return out
    }

    /// The first word that should name a subcommand and does not, with the nearest one.
    static func unknownCommand(_ words: ArraySlice<String>) -> (word: String, nearest: String?, parent: String)? {
        var type: any ParsableCommand.Type = DaxKitCommand.self
        var parent = ""
        for w in words {
            let subs = type.configuration.subcommands
            guard !subs.isEmpty else { return nil }
            guard let sub = subs.first(where: { $0.configuration.commandName == w }) else {
                let names = subs.compactMap { $0.configuration.commandName }
                let nearest = Nearest.word(to: w, among: names, within: max(2, w.count / 3))
                return (w, nearest, parent)
            }
            parent += w + " "
            type = sub
        }
        return nil
    }
}
