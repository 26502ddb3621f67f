import DAXMemory
import DaxCore
import Foundation

/// A temporary directory removed when the value is deinitialised.
final class TemporaryDirectory {
    let path: String

    init(_ prefix: String = "daxmemory-tests") throws {
        let base = FileManager.default.temporaryDirectory.path
        path = base + "/\(prefix)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    func write(_ relative: String, _ contents: String) throws {
        let full = path + "/" + relative
        try FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try contents.write(toFile: full, atomically: false, encoding: .utf8)
    }

    func mkdir(_ relative: String) throws {
        try FileManager.default.createDirectory(atPath: path + "/" + relative, withIntermediateDirectories: true)
    }

    func symlink(_ relative: String, to destination: String) throws {
        let full = path + "/" + relative
        try FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: full, withDestinationPath: destination)
    }
}

/// Whether shmem (memfd, tmpfs) may be backed by transparent huge pages here,
/// which would make a 4K write touch take fewer than one fault per page.
func shmemMayUseHugePages() -> Bool {
    guard let text = try? String(contentsOfFile: "/sys/kernel/mm/transparent_hugepage/shmem_enabled", encoding: .utf8)
    else { return false }
    guard let open = text.firstIndex(of: "["), let close = text.firstIndex(of: "]") else { return false }
    let selected = text[text.index(after: open)..<close]
    return selected == "always" || selected == "within_size" || selected == "force"
}

/// A unique path on tmpfs (/dev/shm when present).
func tmpfsPath(_ name: String) -> String {
    let directory = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    return directory + "/daxmemory-\(name)-\(UUID().uuidString)"
}

/// A front end's vocabulary as `daxkit` speaks it (parameters as `--kebab-case` flags),
/// to check that an error names the flag a CLI user would pass.
struct FlagVocabulary: Vocabulary {
    func parameter(_ parameter: Parameter, value: String?) -> String {
        var flag = "--"
        for c in parameter.rawValue {
            if c.isUppercase { flag += "-" + c.lowercased() } else { flag.append(c) }
        }
        return value.map { "\(flag) \($0)" } ?? flag
    }
    func enabling(_ parameter: Parameter) -> String { "pass " + self.parameter(parameter, value: nil) }
    func operation(_ operation: DaxCore.Operation) -> String { operation.name }
}
