import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing

/// Helpers for tests that run inside the emulated-pmem lab (`scripts/lab`).
enum Lab {
    /// The package root (this file is Tests/IntegrationTests/LabSupport.swift).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The daxkit binary as built: $DAXKIT_BIN (scripts/test sets the shipped build,
    /// scripts/build-release) or the debug build.
    static var built: String {
        ProcessInfo.processInfo.environment["DAXKIT_BIN"]
            ?? packageRoot.appendingPathComponent(".build/debug/daxkit").path
    }

    /// The daxkit binary under test: inside the lab, a copy of `built` on the guest's
    /// /tmp (tmpfs), made once per test process. The work directory is a 9p share
    /// (cache=mmap), and every exec from it pages the binary in over 9p again: under
    /// TCG a `list` from there took 1.9-3.7 s against 1.0 s from tmpfs, and the lab
    /// suites run daxkit thousands of times. Outside the lab, or when the copy fails,
    /// `built` itself (require() then names it).
    static let daxkit: String = {
        let source = built
        guard ProcessInfo.processInfo.environment["DAXKIT_LAB"] == "1",
              FileManager.default.isExecutableFile(atPath: source) else { return source }
        let dir = "/tmp/daxkit-under-test-\(getpid())"
        let copy = "\(dir)/daxkit"
        do {
            // 0755 and a world-readable copy: some tests run it as another user.
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o755])
            try FileManager.default.copyItem(atPath: source, toPath: copy)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: copy)
            return copy
        } catch {
            return source
        }
    }()

    /// Fails the calling test unless it runs inside the lab: an integration test that
    /// cannot run must fail, not skip.
    static func require() throws {
        let env = ProcessInfo.processInfo.environment
        try #require(env["DAXKIT_LAB"] == "1",
                     "not inside the emulated-pmem lab: run integration tests with scripts/test (or scripts/lab -- swift test ...)")
        try #require(FileManager.default.fileExists(atPath: "/sys/bus/nd/devices"),
                     "the lab booted without libnvdimm: /sys/bus/nd/devices is missing")
        try #require(FileManager.default.isExecutableFile(atPath: daxkit), "daxkit binary not built at \(built)")
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs a program (looked up in PATH when not absolute) and captures its output.
    /// Uses posix_spawn with stdout/stderr redirected to temp files (Foundation's Process
    /// needs a run loop that is not worth depending on inside the lab guest).
    @discardableResult
    static func run(_ program: String, _ args: [String]) throws -> Result {
        let tmp = FileManager.default.temporaryDirectory.path
        let tag = "\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        let outPath = "\(tmp)/daxkit-test-\(tag).out", errPath = "\(tmp)/daxkit-test-\(tag).err"
        defer { unlink(outPath); unlink(errPath) }
        let pid = try spawn(program, args, stdout: outPath, stderr: errPath)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exited = (status & 0x7f) == 0
        let code: Int32 = exited ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let out = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        return Result(status: code, stdout: out, stderr: err)
    }

    /// Starts a program (looked up in PATH when it has no slash) with stdin from
    /// /dev/null, stdout to a file and stderr to a file or inherited; returns its pid.
    static func spawn(_ program: String, _ args: [String], stdout path: String, stderr errPath: String? = nil) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        if let errPath {
            posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        }
        let argv = [program] + args
        var cargs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for a in cargs { free(a) } }
        var pid: pid_t = 0
        let rc = program.contains("/")
            ? posix_spawn(&pid, program, &actions, nil, &cargs, environ)
            : posix_spawnp(&pid, program, &actions, nil, &cargs, environ)
        guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EIO) }
        return pid
    }

    /// A process that maps `bytes` of `path` shared, writes its first byte and sleeps
    /// (as a VM holds its guest RAM): started, and waited for until it has mapped.
    ///
    /// - Returns: its pid; the caller kills it with ``stopHolder(_:)``.
    static func mapHolder(_ path: String, bytes: UInt64) throws -> pid_t {
        let out = "/tmp/daxkit-holder-\(getpid())-\(path.split(separator: "/").last ?? "").out"
        unlink(out)
        defer { unlink(out) }
        let pid = try spawn("/usr/bin/python3", ["-c", "import mmap,os,time; fd=os.open('\(path)',os.O_RDWR); m=mmap.mmap(fd,\(bytes),mmap.MAP_SHARED); m[0]=1; print('mapped',flush=True); time.sleep(300)"], stdout: out)
        var mapped = false
        for _ in 0..<300 where !mapped {
            mapped = (try? String(contentsOfFile: out, encoding: .utf8))?.contains("mapped") == true
            if !mapped { usleep(100_000) }
        }
        if !mapped { stopHolder(pid) }
        try #require(mapped, "the holder process never mapped \(path)")
        return pid
    }

    /// Kills a ``mapHolder(_:bytes:)`` process and reaps it.
    static func stopHolder(_ pid: pid_t) {
        kill(pid, SIGKILL)
        var st: Int32 = 0
        waitpid(pid, &st, 0)
    }

    /// Runs a command that must succeed; returns stdout.
    @discardableResult
    static func must(_ program: String, _ args: [String]) throws -> String {
        let r = try run(program, args)
        try #require(r.status == 0, "\(program) \(args.joined(separator: " ")) exited \(r.status): \(r.stderr)")
        return r.stdout
    }

    /// Parses JSON text into a Foundation object tree (nil for empty output).
    static func parse(_ text: String) throws -> NSObject? {
        let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if t.isEmpty { return nil }
        return try JSONSerialization.jsonObject(with: Data(t.utf8), options: [.fragmentsAllowed]) as? NSObject
    }

    static func sysfs(_ path: String) -> String? {
        (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Returns every labelled NVDIMM region and the legacy region to "fresh": all
    /// namespaces destroyed / reset to raw, using ndctl (the reference tool).
    static func resetWithNdctl() throws {
        _ = try run("ndctl", ["destroy-namespace", "all", "-f"])
    }
}
