import DaxCore

/// One range a `memmap=` kernel argument gives, as x86's `parse_memmap_one()`
/// (arch/x86/kernel/e820.c) reads it: `nn@ss` usable RAM, `nn#ss` ACPI data, `nn$ss`
/// reserved, `nn!ss` legacy pmem (e820 type 12, what `nd_e820` serves), `nn%ss-old+new`
/// a type change of what is already there (`+0xefffffff`: soft-reserved for dax_hmem).
public struct MemmapRange: Sendable, Hashable {
    /// The suffix character and what it makes of the range.
    public enum Kind: Character, Sendable, Hashable {
        /// `@`: usable RAM.
        case ram = "@"
        /// `#`: ACPI data.
        case acpi = "#"
        /// `$`: reserved (a hole the kernel keeps off).
        case reserved = "$"
        /// `!`: legacy persistent memory (`E820_TYPE_PRAM`).
        case pmem = "!"
        /// `%`: a type change of existing entries.
        case update = "%"
    }
    /// What the range becomes.
    public var kind: Kind
    /// The range, `[offset, offset + size)`.
    public var range: PhysicalRange
    /// For `%`: the new type (`0xefffffff` soft-reserved), nil when none is given.
    public var newType: UInt64?
    /// The text of this range as given (`256M!1G`).
    public var text: String

    /// Whether this `%` range marks memory soft-reserved (type 0xefffffff).
    public var isSoftReserve: Bool { kind == .update && newType == 0xefff_ffff }

    /// Every range of every `memmap=` argument of `commandLine` (comma lists included),
    /// in order; `exactmap` and plain limits (`memmap=nn`) give no range. Text the
    /// kernel would not parse is returned in `invalid`.
    public static func parse(commandLine: String) -> (ranges: [MemmapRange], invalid: [String]) {
        var ranges: [MemmapRange] = [], invalid: [String] = []
        for word in commandLine.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }) {
            if word == "--" { break }
            guard word.hasPrefix("memmap=") else { continue }
            for part in word.dropFirst("memmap=".count).split(separator: ",") {
                if part == "exactmap" { continue }
                switch parseOne(String(part)) {
                case .some(.some(let r)): ranges.append(r)
                case .some(.none): continue        // a limit (memmap=nn): no range
                case .none: invalid.append(String(part))
                }
            }
        }
        return (ranges, invalid)
    }

    /// One `memmap=` element: nil when unparsable, `.some(nil)` for a plain limit.
    static func parseOne(_ text: String) -> MemmapRange?? {
        var rest = Substring(text)
        guard let size = memparse(&rest) else { return nil }
        guard let c = rest.first else { return .some(nil) }
        guard let kind = Kind(rawValue: c) else { return nil }
        rest = rest.dropFirst()
        guard let start = memparse(&rest) else { return nil }
        var newType: UInt64?
        if kind == .update {
            if rest.first == "-" { rest = rest.dropFirst(); guard memparse(&rest) != nil else { return nil } }
            if rest.first == "+" { rest = rest.dropFirst(); guard let t = memparse(&rest) else { return nil }; newType = t }
        }
        guard rest.isEmpty else { return nil }
        let (end, overflow) = start.addingReportingOverflow(size)
        guard !overflow else { return nil }
        return .some(MemmapRange(kind: kind, range: PhysicalRange(start: start, end: end), newType: newType, text: text))
    }

    /// The kernel's `memparse()` (lib/cmdline.c): a C integer (`0x` hex, leading `0`
    /// octal, else decimal) and an optional K/M/G/T/P/E suffix; consumes what it read.
    static func memparse(_ s: inout Substring) -> UInt64? {
        var radix = 10
        var digits = s
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") { radix = 16; digits = digits.dropFirst(2) }
        else if digits.hasPrefix("0") && digits.count > 1 && digits.dropFirst().first!.isNumber { radix = 8 }
        let number = digits.prefix { $0.isHexDigit && Int(String($0), radix: radix) != nil }
        guard !number.isEmpty, var value = UInt64(number, radix: radix) else { return nil }
        var rest = digits.dropFirst(number.count)
        let shifts: [Character: UInt64] = ["K": 10, "M": 20, "G": 30, "T": 40, "P": 50, "E": 60]
        if let c = rest.first, let shift = shifts[Character(c.uppercased())] {
            guard value <= UInt64.max >> shift else { return nil }
            value <<= shift
            rest = rest.dropFirst()
        }
        s = rest
        return value
    }
}

/// `memmap.ranges`: every `memmap=` range on the kernel command line against the memory
/// that exists. The kernel takes a `memmap=nn!ss` range as legacy pmem without checking
/// that RAM is there (`e820__range_add()`), so a range past the end of RAM gives a pmem
/// region, a namespace that enables and maps, writes that "succeed", and reads that
/// return something else: data loss no tool reports. The firmware's map
/// (`/sys/firmware/memmap`, the e820 table before `memmap=` edits it) says what exists;
/// `/proc/iomem` (addresses need root) says what the kernel made of each range.
public enum MemmapCheck {
    static let id = "memmap.ranges"
    static let twoMiB: UInt64 = 2 << 20, oneGiB: UInt64 = 1 << 30

