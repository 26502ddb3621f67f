import ArgumentParser
import DaxCore
import DAXMemory
#if canImport(Glibc)
import Glibc
#endif

extension TouchMode: ExpressibleByArgument {
    /// The raw values, as ArgumentParser's default gives them, without its generic key
    /// path (see `StateFormat.allValueStrings`).
    public static var allValueStrings: [String] { allCases.map { $0.rawValue } }
}

struct TouchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "touch",
        abstract: "Map a device-DAX device (or a file) and touch every page: page size, faults, bandwidth.",
        discussion: """
        Maps DEVICE (/dev/daxX.Y or daxX.Y) shared, at an address aligned to the device \
        alignment read from sysfs, and touches every byte of it (or of --offset/--length) \
        with --threads worker threads, each taking a contiguous run of pages. It reports the \
        kernel page size of the mapping (smaps KernelPageSize), the page faults the worker \
        threads took (getrusage RUSAGE_THREAD; the whole process's count, RUSAGE_SELF, \
        beside it) against the minimum of one per aligned page, and the bandwidth of that \
        first touch against a baseline: the same work again over the now-populated mapping, \
        in the same run. A 2M-aligned device touched in full takes exactly size/2M faults.

        Modes: write fills every byte (with the low byte of --seed); read reads every \
        byte; pattern writes a pattern derived from --seed and each 8-byte word's offset \
        in the device; verify reads it back and fails naming the first offset that differs. \
        --file maps a regular file instead (tmpfs, ext4/xfs, -o dax mounts) with --align \
        alignment (default 4K); --create-size creates or extends it. Sizes take bytes or \
        K, M, G, T suffixes (base 1024). Progress is drawn on stderr when it is a terminal \
        and the run is long (redrawn in place); --progress draws it when stderr is not a \
        terminal too (a log, a pipe, a VM console), as a line every few seconds, e.g. \
        "touch: 37% (192 MiB of 512 MiB)"; --no-progress never draws it. --json prints the \
        report as JSON on stdout.

        Examples:
          daxkit touch dax0.0 --expect-pagesize 2M --expect-minimal-faults
          daxkit touch /dev/dax0.0 --mode pattern --seed 7 && daxkit touch dax0.0 --mode verify --seed 7
          daxkit touch --file /dev/shm/t --create-size 1G --threads 4 --json
        """
    )

    @Argument(help: ArgumentHelp("Device-DAX device to map: /dev/daxX.Y or daxX.Y.", valueName: "device"))
    var device: String?

    @Option(name: .long, help: ArgumentHelp("Map this regular file instead of a device.", valueName: "path"), completion: .file())
    var file: String?

    @Option(help: ArgumentHelp("What to do to every byte: write, read, pattern or verify.", valueName: "mode"))
    var mode: TouchMode = .write

    // Sizes, alignments and the seed are parsed, and the thread count checked, in `run()`
    // (see `Option.init(checkedInRun:value:name:)`).
    @Option(checkedInRun: "Worker threads (default: one per online CPU).", value: "n") var threads: Int?
    @Option(checkedInRun: "Start of the range, a multiple of the alignment (default 0).", value: "size") var offset: String?
    @Option(checkedInRun: "Length of the range, a multiple of the alignment (default: to the end).", value: "size") var length: String?
    @Option(checkedInRun: "Seed of the pattern (decimal or 0x hex; default 0).", value: "n") var seed: String?
    @Option(checkedInRun: "Alignment for --file: 4K, 2M, 1G or bytes (default 4K).", value: "align") var align: String?
    @Option(checkedInRun: "For --file: create the file, or extend it, to this size.", value: "size") var createSize: String?
    @Flag(help: "Print the report as JSON on stdout.") var json = false
    @Option(checkedInRun: "Fail unless smaps KernelPageSize of the mapping is this (4K, 2M or 1G).", value: "size") var expectPagesize: String?
    @Flag(help: "Fail unless the touch's worker threads took exactly one fault per aligned page.") var expectMinimalFaults = false
    @Flag(help: "Draw progress on stderr even when it is not a terminal (then a line every few seconds); by default only on a terminal.")
    var progress = false
    @Flag(help: "Never draw progress on stderr.") var noProgress = false

    /// The seed: an unsigned 64-bit number, decimal or 0x hex.
    ///
    /// - Throws: `DaxError` `.invalidArgument` naming the text.
    static func parseSeed(_ text: String) throws -> UInt64 {
        let value = text.hasPrefix("0x") || text.hasPrefix("0X")
            ? UInt64(text.dropFirst(2), radix: 16) : UInt64(text)
        guard let value else {
            throw DaxError(
                .invalidArgument, object: "\(.seed, "\"\(text)\"")",
                problem: "not an unsigned 64-bit number", fix: "write it in decimal or 0x hex")
        }
        return value
    }

    func validate() throws {
        switch (device, file) {
        case (nil, nil):
            throw ValidationError("give a device (/dev/daxX.Y or daxX.Y) or --file PATH")
        case (.some, .some):
            throw ValidationError("give either a device or --file PATH, not both")
        default:
            break
        }
        if file == nil, align != nil {
            throw ValidationError("--align applies to --file only: a device's alignment comes from sysfs")
        }
        if file == nil, createSize != nil {
            throw ValidationError("--create-size applies to --file only")
        }
        if progress, noProgress {
            throw ValidationError("give --progress or --no-progress, not both")
        }
    }

    func run() throws {
        try CLI.run { try touch() }
    }

    private func touch() throws {
        // Every value first, before anything is opened.
        let offset = try offset.map { try ByteCount.parse($0, parameter: .offset) }
        let length = try length.map { try ByteCount.parse($0, parameter: .length) }
        let createSize = try createSize.map { try ByteCount.parse($0, parameter: .createSize) }
        let align = try align.map { try Alignment(parsing: $0, parameter: .align) }
        let expectPagesize = try expectPagesize.map { text -> Alignment in
            // Only the page sizes a mapping can have (x86-64): refused before anything is touched.
            let bytes = try ByteCount.parse(text, parameter: .expectedPageSize)
            guard [4 << 10, 2 << 20, 1 << 30].contains(bytes), let a = Alignment(rawValue: bytes) else {
                throw DaxError(.invalidAlignment, object: "\(.expectedPageSize, text)", problem: "not a page size of this machine",
                               fix: "use 4K, 2M or 1G")
            }
            return a
        }
        let seed = try seed.map(Self.parseSeed) ?? 0
        if let threads, threads < 1 {
            throw DaxError(
                .invalidArgument, object: "\(.threads, "\(threads)")", problem: "not positive",
                rule: "a touch needs at least one thread", fix: "pass \(.threads, "1") or more, or omit it")
        }

        let access: MemoryTarget.Access = mode.writes || createSize != nil ? .readWrite : .readOnly
        let target: MemoryTarget
        if let device {
            target = try MemoryTarget.openDevice(device, access: access)
        } else {
            target = try MemoryTarget.openFile(
                file ?? "", alignment: align ?? .page4K, access: access, createSize: createSize)
        }
        let mapping = try target.map(offset: offset ?? 0, length: length)
        try target.close()

        let progress = ProgressLine(style: ProgressLine.style(asked: self.progress, refused: noProgress))
        let report = try mapping.touch(
            TouchOptions(mode: mode, threads: threads, seed: seed),
            progress: progress.enabled ? { progress.draw($0) } : nil)
        progress.clear()
        try mapping.unmap()

        CLI.writeAll(1, (json ? report.json() : Self.human(report)) + "\n")

        // Every failed check is reported: all but the last here, the last through CLI.run.
        var failures: [DaxError] = []
        do { try report.checkVerified() } catch let error as DaxError { failures.append(error) }
        do {
            try report.check(pageSize: expectPagesize)
        } catch let error as DaxError { failures.append(error) }
        do {
            try report.check(minimalFaults: expectMinimalFaults)
        } catch let error as DaxError { failures.append(error) }
        for failure in failures.dropLast() { CLI.printError(failure.rendered(by: CLIVocabulary())) }
        if let last = failures.last { throw last }
    }

    // MARK: Printing

    static func human(_ r: TouchReport) -> String {
        func row(_ label: String, _ value: String) -> String {
            "  " + label + String(repeating: " ", count: max(1, 14 - label.count)) + value
        }
        let human = ByteCount.format
        // One fault per aligned page is what a fault-minimal touch takes; fewer is not
        // better but another mechanism (fault-around, pages mapped before the touch).
        var faults = "\(r.faults) (fault-minimal: \(r.expectedFaults), one per \(ByteCount.compact(r.align)) page"
        if r.expectedFaults > 0, r.faults != r.expectedFaults {
            faults += "; \(fixed(Double(r.faults) / Double(r.expectedFaults), 2))x"
            if r.faults < r.expectedFaults { faults += ", several pages mapped per fault" }
        }
        faults += ")"
        // What other threads of the process took in the same window: reported, not judged.
        if r.processFaults != r.faults { faults += "; process-wide \(r.processFaults)" }
        var lines = [
            "\(r.path): \(r.kind), \(r.mode), \(r.threads) thread\(r.threads == 1 ? "" : "s")",
            row("range", "\(human(r.size)) at offset \(r.offset) of \(human(r.deviceSize))"),
            row("alignment", ByteCount.compact(r.align)),
            row("kernel page", "\(ByteCount.compact(r.kernelPageSize)) (MMU \(ByteCount.compact(r.mmuPageSize)))"),
            row("faults", faults),
            row("touch", "\(fixed(r.seconds, 3)) s, \(fixed(r.gibPerSecond, 2)) GiB/s"),
            row("baseline", "\(fixed(r.baselineSeconds, 3)) s, \(fixed(r.baselineGibPerSecond, 2)) GiB/s, \(r.baselineFaults) faults"),
            row("ratio", "\(fixed(r.ratio, 2)) (touch time / baseline time)"),
        ]
        if r.mode == .verify {
            if let bad = r.mismatchOffset {
                lines.append(row("verify", "FAILED: first mismatch at offset \(bad) (0x\(String(bad, radix: 16))); \(r.mismatchCount ?? 1) of \(r.size / 8) words differ"))
            } else {
                lines.append(row("verify", "ok: every word matches the pattern of seed \(r.seed)"))
            }
        }
        return lines.joined(separator: "\n")
    }

    /// `value` with `digits` decimals, without Foundation.
    static func fixed(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite else { return "\(value)" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        guard scaled < 9e15 else { return "\(value)" }
        let units = Int(scaled)
        let whole = units / Int(scale)
        let fraction = String(units % Int(scale))
        let sign = value < 0 && units != 0 ? "-" : ""
        if digits == 0 { return sign + String(whole) }
        return sign + String(whole) + "." + String(repeating: "0", count: digits - fraction.count) + fraction
    }
}

