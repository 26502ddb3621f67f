import DaxCore

/// The outcome of `MemoryMapping.touch`: page sizes, faults and bandwidth of
/// the first touch and of a baseline pass over the populated mapping.
///
/// JSON keys are snake_case (`kernel_page_size`, `gib_per_second`, ...). The
/// verify-only keys `mismatch_offset` (null when none), `mismatch_count` and
/// `verified` are present only for `mode == .verify`.
public struct TouchReport: Codable, Sendable, Hashable {
    /// The target's path.
    public var path: String
    /// `"devdax"`, `"file"`, `"memfd"` or `"anonymous"`.
    public var kind: String
    /// What the touch did.
    public var mode: TouchMode
    /// Size of the whole target in bytes.
    public var deviceSize: Int
    /// Bytes touched: the mapping's length.
    public var size: Int
    /// Offset of the touched range in the target, in bytes.
    public var offset: Int
    /// The mapping's alignment in bytes.
    public var align: Int
    /// The mapped virtual address.
    public var address: UInt64
    /// smaps `KernelPageSize` of the mapping, in bytes.
    public var kernelPageSize: Int
    /// smaps `MMUPageSize` of the mapping, in bytes.
    public var mmuPageSize: Int
    /// smaps `Rss` of the mapping after the touch and the baseline pass, in bytes.
    public var rss: Int
    /// Faults (minor + major) the touch itself took: the sum of the worker threads'
    /// `RUSAGE_THREAD` deltas over their own stores or loads. The fault-minimal check
    /// judges this count: the workers are the only threads that touch the mapping.
    public var faults: Int
    /// Major faults among `faults`.
    public var majorFaults: Int
    /// Faults (minor + major) the whole process took while the touch ran
    /// (`RUSAGE_SELF`, every thread). Above `faults` by what other threads did in the
    /// window (a library user's own threads, a runtime's pool, the first run of code
    /// on a page not yet mapped); reported, never judged.
    public var processFaults: Int
    /// The minimum: one fault per alignment-sized page, `size / align`.
    public var expectedFaults: Int
    /// Faults the worker threads took during the baseline pass (0 on populated pages).
    public var baselineFaults: Int
    /// Faults the whole process took during the baseline pass (`RUSAGE_SELF`).
    public var baselineProcessFaults: Int
    /// Worker threads used.
    public var threads: Int
    /// Seed of the pattern (and of the byte `write` stores).
    public var seed: UInt64
    /// Seconds of the touch (first worker start to last worker end).
    public var seconds: Double
    /// `size / seconds`, GiB/s.
    public var gibPerSecond: Double
    /// Seconds of the baseline pass.
    public var baselineSeconds: Double
    /// `size / baselineSeconds`, GiB/s.
    public var baselineGibPerSecond: Double
    /// `seconds / baselineSeconds`: how many times longer the touch took than
    /// the same work on populated pages (1.0: faulting cost nothing).
    public var ratio: Double
    /// Verify only: absolute offset in the target of the first 8-byte word
    /// that differs from the pattern; nil when none.
    public var mismatchOffset: Int?
    /// Verify only: number of 8-byte words that differ.
    public var mismatchCount: Int?
    /// Verify only: whether every word matched.
    public var verified: Bool?

    /// The report's JSON keys, snake_case, in the order ``json(pretty:)`` and
    /// ``encode(to:)`` write them.
    public enum CodingKeys: String, CodingKey, CaseIterable {
        /// `path`: ``TouchReport/path``.
        case path
        /// `kind`: ``TouchReport/kind``.
        case kind
        /// `mode`: ``TouchReport/mode``, by name.
        case mode
        /// `device_size`: the whole target, in bytes.
        case deviceSize = "device_size"
        /// `size`: bytes touched.
        case size
        /// `offset`: byte offset of the touched range in the target.
        case offset
        /// `align`: the mapping's alignment, in bytes.
        case align
        /// `address`: the mapped virtual address, as an integer.
        case address
        /// `kernel_page_size`: smaps `KernelPageSize`, in bytes.
        case kernelPageSize = "kernel_page_size"
        /// `mmu_page_size`: smaps `MMUPageSize`, in bytes.
        case mmuPageSize = "mmu_page_size"
        /// `rss`: smaps `Rss` after both passes, in bytes.
        case rss
        /// `faults`: faults (minor + major) the touch's worker threads took.
        case faults
        /// `major_faults`: major faults among them.
        case majorFaults = "major_faults"
        /// `process_faults`: faults the whole process took during the touch.
        case processFaults = "process_faults"
        /// `expected_faults`: one per alignment-sized page.
        case expectedFaults = "expected_faults"
        /// `baseline_faults`: faults the worker threads took during the baseline pass.
        case baselineFaults = "baseline_faults"
        /// `baseline_process_faults`: faults the whole process took during the baseline pass.
        case baselineProcessFaults = "baseline_process_faults"
        /// `threads`: worker threads used.
        case threads
        /// `seed`: seed of the pattern.
        case seed
        /// `seconds`: duration of the touch, in seconds.
        case seconds
        /// `gib_per_second`: bandwidth of the touch, GiB/s.
        case gibPerSecond = "gib_per_second"
        /// `baseline_seconds`: duration of the baseline pass, in seconds.
        case baselineSeconds = "baseline_seconds"
        /// `baseline_gib_per_second`: bandwidth of the baseline pass, GiB/s.
        case baselineGibPerSecond = "baseline_gib_per_second"
        /// `ratio`: touch time over baseline time.
        case ratio
        /// `mismatch_offset` (verify only): byte offset of the first differing word, or null.
        case mismatchOffset = "mismatch_offset"
        /// `mismatch_count` (verify only): number of differing 8-byte words.
        case mismatchCount = "mismatch_count"
        /// `verified` (verify only): whether every word matched.
        case verified
    }