    /// The check's findings (one): fail for a pmem (`!`) or RAM (`@`) range outside
    /// System RAM of the firmware map, warn for overlapping ranges, ranges not aligned
    /// for 2M/1G devdax, soft-reserve ranges outside RAM, unparsable text and a pmem
    /// range the kernel did not register; ok otherwise.
    public static func evaluate(_ s: DoctorSnapshot) -> [DoctorFinding] {
        let (ranges, invalid) = MemmapRange.parse(commandLine: s.commandLine)
        guard !ranges.isEmpty || !invalid.isEmpty else {
            return [DoctorFinding(id, .ok, "no memmap= ranges on the kernel command line")]
        }
        let given = ranges.map(\.text).joined(separator: ", ")
        guard let firmware = s.firmwareMemmap else {
            return [DoctorFinding(id, .warn, "memmap= \(given); no /sys/firmware/memmap to check it against",
                                  why: "a memmap=nn!ss range outside RAM loses every byte written to it, and nothing here can tell",
                                  fix: "compare each range with the BIOS-e820 lines of dmesg (System RAM: usable) by hand")]
        }
        let ram = firmware.filter { $0.type == "System RAM" }.map(\.range)
        let ramEnd = ram.map(\.end).max() ?? 0
        var fails: [String] = [], warns: [String] = [], notes: [String] = []

        for r in ranges {
            let outside = r.range.uncovered(by: ram)
            let what = "memmap=\(r.text) (\(DoctorFormat.range(r.range)))"
            switch r.kind {
            case .pmem where !outside.isEmpty, .ram where !outside.isEmpty:
                let place = r.range.start >= ramEnd
                    ? "lies past the end of RAM (System RAM ends at \(DoctorFormat.hex(ramEnd - 1)))"
                    : "is not all System RAM in the firmware map (\(outside.map(DoctorFormat.range).joined(separator: ", ")) is not)"
                fails.append("\(what) \(place)")
            case .update where r.isSoftReserve && !outside.isEmpty:
                warns.append("\(what) soft-reserves memory that is not System RAM (\(outside.map(DoctorFormat.range).joined(separator: ", "))): nothing is reserved there")
            default: break
            }
            if r.kind == .pmem || r.isSoftReserve {
                if r.range.start % twoMiB != 0 || r.range.size % twoMiB != 0 {
                    warns.append("\(what) is not 2 MiB aligned: fsdax and devdax namespaces need a 2 MiB-aligned start (memremap_compat_align) and 2M devdax a 2 MiB-aligned size")
                } else if r.range.size >= oneGiB && (r.range.start % oneGiB != 0 || r.range.size % oneGiB != 0) {
                    warns.append("\(what) is not 1 GiB aligned: 1G devdax loses up to 1 GiB at each end to alignment padding")
                }
            }
        }
        for (i, a) in ranges.enumerated() {
            for b in ranges[(i + 1)...] where a.range.overlaps(b.range) {
                warns.append("memmap=\(a.text) and memmap=\(b.text) overlap: the later one wins where they do, and the earlier range is not what it says")
            }
        }
        if !invalid.isEmpty {
            warns.append("memmap=\(invalid.joined(separator: ",")) cannot be parsed (the kernel ignores it or stops there)")
        }
        let pmem = ranges.filter { $0.kind == .pmem }
        if s.isRoot {
            let legacy = s.iomem.filter { $0.name == "Persistent Memory (legacy)" }.map(\.range)
            for r in pmem where r.range.uncovered(by: legacy).count > 0 && fails.isEmpty {
                warns.append("memmap=\(r.text) is not a Persistent Memory (legacy) range in /proc/iomem: the kernel did not take it (overlap with another range or a reserved area)")
            }
            if !pmem.isEmpty { notes.append("/proc/iomem agrees") }
        } else if !pmem.isEmpty {
            notes.append("/proc/iomem not compared: needs root (it shows other users zero addresses)")
        }

        if !fails.isEmpty {
            return [DoctorFinding(id, .fail, (fails + warns).joined(separator: "; "),
                                  why: "the kernel takes a memmap=nn!ss range as pmem without checking that memory exists there: the namespace enables, maps and writes fine, and every read-back is wrong (data loss)",
                                  fix: suggestion(pmem.first?.range.size ?? (256 << 20), ram: ram))]
        }
        if !warns.isEmpty {
            return [DoctorFinding(id, .warn, warns.joined(separator: "; "),
                                  why: "the pmem or soft-reserved memory is not what the command line says, or devdax cannot use its large pages",
                                  fix: "give each memmap= range its own 2 MiB-aligned (1 GiB for 1G devdax) part of one System RAM range of /sys/firmware/memmap and reboot")]
        }
        let inside = "inside System RAM of the firmware map"
        return [DoctorFinding(id, .ok, "memmap=\(given): every range \(inside)" + (notes.isEmpty ? "" : "; " + notes.joined(separator: "; ")))]
    }

    /// "use memmap=SIZE!OFFSET inside System RAM": the highest offset in the largest
    /// firmware RAM range where `size` fits, 1 GiB aligned if possible, else 2 MiB.
    static func suggestion(_ size: UInt64, ram: [PhysicalRange]) -> String {
        let base = "move the range inside a System RAM range of /sys/firmware/memmap (dmesg: BIOS-e820 usable), then reboot"
        guard let largest = ram.max(by: { $0.size < $1.size }), largest.size > size else { return base }
        for align in [oneGiB, twoMiB] {
            guard largest.end >= size else { continue }
            let start = (largest.end - size) / align * align
            if start >= largest.start && start > 0 {
                return base + ", e.g. memmap=\(DoctorFormat.memmapSize(size))!\(DoctorFormat.memmapSize(start))"
            }
        }
        return base
    }
}

extension DoctorFormat {
    /// A size or offset as memmap= takes it: `256M`, `1G`, else hex.
    static func memmapSize(_ n: UInt64) -> String {
        if n == 0 { return "0" }
        for (shift, unit) in [(40, "T"), (30, "G"), (20, "M"), (10, "K")] where n % (1 << shift) == 0 {
            return "\(n >> shift)\(unit)"
        }
        return hex(n)
    }
}
