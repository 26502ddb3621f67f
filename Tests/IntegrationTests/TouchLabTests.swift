import DAXMemory
import DaxCore
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `MemoryTarget`/`MemoryMapping.touch` and `daxkit touch` against real device-DAX
/// devices: the kernel's page size for the mapping (smaps `KernelPageSize`), exactly
/// one fault per aligned page, aligned addresses, the mapping rules the kernel
/// enforces, and pattern/verify. Devices are created with ndctl (the reference tool)
/// and destroyed again by each test. Needs a labelled region with room for a 2G
/// namespace and 1G alignment support (`--mem 2G --nvdimm 8G`, `-cpu max`).
@Suite("touch on device-DAX (lab)", .serialized)
struct TouchLabTests {
    /// A devdax namespace created with ndctl for one test.
    struct Device {
        var namespace: String
        /// `/dev/daxX.Y`.
        var path: String
        var size: Int
        var align: Int

        /// Destroys the namespace (with ndctl); failures are recorded, not thrown.
        func destroy() {
            do {
                try Lab.must("ndctl", ["destroy-namespace", namespace, "-f"])
            } catch {
                Issue.record("cannot destroy \(namespace): \(error)")
            }
        }
    }

    /// The labelled region with the most available space.
    static func labelledRegion() throws -> String {
        var best: (name: String, available: Int)?
        for dev in (try? FileManager.default.contentsOfDirectory(atPath: "/sys/bus/nd/devices")) ?? []
        where dev.hasPrefix("region") && Lab.sysfs("/sys/bus/nd/devices/\(dev)/nstype") == "5" {
            let available = Int(Lab.sysfs("/sys/bus/nd/devices/\(dev)/available_size") ?? "") ?? 0
            if available > best?.available ?? -1 { best = (dev, available) }
        }
        return try #require(best?.name, "no labelled NVDIMM region in this lab (run with --nvdimm SIZE)")
    }

