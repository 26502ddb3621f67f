import ArgumentParser
import DaxCore
import DaxKit
#if canImport(Glibc)
import Glibc
#endif

/// How `daxkit` says a library error's parameters and operations: flags and commands.
struct CLIVocabulary: Vocabulary {
    /// Parameters whose flag is not `--` and the kebab-case of their name.
    static let flags: [Parameter: String] = [
        .reconfigure: "-e", .expectedPageSize: "--expect-pagesize",
    ]

    static func flag(_ p: Parameter) -> String {
        if let f = flags[p] { return f }
        var out = "--"
        for c in p.rawValue {
            if c.isUppercase { out += "-" + c.lowercased() } else { out.append(c) }
        }
        return out
    }

    func parameter(_ parameter: Parameter, value: String?) -> String {
        let f = Self.flag(parameter)
        return value.map { "\(f) \($0)" } ?? f
    }

    func enabling(_ parameter: Parameter) -> String { "pass \(Self.flag(parameter))" }

    func operation(_ operation: Operation) -> String {
        let object = [operation.object].compactMap { $0 }
        switch operation.name {
        case "list-regions": return "daxkit list -R -i"
        case "list-namespaces": return "daxkit list -N -i"
        case "list-dimms": return "daxkit list -D -i"
        case "list-dax-devices": return "daxkit dax list -D"
        case "list-dax-mappings": return (["daxkit dax list -M -d"] + object).joined(separator: " ")
        case "create-namespace":
            return (["daxkit create-namespace"] + object.map { "-r \($0)" } + operation.arguments.map { "-m \($0)" })
                .joined(separator: " ")
        case "reconfigure-device":
            return (["daxkit dax reconfigure-device"] + object + operation.arguments.map { "-m \($0)" }).joined(separator: " ")
        case "destroy-device":
            return (["daxkit dax destroy-device"] + object + ["-f"]).joined(separator: " ")
        default: return (["daxkit " + operation.name] + object + operation.arguments).joined(separator: " ")
        }
    }
}

/// Shared printing and error handling for subcommands: one line on stderr, non-zero exit.
enum CLI {
    static func printError(_ message: String) {
        writeAll(2, "daxkit: " + message + "\n")
    }

    /// Writes all of `text` to a file descriptor, retrying short writes and EINTR.
    static func writeAll(_ fd: Int32, _ text: String) {
        var t = text
        t.withUTF8 { buf in
            var off = 0
            while off < buf.count {
                let n = write(fd, buf.baseAddress! + off, buf.count - off)
                if n < 0 { if errno == EINTR { continue }; return }
                off += n
            }
        }
    }

    /// Whether standard output is a terminal (ndctl prints human units there).
    static var stdoutIsTerminal: Bool { isatty(1) != 0 }

    /// The one place library errors are caught: `body`'s `DaxError` becomes one line on
    /// stderr, in the CLI's vocabulary, and exit status 1.
    static func run(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let e as DaxError {
            // An error that sums up others (a plan's problems): each of them on a line
            // of its own, then the summary.
            for detail in e.details { printError(detail.rendered(by: CLIVocabulary())) }
            printError(e.rendered(by: CLIVocabulary()))
            throw ExitCode(1)
        }
    }

    /// Parses a size option with the one size parser (ndctl's grammar); `nil` stays `nil`.
    static func size(_ text: String?, _ parameter: Parameter) throws -> ByteCount? {
        try text.map { try ByteCount(parsing: $0, parameter: parameter) }
    }

    /// Prints a listing; warnings to stderr; fails when an object could not be rendered.
    static func emit(_ out: ListOutput) throws {
        for w in out.warnings { printError(w) }
        writeAll(1, out.text)
        if !out.failures.isEmpty {
            printError("list: could not describe \(out.failures.joined(separator: ", ")) (kernel state changed while listing, or a personality without its device); re-run the command")
            throw ExitCode(1)
        }
    }
}
