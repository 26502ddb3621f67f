import Foundation
import Testing
@testable import DaxCore

/// HostFile reads every sysfs attribute and /proc file that operations look at.
@Suite("HostFile")
struct HostFileTests {
    func temp(_ bytes: [UInt8]) throws -> String {
        let path = NSTemporaryDirectory() + "daxkit-hostfs-\(UUID().uuidString)"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("reads whole files across the 4 KiB read steps, and empty files")
    func readsWholeFiles() throws {
        for size in [0, 1, 4095, 4096, 4097, 3 * 4096 + 17] {
            let bytes = (0..<size).map { UInt8(ascii: "a") + UInt8($0 % 26) }
            let path = try temp(bytes)
            defer { unlink(path) }
            #expect(HostFile.read(path) == String(decoding: bytes, as: UTF8.self), "size \(size)")
        }
        #expect(HostFile.read("/nonexistent/daxkit") == nil)
    }

    @Test("makeDirectories makes absolute and relative paths (from the working directory)")
    func makeDirectories() throws {
        let base = NSTemporaryDirectory() + "daxkit-mkdir-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: base) }
        #expect(throws: Never.self) { try Syscall.makeDirectories(base + "/a/b").get() }
        #expect(FileManager.default.fileExists(atPath: base + "/a/b"))
        let cwd = FileManager.default.currentDirectoryPath
        defer { _ = FileManager.default.changeCurrentDirectoryPath(cwd) }
        try #require(FileManager.default.changeCurrentDirectoryPath(base))
        #expect(throws: Never.self) { try Syscall.makeDirectories("c/d").get() }
        #expect(FileManager.default.fileExists(atPath: base + "/c/d"))
    }

    @Test("trimmed drops leading spaces and trailing whitespace only")
    func trims() throws {
        let cases: [(String, String)] = [
            ("4096\n", "4096"), ("  0x1000 \t\n\n", "0x1000"), ("", ""), ("\n", ""),
            ("a b\n", "a b"), ("\tx\n", "\tx"), ("2M 1G\n", "2M 1G"), ("é\n", "é"),
        ]
        for (input, want) in cases {
            let path = try temp(Array(input.utf8))
            defer { unlink(path) }
            #expect(HostFile.trimmed(path) == want, "\(input.debugDescription)")
        }
        #expect("x \n".trimmingSuffixNewlines() == "x")
        #expect("  x".trimmingSuffixNewlines() == "  x")
    }

    @Test("readlink returns the target, nil for a non-link")
    func readsLinks() throws {
        let path = NSTemporaryDirectory() + "daxkit-link-\(UUID().uuidString)"
        #expect(symlink("/dev/dax0.0", path) == 0)
        defer { unlink(path) }
        #expect(HostFile.readlink(path) == "/dev/dax0.0")
        #expect(HostFile.readlink("/") == nil)
    }
}
