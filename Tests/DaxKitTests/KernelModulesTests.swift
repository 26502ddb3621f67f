import DaxCore
@testable import DaxKit
import Foundation
import Testing

/// ``KernelModules`` against the running kernel: a module that cannot exist, and one this
/// host has loaded or built in, picked at test time from what the kernel itself lists.
@Suite("kernel modules on this host")
struct KernelModulesTests {
    static let bogus = "daxkit_no_such_module"

    /// The running kernel's release, read independently of the code under test.
    static func release() throws -> String {
        try String(contentsOfFile: "/proc/sys/kernel/osrelease", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A module this host certainly has, and the state the kernel gives it: a live entry of
    /// `/proc/modules` (`.loaded`), else an entry of `/lib/modules/<release>/modules.builtin`
    /// (`.builtin`), else a `/sys/module` directory (`.loaded` with an `initstate` of
    /// "live", `.builtin` without one); nil when none of them lists anything.
    static func knownModule() throws -> (name: String, state: KernelModules.State)? {
        if let text = try? String(contentsOfFile: "/proc/modules", encoding: .utf8) {
            for line in text.split(separator: "\n") {
                let f = line.split(separator: " ")
                if f.count > 4, f[4] == "Live" { return (String(f[0]), .loaded) }
            }
        }
        let builtin = "/lib/modules/\(try release())/modules.builtin"
        if let text = try? String(contentsOfFile: builtin, encoding: .utf8),
           let first = text.split(separator: "\n").first(where: { $0.hasSuffix(".ko") }) {
            let file = first.split(separator: "/").last!.dropLast(3)
            return (file.replacingOccurrences(of: "-", with: "_"), .builtin)
        }
        let fm = FileManager.default
        for name in ((try? fm.contentsOfDirectory(atPath: "/sys/module")) ?? []).sorted() {
            let initstate = "/sys/module/\(name)/initstate"
            guard let state = try? String(contentsOfFile: initstate, encoding: .utf8) else {
                if !fm.fileExists(atPath: initstate) { return (name, .builtin) }
                continue
            }
            if state.trimmingCharacters(in: .whitespacesAndNewlines) == "live" { return (name, .loaded) }
        }
        return nil
    }

    @Test("a module that cannot exist is missing")
    func bogusIsMissing() {
        #expect(KernelModules.state(Self.bogus) == .missing)
    }

    @Test("loading a missing module throws notFound naming it, the purpose and the package")
    func loadMissingThrows() throws {
        let release = try Self.release()
        let e = try #require(throws: DaxError.self) {
            try KernelModules.load(Self.bogus, neededFor: "system-ram mode")
        }
        #expect(e.code == .notFound)
        #expect(e.underlyingError == nil)
        let text = e.description
        #expect(text.contains(Self.bogus))
        #expect(text.contains("system-ram mode"))
        #expect(text.contains("linux-image-\(release)"))
        #expect(!text.contains("--"), "library terms only: \(text)")
    }

    @Test("a missing daxkit module names its kernel option")
    func missingNamesConfigOption() {
        let e = KernelModules.missingError(KernelModules.kmem, "system-ram mode")
        #expect(e.description.contains("CONFIG_DEV_DAX_KMEM"))
    }

    @Test("a module this host has loaded or built in is reported so")
    func knownModuleState() throws {
        guard let (name, state) = try Self.knownModule() else {
            // Nothing lists a module on this host: there is nothing to compare with.
            return
        }
        #expect(KernelModules.state(name) == state, "\(name)")
        try KernelModules.load(name, neededFor: "the test")   // nothing to do: must not throw
    }

    @Test("a daxkit module whose driver is registered is built in or loaded, never missing")
    func registeredDriverIsPresent() {
        for (name, path) in KernelModules.driverPath where FileManager.default.fileExists(atPath: path) {
            let state = KernelModules.state(name)
            #expect(state == .builtin || state == .loaded, "\(name): \(path) exists, state \(state)")
        }
    }

    @Test("the kernel release is uname -r")
    func kernelRelease() throws {
        #expect(KernelModules.kernelRelease() == (try Self.release()))
    }
}