    /// Creates a devdax namespace with ndctl and returns its device, checked against sysfs.
    static func createDevDAX(align: String, size: String, name: String) throws -> Device {
        let region = try labelledRegion()
        let alignBytes = try ByteCount.parse(align)
        if let seed = Lab.sysfs("/sys/bus/nd/devices/\(region)/dax_seed"),
            let supported = Lab.sysfs("/sys/bus/nd/devices/\(seed)/supported_alignments")
        {
            try #require(
                supported.split(separator: " ").contains(Substring(String(alignBytes))),
                "\(region) does not support align \(align) (supported_alignments: \(supported)); 1G needs -cpu max")
        }
        let text = try Lab.must(
            "ndctl", ["create-namespace", "-r", region, "-m", "devdax", "-a", align, "-s", size, "-n", name])
        let ns = try #require(try Lab.parse(text) as? [String: Any], "ndctl printed no namespace: \(text)")
        let namespace = try #require(ns["dev"] as? String)
        let devices = (ns["daxregion"] as? [String: Any])?["devices"] as? [[String: Any]]
        guard let chardev = devices?.first?["chardev"] as? String else {
            _ = try? Lab.run("ndctl", ["destroy-namespace", namespace, "-f"])
            throw Failure("ndctl create-namespace made no dax device: \(text)")
        }
        let sysSize = Int(Lab.sysfs("/sys/bus/dax/devices/\(chardev)/size") ?? "") ?? 0
        let sysAlign = Int(Lab.sysfs("/sys/bus/dax/devices/\(chardev)/align") ?? "") ?? 0
        let device = Device(namespace: namespace, path: "/dev/\(chardev)", size: sysSize, align: sysAlign)
        guard sysAlign == alignBytes, sysSize > 0, sysSize % alignBytes == 0 else {
            device.destroy()
            throw Failure("\(chardev): sysfs align \(sysAlign), size \(sysSize); expected align \(alignBytes)")
        }
        return device
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// Reads a whole (proc) file with read(2): procfs files report size 0.
    static func readAll(_ path: String) throws -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure("cannot open \(path): errno \(errno)") }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw Failure("cannot read \(path): errno \(errno)") }
            if n == 0 { break }
            bytes += buffer[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `KernelPageSize` and `MMUPageSize` (bytes) of the VMA holding `address`, parsed
    /// here from `/proc/self/smaps` independently of the library's parser.
    static func smapsPageSizes(containing address: UInt) throws -> (kernel: Int, mmu: Int, header: String) {
        var inside = false
        var header = ""
        var kernel: Int?
        var mmu: Int?
        for line in try readAll("/proc/self/smaps").split(separator: "\n") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            guard let first = parts.first else { continue }
            if !first.hasSuffix(":") {
                let range = first.split(separator: "-")
                if range.count == 2, let lo = UInt(range[0], radix: 16), let hi = UInt(range[1], radix: 16) {
                    if inside { break }
                    inside = lo <= address && address < hi
                    if inside { header = String(line) }
                    continue
                }
            }
            guard inside, parts.count >= 3, parts[2] == "kB", let kb = Int(parts[1]) else { continue }
            if first == "KernelPageSize:" { kernel = kb * 1024 }
            if first == "MMUPageSize:" { mmu = kb * 1024 }
        }
        let k = try #require(kernel, "no smaps VMA with KernelPageSize contains 0x\(String(address, radix: 16))")
        let m = try #require(mmu, "no MMUPageSize for \(header)")
        return (k, m, header)
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try Lab.parse(text) as? [String: Any], "not a JSON object: \(text)")
    }

    /// The one line a failing `daxkit` printed on stderr.
    static func oneLine(_ r: Lab.Result, _ what: String) -> String {
        let text = r.stderr.trimmingCharacters(in: .newlines)
        #expect(!text.isEmpty && !text.contains("\n"), "\(what): stderr is not one line: \(r.stderr)")
        #expect(text.hasPrefix("daxkit: "), "\(what): \(text)")
        return text
    }

    static func seconds(since start: ContinuousClock.Instant) -> String {
        let d = ContinuousClock.now - start
        return String(format: "%.1f s", Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
    }

    /// Names of this process's threads (`/proc/self/task/*/comm`), for diagnostics.
    static func threadNames() -> [String] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.compactMap { Lab.sysfs("/proc/self/task/\($0)/comm") }.sorted()
    }

    // MARK: Page size, faults, alignment

    /// Maps the whole device in this process, touches it (write) with two threads and
    /// checks the kernel's view: smaps page size, exact fault count, aligned address.
    static func touchWholeDevice(align: String, size: String) throws {
        let start = ContinuousClock.now
        let device = try createDevDAX(align: align, size: size, name: "touch-\(align.lowercased())")
        defer { device.destroy() }
        let a = device.align

        let target = try MemoryTarget.openDevice(device.path)
        let isDeviceDAX = target.kind.isDeviceDAX
        #expect(isDeviceDAX)
        #expect(target.alignment.rawValue == a, "library alignment \(target.alignment) vs sysfs \(a)")
        #expect(target.size == device.size, "library size \(target.size) vs sysfs \(device.size)")
        let mapping = try target.map()
        try target.close()
        #expect(mapping.length == device.size)
        #expect(mapping.address % UInt(a) == 0, "address 0x\(String(mapping.address, radix: 16)) not \(align)-aligned")
        let aligned = mapping.isAddressAligned
        #expect(aligned)

        let threadsBefore = threadNames()
        let report = try mapping.touch(TouchOptions(mode: .write, threads: 2, seed: 0xA5))
        let threadsAfter = threadNames()
        let smaps = try smapsPageSizes(containing: mapping.address)
        let expected = device.size / a

        // Every page was written: the first and last byte of a few pages.
        let bytes = mapping.bytes
        for page in Set([0, 1, expected / 2, expected - 1]) where page < expected {
            #expect(bytes[page * a] == 0xA5 && bytes[page * a + a - 1] == 0xA5, "page \(page) not written")
        }

        print("""
            touch \(align) [\(device.path), \(ByteCount.format(device.size))]: KernelPageSize \(smaps.kernel) \
            MMUPageSize \(smaps.mmu); faults \(report.faults), expected \(report.expectedFaults) \
            (process-wide \(report.processFaults), major \(report.majorFaults)); baseline faults \
            \(report.baselineFaults) (process-wide \(report.baselineProcessFaults)); \
            address 0x\(String(report.address, radix: 16)); threads \(report.threads); touch \
            \(report.seconds) s, baseline \(report.baselineSeconds) s; test \(seconds(since: start)); other threads \
            of this process before the touch \(threadsBefore), after \(threadsAfter)
            """)

        #expect(smaps.kernel == a, "smaps KernelPageSize \(smaps.kernel) for \(smaps.header), expected \(a)")
        #expect(smaps.mmu == a, "smaps MMUPageSize \(smaps.mmu), expected \(a)")
        #expect(report.kernelPageSize == a)
        #expect(report.mmuPageSize == a)
        #expect(report.kind == "devdax")
        #expect(report.align == a)
        #expect(report.size == device.size)
        #expect(report.deviceSize == device.size)
        #expect(report.address % UInt64(a) == 0)
        #expect(report.address == UInt64(mapping.address))
        #expect(report.expectedFaults == expected)
        // Exactly one fault per aligned page, counted by the threads that did the
        // touching (the sum of their RUSAGE_THREAD deltas). In this process the
        // process-wide count (RUSAGE_SELF) also holds the test runner's own threads,
        // which can start or exit in the window (seen: +2 and +3 faults while the runner's
        // dispatch pool wound down from 5 to 3 threads during the first test).
        #expect(report.faults == expected, "workers took \(report.faults) faults, expected \(expected)")
        #expect(report.processFaults >= report.faults, "process faults \(report.processFaults) < the workers' \(report.faults)")
        #expect(report.majorFaults == 0)
        // The baseline runs over populated pages: the workers take no fault at all.
        #expect(report.baselineFaults == 0, "baseline workers took \(report.baselineFaults) faults")
        #expect(throws: Never.self) { try report.check(pageSize: Alignment(rawValue: a)) }
        try mapping.unmap()
    }

    /// For 1G, map=dev puts struct page for the namespace in it and pads the data to 1G:
    /// a 2G namespace leaves exactly 1G (one page) of device.
    @Test("4K, 2M and 1G devdax: KernelPageSize == align, faults == size/align, aligned address",
          arguments: [("4K", "512M"), ("2M", "256M"), ("1G", "2G")])
    func touchAligned(align: String, size: String) throws {
        try Lab.require()
        try Self.touchWholeDevice(align: align, size: size)
    }

    // MARK: The CLI

    @Test("daxkit touch --json --expect-pagesize 2M --expect-minimal-faults; --expect-pagesize 1G fails")
    func cli() throws {
        try Lab.require()
        let device = try Self.createDevDAX(align: "2M", size: "64M", name: "touch-cli")
        defer { device.destroy() }
        let expected = device.size / device.align

        let r = try Lab.run(
            Lab.daxkit, ["touch", device.path, "--json", "--expect-pagesize", "2M", "--expect-minimal-faults"])
        #expect(r.status == 0, "exit \(r.status): \(r.stderr)")
        #expect(r.stderr.isEmpty, "stderr: \(r.stderr)")
        let o = try Self.json(r.stdout)
        let writeKeys = Set(TouchReport.CodingKeys.allCases.map(\.rawValue))
            .subtracting(["mismatch_offset", "mismatch_count", "verified"])
        #expect(Set(o.keys) == writeKeys, "keys: \(o.keys.sorted())")
        #expect(o["path"] as? String == device.path)
        #expect(o["kind"] as? String == "devdax")
        #expect(o["mode"] as? String == "write")
        #expect(o["device_size"] as? Int == device.size)
        #expect(o["size"] as? Int == device.size)
        #expect(o["offset"] as? Int == 0)
        #expect(o["align"] as? Int == 2 << 20)
        #expect(o["kernel_page_size"] as? Int == 2 << 20)
        #expect(o["mmu_page_size"] as? Int == 2 << 20)
        #expect(o["faults"] as? Int == expected, "faults \(o["faults"] ?? "-"), expected \(expected)")
        #expect(o["expected_faults"] as? Int == expected)
        #expect(((o["process_faults"] as? Int) ?? -1) >= expected)
        #expect(o["baseline_faults"] as? Int == 0)
        #expect(((o["address"] as? Int) ?? 1) % (2 << 20) == 0)
        #expect(((o["threads"] as? Int) ?? 0) >= 1)
        for key in ["seconds", "gib_per_second", "baseline_seconds", "baseline_gib_per_second", "ratio"] {
            #expect(((o[key] as? Double) ?? 0) > 0, "\(key): \(o[key] ?? "-")")
        }
        print("daxkit touch \(device.path) --json: faults \(o["faults"] ?? "-") == expected \(expected), kernel_page_size \(o["kernel_page_size"] ?? "-")")

        // The JSON decodes back into a TouchReport.
        let decoded = try JSONDecoder().decode(TouchReport.self, from: Data(r.stdout.utf8))
        #expect(decoded.faults == expected && decoded.kernelPageSize == 2 << 20)

        // A 2M device is not 1G-paged: exit 1, one line naming both sizes.
        let wrong = try Lab.run(Lab.daxkit, ["touch", device.path, "--expect-pagesize", "1G"])
        #expect(wrong.status == 1)
        let line = Self.oneLine(wrong, "--expect-pagesize 1G")
        #expect(line.contains("kernel page size is 2M, expected 1G"), "\(line)")
        #expect(wrong.stdout.contains("kernel page"), "the report is still printed: \(wrong.stdout)")
    }

    // MARK: Refusals

    @Test("private mappings, misaligned offsets/lengths, /dev/null and regular files are refused")
    func refusals() throws {
        try Lab.require()
        let device = try Self.createDevDAX(align: "2M", size: "64M", name: "touch-refuse")
        defer { device.destroy() }
        let target = try MemoryTarget.openDevice(device.path)

        // Private: refused by the library before mmap...
        let priv = try #require(throws: DaxError.self) { _ = try target.map(sharing: .private) }
        #expect(priv.code == .privateMappingRefused)
        #expect(priv.description.contains("MAP_SHARED") && !priv.description.contains("\n"), "\(priv)")
        // ...because the kernel refuses it too (EINVAL), while MAP_SHARED works.
        let fd = open(device.path, O_RDWR | O_CLOEXEC)
        try #require(fd >= 0, "open \(device.path): errno \(errno)")
        defer { close(fd) }
        let len = 2 << 20
        let p = mmap(nil, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0)
        let privErrno = errno
        #expect(p == MAP_FAILED && privErrno == EINVAL, "kernel MAP_PRIVATE: \(String(describing: p)), errno \(privErrno)")
        if p != MAP_FAILED { munmap(p, len) }
        let s = mmap(nil, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
        #expect(s != MAP_FAILED, "kernel MAP_SHARED failed: errno \(errno)")
        if s != MAP_FAILED { munmap(s, len) }

        // Misaligned offset and length: one line with the value, the alignment and the
        // nearest valid values.
        let cases: [(offset: Int, length: Int?, code: DaxError.Code, parts: [String])] = [
            (1 << 20, nil, .misalignedOffset, ["offset 1048576", "alignment 2M", "use 0 or 2097152 (2M)"]),
            (3 << 20, 2 << 20, .misalignedOffset, ["offset 3145728", "alignment 2M", "use 2097152 (2M) or 4194304 (4M)"]),
            (0, 3 << 20, .misalignedLength, ["length 3145728", "alignment 2M", "use 2097152 (2M) or 4194304 (4M)"]),
            (0, 1 << 20, .misalignedLength, ["length 1048576", "alignment 2M", "use 2097152 (2M)"]),
        ]
        for c in cases {
            let e = try #require(throws: DaxError.self) { _ = try target.map(offset: c.offset, length: c.length) }
            #expect(e.code == c.code, "\(c.offset)/\(String(describing: c.length)): \(e.code)")
            #expect(!e.description.contains("\n"))
            for part in c.parts { #expect(e.description.contains(part), "missing '\(part)' in: \(e)") }
            // The kernel refuses a length off the alignment as well: with a NULL hint
            // either the start or the end of the VMA is misaligned (drivers/dax
            // check_vma). A misaligned offset is not refused by mmap itself (the
            // VMA can still be aligned), so it is not asserted here.
            if c.code == .misalignedLength, let length = c.length {
                let k = mmap(nil, length, PROT_READ, MAP_SHARED, fd, off_t(c.offset))
                let kErrno = errno
                #expect(k == MAP_FAILED && kErrno == EINVAL, "kernel accepted length \(length): errno \(kErrno)")
                if k != MAP_FAILED { munmap(k, length) }
            }
        }
        try target.close()

        let cli: [(args: [String], parts: [String])] = [
            (["--offset", "1M"], ["offset 1048576", "alignment 2M", "use 0 or 2097152 (2M)"]),
            (["--length", "3M"], ["length 3145728", "alignment 2M", "use 2097152 (2M) or 4194304 (4M)"]),
        ]
        for c in cli {
            let r = try Lab.run(Lab.daxkit, ["touch", device.path] + c.args)
            #expect(r.status == 1, "\(c.args): exit \(r.status)")
            #expect(r.stdout.isEmpty)
            let line = Self.oneLine(r, "\(c.args)")
            for part in c.parts { #expect(line.contains(part), "missing '\(part)' in: \(line)") }
        }

        // Not device-DAX: a character device of another subsystem, a regular file, nothing.
        let null = try #require(throws: DaxError.self) { _ = try MemoryTarget.openDevice("/dev/null") }
        #expect(null.code == .notDAXDevice)
        #expect(null.description.contains("subsystem 'mem'"), "\(null)")
        let file = "/tmp/touchlab-\(getpid()).img"
        try #require(FileManager.default.createFile(atPath: file, contents: Data(count: 4 << 20)))
        defer { unlink(file) }
        let regular = try #require(throws: DaxError.self) { _ = try MemoryTarget.openDevice(file) }
        #expect(regular.code == .notDAXDevice)
        #expect(regular.description.contains("regular file"), "\(regular)")
        let missing = try #require(throws: DaxError.self) { _ = try MemoryTarget.openDevice("dax99.99") }
        #expect(missing.code == .notFound)
        for (path, part) in [("/dev/null", "subsystem 'mem', not 'dax'"), (file, "regular file, not a device-DAX")] {
            let r = try Lab.run(Lab.daxkit, ["touch", path])
            #expect(r.status == 1, "\(path): exit \(r.status)")
            let line = Self.oneLine(r, path)
            #expect(line.contains(path) && line.contains(part), "\(line)")
        }
    }

    // MARK: Pattern and verify

    @Test("pattern with seed S, then verify S passes and another seed fails at offset 0")
    func patternVerify() throws {
        try Lab.require()
        let device = try Self.createDevDAX(align: "2M", size: "32M", name: "touch-pattern")
        defer { device.destroy() }
        let seed: UInt64 = 1234

        do {
            let target = try MemoryTarget.openDevice(device.path)
            let mapping = try target.map()
            let written = try mapping.touch(TouchOptions(mode: .pattern, threads: 2, seed: seed))
            #expect(written.mode == .pattern && written.faults == written.expectedFaults)
            #expect(mapping.baseAddress.load(as: UInt64.self) == TouchPattern.word(seed: seed, offset: 0))
            try mapping.unmap()
        }
        // A new open and mapping reads it back.
        let target = try MemoryTarget.openDevice(device.path, access: .readOnly)
        let mapping = try target.map()
        let good = try mapping.touch(TouchOptions(mode: .verify, threads: 2, seed: seed))
        #expect(good.verified == true)
        #expect(good.mismatchOffset == nil)
        #expect(good.mismatchCount == 0)
        #expect(good.faults == good.expectedFaults, "verify (read) faults \(good.faults), expected \(good.expectedFaults)")
        #expect(throws: Never.self) { try good.checkVerified() }

        let bad = try mapping.touch(TouchOptions(mode: .verify, threads: 2, seed: 999))
        #expect(bad.verified == false)
        #expect(bad.mismatchOffset == 0)
        #expect(bad.mismatchCount == device.size / 8)
        let error = try #require(throws: DaxError.self) { try bad.checkVerified() }
        #expect(error.code == .verifyMismatch)
        #expect(error.problem.description.contains("first mismatch at offset 0 "), "\(error)")
        try mapping.unmap()

        // Another process: the CLI.
        let ok = try Lab.run(Lab.daxkit, ["touch", device.path, "--mode", "verify", "--seed", "\(seed)"])
        #expect(ok.status == 0, "verify seed \(seed): exit \(ok.status): \(ok.stderr)")
        let no = try Lab.run(Lab.daxkit, ["touch", device.path, "--mode", "verify", "--seed", "999", "--json"])
        #expect(no.status == 1)
        let line = Self.oneLine(no, "verify --seed 999")
        #expect(line.contains("first mismatch at offset 0 "), "\(line)")
        let o = try Self.json(no.stdout)
        #expect(o["mismatch_offset"] as? Int == 0)
        #expect(o["verified"] as? Bool == false)
    }
}

/// The minimal-fault proof, as a user runs it: `daxkit touch DEVICE --expect-pagesize A
/// --expect-minimal-faults` on a 4K, a 2M and a 1G devdax namespace and on the memmap=
/// legacy range reconfigured to 2M devdax, ten times each at one thread and at the
/// default thread count, every run exit 0 with exactly size/align faults; and a
/// 2M-aligned mapping the kernel serves with 4K pages (a tmpfs file) still fails it.
@Suite("touch's minimal-fault proof, ten runs per device (lab)", .serialized)
struct TouchFaultProofLabTests {
    static let runs = 10

    /// Runs the proof `runs` times at `threads` (nil: the default) and checks each.
    static func prove(_ path: String, align: String, threads: Int?) throws {
        let alignBytes = try ByteCount.parse(align)
        var processExtra: [Int] = []
        for run in 1...runs {
            var args = ["touch", path, "--json", "--expect-pagesize", align, "--expect-minimal-faults"]
            if let threads { args += ["--threads", "\(threads)"] }
            let r = try Lab.run(Lab.daxkit, args)
            #expect(r.status == 0, "\(path) run \(run), threads \(threads.map(String.init) ?? "default"): exit \(r.status): \(r.stderr)")
            guard r.status == 0 else { continue }
            let o = try TouchLabTests.json(r.stdout)
            let size = try #require(o["size"] as? Int)
            #expect(o["faults"] as? Int == size / alignBytes, "\(path) run \(run): faults \(o["faults"] ?? "-")")
            #expect(o["kernel_page_size"] as? Int == alignBytes)
            #expect(o["baseline_faults"] as? Int == 0)
            processExtra.append(((o["process_faults"] as? Int) ?? 0) - ((o["faults"] as? Int) ?? 0))
        }
        print("touch proof \(path) align \(align) threads \(threads.map(String.init) ?? "default"): \(runs) runs exit 0; process-wide faults beyond the touch's: \(processExtra)")
    }

    static func proveBoth(_ path: String, align: String) throws {
        try prove(path, align: align, threads: 1)
        try prove(path, align: align, threads: nil)
    }

    @Test("4K, 2M and 1G devdax namespaces: ten runs at 1 thread and at the default, each exit 0",
          arguments: [("4K", "96M"), ("2M", "128M"), ("1G", "2G")])
    func namespaces(align: String, size: String) throws {
        try Lab.require()
        let device = try TouchLabTests.createDevDAX(align: align, size: size, name: "proof-\(align.lowercased())")
        defer { device.destroy() }
        try Self.proveBoth(device.path, align: align)
    }

    @Test("the memmap= legacy range reconfigured to 2M devdax: ten runs at 1 thread and at the default")
    func legacy() throws {
        try Lab.require()
        let legacy = try #require(try NamespaceLabTests.regions().legacy, "this topology has no memmap region")
        // The suites before this one in the boot may leave the region disabled or its
        // namespace renumbered: the region is enabled, its namespace found by listing.
        _ = try? Lab.run("ndctl", ["enable-region", legacy])
        let listed = try Lab.parse(try Lab.must("ndctl", ["list", "-N", "-i", "-r", legacy]))
        let before = try #require((listed as? [[String: Any]])?.first ?? listed as? [String: Any],
                                  "\(legacy): no namespace listed")
        let ns = try #require(before["dev"] as? String, "\(legacy): no dev in \(before)")
        if before["state"] as? String == "disabled" { try Lab.must("ndctl", ["enable-namespace", ns]) }
        // Given back in the mode it had, for the suites after this one.
        let mode = try #require(before["mode"] as? String, "\(ns): no mode in \(before)")
        let o = try TouchLabTests.json(try Lab.must(Lab.daxkit, ["create-namespace", "-e", ns, "-m", "devdax", "-a", "2M", "-f"]))
        defer {
            var back = ["create-namespace", "-e", ns, "-m", mode, "-f"]
            if let map = before["map"] as? String { back += ["-M", map] }
            do { try Lab.must(Lab.daxkit, back) } catch { Issue.record("\(ns) not given back as \(mode): \(error)") }
        }
        let devices = (o["daxregion"] as? [String: Any])?["devices"] as? [[String: Any]]
        let chardev = try #require(devices?.first?["chardev"] as? String, "no dax device: \(o)")
        try Self.proveBoth("/dev/\(chardev)", align: "2M")
    }

    @Test("a 2M-aligned mapping served with 4K pages fails the proof, naming the counts and the page size")
    func negative() throws {
        try Lab.require()
        let path = "/tmp/touch-proof-\(getpid())"
        defer { unlink(path) }
        let r = try Lab.run(Lab.daxkit, ["touch", "--file", path, "--create-size", "32M", "--align", "2M",
                                         "--threads", "1", "--expect-minimal-faults"])
        #expect(r.status == 1, "exit \(r.status): \(r.stdout)\(r.stderr)")
        let line = TouchLabTests.oneLine(r, "--expect-minimal-faults on a 4K-paged file")
        #expect(line.contains("touch took 8192 faults, expected exactly 16"), "\(line)")
        #expect(line.contains("the kernel maps 4K pages here"), "\(line)")
    }
}
