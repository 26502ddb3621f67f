import ArgumentParser
import DaxKit
import NDCtl
#if canImport(Glibc)
import Glibc
#endif

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

    /// Runs `body`, turning daxkit/ndctl errors into a one-line message and exit status 1.
    static func run(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let e as DaxKitError {
            printError(e.message)
            throw ExitCode(1)
        } catch let e as NDCtlError {
            printError(e.description)
            throw ExitCode(1)
        }
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