    /// A scalar of the report's JSON form.
    enum Field {
        case int(Int)
        case uint(UInt64)
        case double(Double)
        case string(String)
        case bool(Bool)
        case null
    }

    /// The report's JSON fields in order; the verify keys only for verify.
    var fields: [(CodingKeys, Field)] {
        var list: [(CodingKeys, Field)] = [
            (.path, .string(path)), (.kind, .string(kind)), (.mode, .string(mode.rawValue)),
            (.deviceSize, .int(deviceSize)), (.size, .int(size)), (.offset, .int(offset)), (.align, .int(align)),
            (.address, .uint(address)), (.kernelPageSize, .int(kernelPageSize)), (.mmuPageSize, .int(mmuPageSize)),
            (.rss, .int(rss)), (.faults, .int(faults)), (.majorFaults, .int(majorFaults)),
            (.processFaults, .int(processFaults)), (.expectedFaults, .int(expectedFaults)),
            (.baselineFaults, .int(baselineFaults)), (.baselineProcessFaults, .int(baselineProcessFaults)),
            (.threads, .int(threads)), (.seed, .uint(seed)), (.seconds, .double(seconds)),
            (.gibPerSecond, .double(gibPerSecond)), (.baselineSeconds, .double(baselineSeconds)),
            (.baselineGibPerSecond, .double(baselineGibPerSecond)), (.ratio, .double(ratio)),
        ]
        if mode == .verify {
            list.append((.mismatchOffset, mismatchOffset.map { .int($0) } ?? .null))
            list.append((.mismatchCount, .int(mismatchCount ?? 0)))
            list.append((.verified, .bool(verified ?? (mismatchOffset == nil))))
        }
        return list
    }

    /// Encodes the keys of ``json(pretty:)``, in its order: the verify-only keys only for
    /// verify, `mismatch_offset` as null when no word differed.
    ///
    /// - Throws: What the encoder throws.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        for (key, field) in fields {
            switch field {
            case .int(let v): try c.encode(v, forKey: key)
            case .uint(let v): try c.encode(v, forKey: key)
            case .double(let v): try c.encode(v, forKey: key)
            case .string(let v): try c.encode(v, forKey: key)
            case .bool(let v): try c.encode(v, forKey: key)
            case .null: try c.encodeNil(forKey: key)
            }
        }
    }

    /// The report as a JSON object, without Foundation: the same keys and
    /// values as the `Codable` form, in declaration order; non-finite numbers
    /// become `null`.
    ///
    /// - Parameter pretty: One key per line, indented by two spaces (default), or one line.
    public func json(pretty: Bool = true) -> String {
        let members = fields.map { key, field -> String in
            let value: String
            switch field {
            case .int(let v): value = String(v)
            case .uint(let v): value = String(v)
            case .double(let v): value = v.isFinite ? String(v) : "null"
            case .string(let v): value = Self.quoted(v)
            case .bool(let v): value = v ? "true" : "false"
            case .null: value = "null"
            }
            return Self.quoted(key.rawValue) + (pretty ? ": " : ":") + value
        }
        return pretty ? "{\n  " + members.joined(separator: ",\n  ") + "\n}" : "{" + members.joined(separator: ",") + "}"
    }

    static func quoted(_ text: String) -> String {
        var out = "\""
        JSON.escape(text, into: &out, escapingSlash: false)
        return out + "\""
    }
}

extension TouchReport {

