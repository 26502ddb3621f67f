import DaxCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// What a touch does to every byte of the mapping.
public enum TouchMode: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// Writes the whole range (memset with the low byte of the seed).
    case write
    /// Reads the whole range (an 8-byte-word checksum).
    case read
    /// Writes `TouchPattern.word(seed:offset:)` to every 8-byte word.
    case pattern
    /// Reads every 8-byte word back and compares it with the pattern.
    case verify

    /// Whether the mode stores to the mapping.
    public var writes: Bool { self == .write || self == .pattern }

    /// The mode's name, as `daxkit touch --mode` takes it: `write`, `read`, `pattern`
    /// or `verify`.
    public var description: String { rawValue }
}

/// The deterministic pattern of `pattern`/`verify`.
public enum TouchPattern {
    /// splitmix64's finaliser.
    @inline(__always)
    public static func splitmix64(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The 8-byte word stored at byte `offset` of the target (an absolute
    /// offset in the device or file, a multiple of 8): `splitmix64(seed ^ offset)`.
    @inline(__always)
    public static func word(seed: UInt64, offset: UInt64) -> UInt64 {
        splitmix64(seed ^ offset)
    }
}

/// Options of a touch.
public struct TouchOptions: Sendable, Hashable {
    /// What to do to each byte.
    public var mode: TouchMode
    /// Worker threads; nil means one per online processor. Clamped to the
    /// number of alignment-sized pages.
    public var threads: Int?
    /// Seed of the pattern (and the byte `write` stores: its low 8 bits).
    public var seed: UInt64
    /// Seconds between progress callbacks.
    public var progressInterval: Double

    /// Touch options; by default a write with seed 0 on one thread per online
    /// processor, reporting progress every 0.1 seconds.
    ///
    /// - Parameters:
    ///   - mode: What to do to each byte.
    ///   - threads: Worker threads; nil for one per online processor.
    ///   - seed: Seed of the pattern and of the byte `write` stores.
    ///   - progressInterval: Seconds between progress callbacks.
    public init(mode: TouchMode = .write, threads: Int? = nil, seed: UInt64 = 0, progressInterval: Double = 0.1) {
        self.mode = mode
        self.threads = threads
        self.seed = seed
        self.progressInterval = progressInterval
    }

    /// One thread per online processor (`sysconf(_SC_NPROCESSORS_ONLN)`).
    public static var defaultThreadCount: Int { Sys.onlineProcessors() }
}

/// Progress of a running touch, passed to the progress callback.
public struct TouchProgress: Sendable, Hashable {
    /// The first pass (faulting pages in) or the baseline pass (already populated).
    public enum Phase: String, Sendable, Hashable {
        /// The measured pass: every page is faulted in.
        case touch
        /// The same work again over the now-populated pages, for comparison.
        case baseline
    }

    /// The pass running.
    public var phase: Phase
    /// Bytes done so far in this phase.
    public var bytesDone: Int
    /// Bytes of this phase.
    public var totalBytes: Int
    /// Seconds since this phase started.
    public var elapsedSeconds: Double

    /// Progress of `phase`: `bytesDone` of `totalBytes` bytes after `elapsedSeconds`.
    public init(phase: Phase, bytesDone: Int, totalBytes: Int, elapsedSeconds: Double) {
        self.phase = phase
        self.bytesDone = bytesDone
        self.totalBytes = totalBytes
        self.elapsedSeconds = elapsedSeconds
    }

    /// `bytesDone / totalBytes`, 0...1.
    public var fraction: Double { totalBytes > 0 ? Double(bytesDone) / Double(totalBytes) : 1 }
}

/// How a range is split between worker threads.
public enum TouchPlan {
    /// Splits `length` bytes into at most `threads` contiguous chunks that
    /// start and end on `alignment` pages, covering the range exactly once;
    /// the first `pages % threads` chunks get one page more.
    ///
    /// - Returns: Byte ranges relative to the start of the range; as many as
    ///   `min(threads, length / alignment)` (at least one for a nonempty range).
    public static func chunks(length: Int, alignment: Alignment, threads: Int) -> [Range<Int>] {
        let page = alignment.rawValue
        let pages = length / page
        guard pages > 0 else { return length > 0 ? [0..<length] : [] }
        let count = max(1, min(threads, pages))
        var chunks: [Range<Int>] = []
        chunks.reserveCapacity(count)
        var start = 0
        for index in 0..<count {
            let chunkPages = pages / count + (index < pages % count ? 1 : 0)
            let end = index == count - 1 ? length : start + chunkPages * page
            chunks.append(start..<end)
            start = end
        }
        return chunks
    }
}

extension MemoryMapping {
    /// Touches every byte of the mapping with `options.mode` on worker
    /// threads, then runs the same operation again over the now-populated
    /// mapping as a baseline, and reports faults, page sizes and bandwidth.
    ///
    /// The touch's faults are the sum of each worker's own `RUSAGE_THREAD` delta
    /// over its stores or loads: the workers are the only threads that touch the
    /// mapping, so a correct device-DAX mapping gives exactly `size / align`
    /// whatever else the process does. `getrusage(RUSAGE_SELF)` (every thread) over
    /// the phase's window, which opens once every worker is started and warmed up and
    /// closes when the last is done, is reported beside it as `processFaults`. The
    /// calling thread runs the window's code once with no work (a warm-up phase)
    /// before the first window, so that its own code and stack are mapped by then.
    ///
    /// - Parameters:
    ///   - options: Mode, threads and seed.
    ///   - progress: Called on the calling thread about every
    ///     `options.progressInterval` seconds during each phase, and once at
    ///     the start and end of each.
    /// - Throws: `DaxError` `.readOnly` (writing mode on a read-only
    ///   mapping), `.invalidArgument` (threads < 1), `.threadFailed`, `.smapsUnavailable`.
    ///   A verify mismatch does not throw: see `TouchReport.verified`.
    ///
    /// Wraps `pthread_create(3)`/`pthread_join(3)`, `getrusage(2)` and
    /// `clock_gettime(CLOCK_MONOTONIC)`; reads `/proc/self/smaps`.
    public func touch(
        _ options: TouchOptions = TouchOptions(), progress: ((TouchProgress) -> Void)? = nil
    ) throws -> TouchReport {
        if options.mode.writes && !isWritable {
            throw DaxError(
                .readOnly, object: Phrase(path), problem: "mode \(options.mode) writes but the mapping is read-only",
                fix: "open the target read-write, or use \(.mode, "read") or verify")
        }
        let requested = options.threads ?? TouchOptions.defaultThreadCount
        guard requested >= 1 else {
            throw DaxError(
                .invalidArgument, object: Phrase(path), problem: "thread count \(requested) is not positive",
                rule: "a touch needs at least one thread", fix: "pass \(.threads, "1") or more, or omit it")
        }
        let chunks = TouchPlan.chunks(length: length, alignment: alignment, threads: requested)
        let run = TouchRun(
            base: address, absoluteOffset: offset, mode: options.mode, seed: options.seed, chunks: chunks)
        try run.start(object: path)

        // The window's own code runs once with no work: a first call of it on a page
        // of the binary not yet mapped would fault inside the first window.
        _ = run.runPhase(TouchRun.warmUpPhase, phase: .touch, total: 0, interval: options.progressInterval, progress: nil)
        let first = run.runPhase(
            TouchRun.touchPhase, phase: .touch, total: length, interval: options.progressInterval, progress: progress)
        let baseline = run.runPhase(
            TouchRun.baselinePhase, phase: .baseline, total: length, interval: options.progressInterval,
            progress: progress)
        run.join()
        // smaps is read only after the baseline: reading it walks the page tables,
        // and the walk splits (zaps) PUD-mapped pages (mm/pagewalk.c walk_pud_range:
        // smaps has no pud_entry), so a read between the phases made the baseline
        // fault 1G device-DAX pages in again.
        let entry = try smapsEntry()

        let gib = Double(1 << 30)
        let verifying = options.mode == .verify
        return TouchReport(
            path: path, kind: kind.name, mode: options.mode, deviceSize: targetSize, size: length,
            offset: offset, align: alignment.rawValue, address: UInt64(address),
            kernelPageSize: entry.kernelPageSize ?? 0, mmuPageSize: entry.mmuPageSize ?? 0,
            rss: entry.rss ?? 0,
            faults: first.workerFaults.total, majorFaults: first.workerFaults.major,
            processFaults: first.processFaults.total, expectedFaults: length / alignment.rawValue,
            baselineFaults: baseline.workerFaults.total, baselineProcessFaults: baseline.processFaults.total,
            threads: chunks.count, seed: options.seed,
            seconds: first.seconds, gibPerSecond: Double(length) / gib / first.seconds,
            baselineSeconds: baseline.seconds,
            baselineGibPerSecond: Double(length) / gib / baseline.seconds,
            ratio: first.seconds / baseline.seconds,
            mismatchOffset: verifying ? first.mismatchOffset : nil,
            mismatchCount: verifying ? first.mismatchCount : nil,
            verified: verifying ? first.mismatchOffset == nil : nil)
    }
}

/// What one worker measured in one phase.
struct WorkerResult {
    var start: UInt64 = 0
    var end: UInt64 = 0
    var faults = FaultCount(minor: 0, major: 0)
    var mismatchOffset = -1
    var mismatchCount = 0
    var checksum: UInt64 = 0
}

/// What a phase measured, over all workers.
struct PhaseResult {
    var seconds: Double
    var processFaults: FaultCount
    var workerFaults: FaultCount
    var mismatchOffset: Int?
    var mismatchCount: Int
}

/// The worker threads of one touch and their shared state. Workers only write
/// their own `results` slot; the coordinator reads the slots after observing
/// `finished` with acquiring ordering.
final class TouchRun: @unchecked Sendable {
    let base: UInt
    let absoluteOffset: Int
    let mode: TouchMode
    let seed: UInt64
    let chunks: [Range<Int>]
    let results: UnsafeMutablePointer<WorkerResult>
    let gate = PhaseGate()
    let ready = Atomic<Int>(0)
    let finished = Atomic<Int>(0)
    let bytesDone = Atomic<Int>(0)
    /// Coordinator-only.
    private var threads: [ThreadHandle] = []

    /// Progress granularity: workers publish bytes done after each block.
    static let blockSize = 1 << 20
    /// The phases, in the order the gate opens them: a warm-up in which the workers
    /// do no work (the coordinator's window code runs once), the touch, the baseline,
    /// and the one that releases workers to exit.
    static let warmUpPhase = 1
    static let touchPhase = 2
    static let baselinePhase = 3
    static let exitPhase = 4

    init(base: UInt, absoluteOffset: Int, mode: TouchMode, seed: UInt64, chunks: [Range<Int>]) {
        self.base = base
        self.absoluteOffset = absoluteOffset
        self.mode = mode
        self.seed = seed
        self.chunks = chunks
        self.results = .allocate(capacity: chunks.count)
        // Initialising the slots also touches their pages outside the fault window.
        self.results.initialize(repeating: WorkerResult(), count: chunks.count)
    }

    deinit {
        results.deinitialize(count: chunks.count)
        results.deallocate()
    }

    /// Starts one worker per chunk and waits until all are warmed up.
    func start(object: String) throws {
        for index in chunks.indices {
            switch Sys.startThread({ [self] in self.work(index) }) {
            case .success(let thread):
                threads.append(thread)
            case .failure(let error):
                abort()
                throw DaxError(
                    .threadFailed, object: Phrase(object),
                    problem: "cannot start worker thread \(index + 1) of \(chunks.count)",
                    fix: "use fewer \(.threads)", underlyingError: error)
            }
        }
        while ready.load(ordering: .acquiring) < chunks.count {
            Sys.sleep(microseconds: 100)
        }
    }

    /// Releases every worker and joins them.
    func abort() {
        gate.abort()
        join()
    }

    /// Lets every worker exit and joins them.
    func join() {
        gate.open(Self.exitPhase)
        for thread in threads { Sys.join(thread) }
        threads.removeAll()
    }

    /// Opens phase `number`, waits for every worker to finish it while
    /// reporting progress, and sums up the workers' results.
    func runPhase(
        _ number: Int, phase: TouchProgress.Phase, total: Int, interval: Double,
        progress: ((TouchProgress) -> Void)?
    ) -> PhaseResult {
        bytesDone.store(0, ordering: .relaxed)
        finished.store(0, ordering: .relaxed)
        progress?(TouchProgress(phase: phase, bytesDone: 0, totalBytes: total, elapsedSeconds: 0))
        let intervalNanoseconds = UInt64(max(0.001, interval) * 1e9)
        let before = FaultCount.process()
        gate.open(number)
        let phaseStart = Sys.monotonicNanoseconds()
        var lastReport = phaseStart
        while finished.load(ordering: .acquiring) < chunks.count {
            Sys.sleep(microseconds: 1000)
            if let progress {
                let now = Sys.monotonicNanoseconds()
                if now - lastReport >= intervalNanoseconds {
                    lastReport = now
                    progress(TouchProgress(
                        phase: phase, bytesDone: bytesDone.load(ordering: .relaxed), totalBytes: total,
                        elapsedSeconds: Double(now - phaseStart) / 1e9))
                }
            }
        }
        let after = FaultCount.process()

        var start = UInt64.max
        var end = UInt64(0)
        var workerFaults = FaultCount(minor: 0, major: 0)
        var mismatch: Int?
        var mismatchCount = 0
        for index in chunks.indices {
            let result = results[index]
            start = min(start, result.start)
            end = max(end, result.end)
            workerFaults.minor += result.faults.minor
            workerFaults.major += result.faults.major
            if result.mismatchOffset >= 0 {
                mismatch = min(mismatch ?? .max, result.mismatchOffset)
            }
            mismatchCount += result.mismatchCount
        }
        // Workers time themselves: first start to last end, at least 1 ns.
        let seconds = Double(end > start ? end - start : 1) / 1e9
        progress?(TouchProgress(phase: phase, bytesDone: total, totalBytes: total, elapsedSeconds: seconds))
        return PhaseResult(
            seconds: seconds, processFaults: after - before, workerFaults: workerFaults,
            mismatchOffset: mismatch, mismatchCount: mismatchCount)
    }

    // MARK: Workers

    private func work(_ index: Int) {
        warmUp()
        ready.add(1, ordering: .releasing)
        let chunk = chunks[index]
        for phase in Self.warmUpPhase...Self.baselinePhase {
            guard gate.wait(for: phase) else { return }
            let faultsBefore = FaultCount.currentThread()
            let start = Sys.monotonicNanoseconds()
            var result = WorkerResult()
            var offset = phase == Self.warmUpPhase ? chunk.upperBound : chunk.lowerBound
            while offset < chunk.upperBound {
                let count = min(Self.blockSize, chunk.upperBound - offset)
                apply(at: offset, count: count, into: &result)
                bytesDone.add(count, ordering: .relaxed)
                offset += count
            }
            result.end = Sys.monotonicNanoseconds()
            result.start = start
            result.faults = FaultCount.currentThread() - faultsBefore
            results[index] = result
            finished.add(1, ordering: .releasing)
        }
        // Stay parked until the coordinator has closed the last fault window:
        // thread exit faults too.
        _ = gate.wait(for: Self.exitPhase)
    }

    /// Runs the operation once over a private buffer, so that its code and the
    /// accounting calls are faulted in before the measured window.
    private func warmUp() {
        let scratch = UnsafeMutableRawPointer.allocate(byteCount: 8192, alignment: 4096)
        defer { scratch.deallocate() }
        scratch.initializeMemory(as: UInt8.self, repeating: 0, count: 8192)
        var result = WorkerResult()
        switch mode {
        case .write:
            Self.fill(scratch, count: 8192, byte: UInt8(truncatingIfNeeded: seed))
        case .read:
            result.checksum = Self.checksum(UnsafeRawPointer(scratch), count: 8192)
        case .pattern:
            Self.pattern(scratch, count: 8192, seed: seed, offset: 0)
        case .verify:
            Self.pattern(scratch, count: 8192, seed: seed, offset: 0)
            Self.verify(UnsafeRawPointer(scratch), count: 8192, seed: seed, offset: 0, into: &result)
        }
        _ = FaultCount.currentThread()
        _ = Sys.monotonicNanoseconds()
        bytesDone.add(0, ordering: .relaxed)
        withExtendedLifetime(result) {}
    }

    /// Applies the mode to `count` bytes at `relative` bytes into the mapping.
    private func apply(at relative: Int, count: Int, into result: inout WorkerResult) {
        let pointer = UnsafeMutableRawPointer(bitPattern: base + UInt(relative))!
        let absolute = UInt64(absoluteOffset + relative)
        switch mode {
        case .write:
            Self.fill(pointer, count: count, byte: UInt8(truncatingIfNeeded: seed))
        case .read:
            result.checksum ^= Self.checksum(UnsafeRawPointer(pointer), count: count)
        case .pattern:
            Self.pattern(pointer, count: count, seed: seed, offset: absolute)
        case .verify:
            Self.verify(UnsafeRawPointer(pointer), count: count, seed: seed, offset: absolute, into: &result)
        }
    }

    /// `memset(3)`, called by name: the generic `initializeMemory(as:repeating:count:)`
    /// is memset only once specialised, and unoptimised (the debug build the lab's
    /// touch tests run in) it stored byte by byte, 11-18 times slower (256 MiB: 1.4-2.2 s
    /// against 0.13 s on the host; a 1 GiB touch took 108 s under TCG).
    static func fill(_ pointer: UnsafeMutableRawPointer, count: Int, byte: UInt8) {
        _ = memset(pointer, Int32(byte), count)
    }

    static func checksum(_ pointer: UnsafeRawPointer, count: Int) -> UInt64 {
        let words = count / 8
        var a: UInt64 = 0, b: UInt64 = 0, c: UInt64 = 0, d: UInt64 = 0
        var i = 0
        while i + 4 <= words {
            a &+= pointer.load(fromByteOffset: i &* 8, as: UInt64.self)
            b &+= pointer.load(fromByteOffset: (i &+ 1) &* 8, as: UInt64.self)
            c &+= pointer.load(fromByteOffset: (i &+ 2) &* 8, as: UInt64.self)
            d &+= pointer.load(fromByteOffset: (i &+ 3) &* 8, as: UInt64.self)
            i &+= 4
        }
        while i < words {
            a &+= pointer.load(fromByteOffset: i &* 8, as: UInt64.self)
            i &+= 1
        }
        return a ^ (b &<< 1) ^ (c &<< 2) ^ (d &<< 3)
    }

    static func pattern(_ pointer: UnsafeMutableRawPointer, count: Int, seed: UInt64, offset: UInt64) {
        let words = count / 8
        var i = 0
        while i < words {
            let value = TouchPattern.word(seed: seed, offset: offset &+ UInt64(i &* 8))
            pointer.storeBytes(of: value, toByteOffset: i &* 8, as: UInt64.self)
            i &+= 1
        }
    }

    static func verify(
        _ pointer: UnsafeRawPointer, count: Int, seed: UInt64, offset: UInt64, into result: inout WorkerResult
    ) {
        let words = count / 8
        var i = 0
        while i < words {
            let expected = TouchPattern.word(seed: seed, offset: offset &+ UInt64(i &* 8))
            if pointer.load(fromByteOffset: i &* 8, as: UInt64.self) != expected {
                if result.mismatchOffset < 0 { result.mismatchOffset = Int(offset) + i * 8 }
                result.mismatchCount += 1
            }
            i &+= 1
        }
    }
}
