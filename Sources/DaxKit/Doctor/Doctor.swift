import DaxCore

/// `daxkit doctor`: what this host's kernel and setup can do with pmem and device-DAX,
/// and what will bite. Each check is a pure function of a ``DoctorSnapshot`` (so its
/// verdict is testable from a hand-made snapshot); ``DoctorSnapshot/read()`` takes the
/// snapshot from sysfs, procfs, libkmod and libndctl/libdaxctl.
public enum Doctor {
    /// Every check, in the order they are reported; ids are stable.
    public static let checks: [(id: String, evaluate: @Sendable (DoctorSnapshot) -> [DoctorFinding])] = [
        ("module", ModulesCheck.evaluate),
        ("memmap.ranges", MemmapCheck.evaluate),
        ("soft-reserved", SoftReservedCheck.evaluate),
        ("page-sizes", PageSizesCheck.evaluate),
        ("vmemmap-dedup", VmemmapCheck.evaluateDedup),
        ("map-none", VmemmapCheck.evaluateMapNone),
        ("hotplug", HotplugCheck.evaluate),
        ("device-nodes", DeviceNodesCheck.evaluate),
        ("versions", VersionsCheck.evaluate),
        ("regions", LabelsCheck.evaluateRegions),
        ("labels", LabelsCheck.evaluateLabels),
    ]

    /// Runs every check over `snapshot`: one finding per check (the module check gives
    /// one per module, `module.NAME`).
    public static func evaluate(_ snapshot: DoctorSnapshot) -> [DoctorFinding] {
        checks.flatMap { $0.evaluate(snapshot) }
    }

    /// Whether any finding fails (then `daxkit doctor` exits 1).
    public static func anyFailed(_ findings: [DoctorFinding]) -> Bool {
        findings.contains { $0.status == .fail }
    }

    /// The findings as JSON: an array of objects `check`, `status`, `found`, `why`
    /// (null when ok) and `fix` (null when ok).
    public static func json(_ findings: [DoctorFinding]) -> JSON {
        .array(findings.map(\.json))
    }

    /// The findings as text, one line each: `STATUS CHECK: FOUND[; WHY; fix: FIX]`.
    public static func text(_ findings: [DoctorFinding]) -> String {
        findings.map(\.line).joined(separator: "\n") + "\n"
    }
}

/// A check's verdict.
public enum DoctorStatus: String, Sendable, Hashable, CaseIterable {
    /// Nothing to do.
    case ok
    /// Works, but something will bite or a feature is unavailable.
    case warn
    /// Broken: data loss or a feature that cannot work as set up.
    case fail
    /// Not judged here (not root, or nothing to judge).
    case skip
}

/// One check's result: its stable id, verdict, what was found and, for warn and fail,
/// why it matters and the fix.
public struct DoctorFinding: Sendable, Hashable {
    /// The stable check id (`memmap.ranges`, `module.kmem`).
    public var check: String
    /// The verdict.
    public var status: DoctorStatus
    /// What was found, one line.
    public var found: String
    /// Why it matters (nil when ok or skip).
    public var why: String?
    /// What to do about it (nil when ok or skip).
    public var fix: String?

    /// A finding.
    public init(_ check: String, _ status: DoctorStatus, _ found: String, why: String? = nil, fix: String? = nil) {
        self.check = check
        self.status = status
        self.found = found
        self.why = why
        self.fix = fix
    }

    /// A `skip` finding for a check that needs root.
    static func needsRoot(_ check: String, _ what: String) -> DoctorFinding {
        DoctorFinding(check, .skip, "needs root (\(what))")
    }

    /// The JSON object `check`, `status`, `found`, `why`, `fix`.
    public var json: JSON {
        .object([("check", .string(check)), ("status", .string(status.rawValue)), ("found", .string(found)),
                 ("why", why.map(JSON.string) ?? .null), ("fix", fix.map(JSON.string) ?? .null)])
    }

    /// `STATUS CHECK: FOUND[; WHY; fix: FIX]`, the status padded to 4 columns.
    public var line: String {
        let st = status.rawValue
        var s = st + String(repeating: " ", count: max(0, 4 - st.count)) + " \(check): \(found)"
        if let why { s += "; \(why)" }
        if let fix { s += "; fix: \(fix)" }
        return s
    }
}

/// Byte counts in words for findings: `256 MiB`, `2 GiB`, `0x40000000`.
enum DoctorFormat {
    /// `n` bytes in the largest binary unit that divides it (`1.5 GiB` stays `1536 MiB`).
    static func size(_ n: UInt64) -> String {
        for (shift, unit) in [(40, "TiB"), (30, "GiB"), (20, "MiB"), (10, "KiB")] where n >= 1 << shift && n % (1 << shift) == 0 {
            return "\(n >> shift) \(unit)"
        }
        return "\(n) B"
    }

    /// An address as `0x…`.
    static func hex(_ n: UInt64) -> String { "0x" + String(n, radix: 16) }

    /// `[start, end)` as `0xstart-0xlast`.
    static func range(_ r: PhysicalRange) -> String { "\(hex(r.start))-\(hex(r.end - 1))" }
}

/// A physical address range `[start, end)`, in bytes.
public struct PhysicalRange: Sendable, Hashable, Comparable {
    /// The first byte.
    public var start: UInt64
    /// One past the last byte.
    public var end: UInt64
    /// `[start, end)`.
    public init(start: UInt64, end: UInt64) { self.start = start; self.end = end }
    /// Its length in bytes.
    public var size: UInt64 { end - start }
    /// Whether the two share a byte.
    public func overlaps(_ o: PhysicalRange) -> Bool { start < o.end && o.start < end }
    public static func < (a: PhysicalRange, b: PhysicalRange) -> Bool { (a.start, a.end) < (b.start, b.end) }

    /// The parts of `self` that none of `cover` covers, in address order.
    public func uncovered(by cover: [PhysicalRange]) -> [PhysicalRange] {
        var out: [PhysicalRange] = []
        var cursor = start
        for c in cover.sorted() where c.end > cursor && c.start < end {
            if c.start > cursor { out.append(PhysicalRange(start: cursor, end: c.start)) }
            cursor = max(cursor, c.end)
            if cursor >= end { break }
        }
        if cursor < end { out.append(PhysicalRange(start: cursor, end: end)) }
        return out
    }
}