    /// Decodes a report. `kind`, `device_size`, `address`, `rss`, `major_faults`,
    /// `process_faults`, `baseline_faults`, `baseline_process_faults` and `seed` may be
    /// missing (older reports): they default to empty or 0 (the process counts to the
    /// touch's own); the verify-only keys to nil.
    ///
    /// - Throws: `DecodingError` when another key is missing or a value has the wrong type.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        path = try c.decode(String.self, forKey: .path)
        kind = try c.decodeIfPresent(String.self, forKey: .kind) ?? ""
        mode = try c.decode(TouchMode.self, forKey: .mode)
        deviceSize = try c.decodeIfPresent(Int.self, forKey: .deviceSize) ?? 0
        size = try c.decode(Int.self, forKey: .size)
        offset = try c.decode(Int.self, forKey: .offset)
        align = try c.decode(Int.self, forKey: .align)
        address = try c.decodeIfPresent(UInt64.self, forKey: .address) ?? 0
        kernelPageSize = try c.decode(Int.self, forKey: .kernelPageSize)
        mmuPageSize = try c.decode(Int.self, forKey: .mmuPageSize)
        rss = try c.decodeIfPresent(Int.self, forKey: .rss) ?? 0
        faults = try c.decode(Int.self, forKey: .faults)
        majorFaults = try c.decodeIfPresent(Int.self, forKey: .majorFaults) ?? 0
        processFaults = try c.decodeIfPresent(Int.self, forKey: .processFaults) ?? faults
        expectedFaults = try c.decode(Int.self, forKey: .expectedFaults)
        baselineFaults = try c.decodeIfPresent(Int.self, forKey: .baselineFaults) ?? 0
        baselineProcessFaults = try c.decodeIfPresent(Int.self, forKey: .baselineProcessFaults) ?? baselineFaults
        threads = try c.decode(Int.self, forKey: .threads)
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? 0
        seconds = try c.decode(Double.self, forKey: .seconds)
        gibPerSecond = try c.decode(Double.self, forKey: .gibPerSecond)
        baselineSeconds = try c.decode(Double.self, forKey: .baselineSeconds)
        baselineGibPerSecond = try c.decode(Double.self, forKey: .baselineGibPerSecond)
        ratio = try c.decode(Double.self, forKey: .ratio)
        mismatchOffset = try c.decodeIfPresent(Int.self, forKey: .mismatchOffset)
        mismatchCount = try c.decodeIfPresent(Int.self, forKey: .mismatchCount)
        verified = try c.decodeIfPresent(Bool.self, forKey: .verified)
    }
}

extension TouchReport {
    /// Whether the touch (its worker threads) took exactly the minimum number of faults.
    public var isFaultMinimal: Bool { faults == expectedFaults }

    /// Checks the verify result: throws if a verify touch found a mismatch.
    ///
    /// - Throws: `DaxError` `.verifyMismatch` naming the first bad offset.
    public func checkVerified() throws {
        guard mode == .verify, let mismatchOffset else { return }
        throw DaxError(
            .verifyMismatch, object: Phrase(path),
            problem: "verify failed: first mismatch at offset \(mismatchOffset) (0x\(String(mismatchOffset, radix: 16))); \(mismatchCount ?? 1) of \(size / 8) words differ",
            rule: "verify expects the pattern of seed \(seed) written by a pattern touch of the same range",
            fix: "run \(.mode, "pattern") \(.seed, "\(seed)") over the range first; if it was, the memory does not hold its data")
    }

    /// Checks the page size and the fault count against expectations.
    ///
    /// - Parameters:
    ///   - pageSize: The `KernelPageSize` the mapping must have, or nil.
    ///   - minimalFaults: Whether `faults` must equal `expectedFaults`.
    /// - Throws: `DaxError` `.pageSizeMismatch` or `.faultCountMismatch`.
    public func check(pageSize: Alignment? = nil, minimalFaults: Bool = false) throws {
        if let pageSize, kernelPageSize != pageSize.rawValue {
            let fix: Phrase =
                kind == "devdax"
                ? "recreate its namespace with \(.align, "\(pageSize)") (\(Operation.createNamespace(mode: "devdax")))"
                : "only device-DAX (and hugetlbfs) mappings get huge kernel pages; map a device-DAX device aligned to \(pageSize)"
            throw DaxError(
                .pageSizeMismatch, object: Phrase(path),
                problem: "kernel page size is \(ByteCount.compact(kernelPageSize)), expected \(pageSize)",
                rule: "smaps KernelPageSize of the mapping must equal the expected page size", fix: fix)
        }
        if minimalFaults, faults != expectedFaults {
            throw DaxError(
                .faultCountMismatch, object: Phrase(path),
                problem: "touch took \(faults) faults, expected exactly \(expectedFaults) (\(ByteCount.format(size)) / \(ByteCount.compact(align)) pages)",
                rule: "a fault-minimal mapping takes one fault per \(ByteCount.compact(align)) page",
                fix: faults < expectedFaults
                    ? (kind != "file" || !mode.writes
                        ? "fewer faults than pages means the kernel mapped several pages per fault (fault-around on file read faults) or pages were mapped before the touch; touch a freshly mapped range with \(.mode, "write")"
                        : "fewer faults than pages: this file's pages were already in the page cache and the kernel mapped several per fault; fault-minimal is a check for device-DAX, where every page is mapped by its own fault")
                    : kernelPageSize < align
                        ? "the kernel maps \(ByteCount.compact(kernelPageSize)) pages here; use a device-DAX device with align \(ByteCount.compact(align))"
                        : "the mapping faults more than once per page (was it split, or mapped before with smaller pages?); touch a freshly mapped range")
        }
    }
}
