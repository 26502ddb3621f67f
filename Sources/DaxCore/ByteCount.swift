/// A byte count as a user wrote it: ndctl's size grammar (`parse_size64()` in ndctl's
/// util/size.c), the one parser for every size option of every daxkit command.
///
/// Grammar: optional leading blanks, an optional `+`, a C integer in any base
/// (`strtoull(…, 0)`: `0x` hex, a leading `0` octal, else decimal), then at most one of
/// `k K m M g G t T` (base 1024), and nothing after it. What ndctl refuses is refused,
/// with the reason: negative, a fraction (with the integer in a smaller unit), a
/// percentage, an SI/IEC suffix (`MB`, `MiB`), a blank before the unit or at the end,
/// an unknown unit, or more than 64 bits. Zero parses; whether it is allowed is the
/// caller's rule.
public struct ByteCount: Sendable, Hashable, CustomStringConvertible {
    /// The count, in bytes.
    public var bytes: UInt64
    /// The unit the user wrote, in bytes (1 for plain bytes, 1024 for `K`, …), so that
    /// suggestions can be phrased in it.
    public var unit: UInt64
    /// The text as written.
    public var text: String

    /// A count of `bytes` bytes, written in the largest exact unit.
    public init(bytes: UInt64) {
        self.bytes = bytes
        unit = 1
        text = ByteCount.compact(bytes)
    }

    public var description: String { text }

    /// The units, base 1024, by suffix.
    static let units: [(suffix: Character, shift: UInt64)] = [("K", 10), ("M", 20), ("G", 30), ("T", 40)]

    /// Parses `text` with ndctl's grammar.
    ///
    /// - Parameters:
    ///   - text: the size as written, e.g. `"256M"`, `"0x1000"`, `" 64M"`.
    ///   - parameter: the parameter it was given for, to name it in an error.
    /// - Throws: `DaxError` `.invalidSize` naming the text, what is wrong with it and the
    ///   spelling that would work.
    public init(parsing text: String, parameter: Parameter = .size) throws {
        let u = Array(text.utf8)
        var i = 0
        func fail(_ problem: Phrase, _ fix: Phrase = "write bytes or a number with K, M, G or T (base 1024), e.g. 256M") -> DaxError {
            DaxError(.invalidSize, object: "\(parameter, "\"\(text)\"")", problem: problem, fix: fix)
        }
        func isBlank(_ c: UInt8) -> Bool { c == 0x20 || (0x09...0x0d).contains(c) }
        while i < u.count, isBlank(u[i]) { i += 1 }
        guard i < u.count else { throw fail("empty") }
        if u[i] == UInt8(ascii: "-") {
            throw fail("negative", "a size counts bytes from zero up; drop the sign")
        }
        if u[i] == UInt8(ascii: "+") { i += 1 }
        // strtoull(…, 0): 0x hex (only with a hex digit after it), leading 0 octal, else decimal.
        var radix: UInt64 = 10
        if i + 1 < u.count, u[i] == UInt8(ascii: "0"), u[i + 1] | 0x20 == UInt8(ascii: "x"),
           i + 2 < u.count, ByteCount.digit(u[i + 2], radix: 16) != nil {
            radix = 16
            i += 2
        } else if i < u.count, u[i] == UInt8(ascii: "0") {
            radix = 8
        }
        let digitsStart = i
        var value: UInt64 = 0
        var overflow = false
        while i < u.count, let d = ByteCount.digit(u[i], radix: radix) {
            let (m, o1) = value.multipliedReportingOverflow(by: radix)
            let (s, o2) = m.addingReportingOverflow(d)
            overflow = overflow || o1 || o2
            value = s
            i += 1
        }
        guard i > digitsStart else {
            throw fail("not a number")
        }
        // ULLONG_MAX is parse_size64()'s error value: ndctl refuses it too.
        if overflow || value == UInt64.max { throw fail("too large: more than 64 bits of bytes", "use a smaller size") }
        let number = String(decoding: u[digitsStart..<i], as: UTF8.self)
        var unit: UInt64 = 1
        var suffix = ""
        if i < u.count, let unit1 = ByteCount.units.first(where: { $0.suffix.asciiValue! == u[i] & ~0x20 }) {
            unit = 1 << unit1.shift
            suffix = String(unit1.suffix)
            i += 1
        }
        let rest = String(decoding: u[i...], as: UTF8.self)
        if !rest.isEmpty {
            throw ByteCount.refusal(rest: rest, number: number, radix: radix, value: value, unit: unit,
                                    suffix: suffix, fail: fail)
        }
        let (bytes, o) = value.multipliedReportingOverflow(by: unit)
        if o { throw fail("too large: more than 64 bits of bytes", "use a smaller size") }
        self.bytes = bytes
        self.unit = unit
        self.text = text
    }

    /// Why the characters after a number make it no size, and what would.
    private static func refusal(rest: String, number: String, radix: UInt64, value: UInt64, unit: UInt64,
                                suffix: String, fail: (Phrase, Phrase) -> DaxError) -> DaxError {
        let r = Array(rest.utf8)
        let shown = radix == 16 ? "0x" + number : number
        if r[0] == UInt8(ascii: ".") || r[0] == UInt8(ascii: ","), unit == 1 {
            // A fraction: find the unit after it and suggest the integer in a smaller one.
            let fracDigits = r.dropFirst().prefix { $0 >= 0x30 && $0 <= 0x39 }
            let after = r.dropFirst(1 + fracDigits.count)
            if let c = after.first, after.count == 1,
               let idx = units.firstIndex(where: { $0.suffix.asciiValue! == c & ~0x20 }), radix == 10 || value == 0 {
                let frac = String(decoding: fracDigits, as: UTF8.self)
                let big = UInt64(1) << units[idx].shift
                // value.frac × big, in the largest smaller unit that makes it whole.
                var scale: UInt64 = 1
                for _ in frac { scale *= 10 }
                let numerator = (value * scale + (UInt64(frac) ?? 0)) * big
                var suggestion = "\(numerator / scale)"
                for j in stride(from: idx - 1, through: 0, by: -1) {
                    let small = UInt64(1) << units[j].shift
                    if numerator % (scale * small) == 0 {
                        suggestion = "\(numerator / scale / small)\(units[j].suffix)"
                        break
                    }
                }
                if numerator % scale != 0 {
                    return fail("a fraction", "sizes are whole bytes; round it")
                }
                return fail("a fraction", "write the integer in a smaller unit: \(suggestion)")
            }
            return fail("a fraction", "sizes are whole numbers; write the integer in a smaller unit (e.g. 1536M for 1.5G)")
        }
        if rest == "%" || rest.hasPrefix("%") {
            return fail("a percentage", "give the size in bytes or with K, M, G or T; there is no relative size")
        }
        let lower = rest.lowercased()
        if !suffix.isEmpty, ["b", "ib"].contains(lower) {
            return fail("\(rest == "iB" || lower == "ib" ? "an IEC" : "an SI") suffix \"\(suffix)\(rest)\"",
                        "write \(shown)\(suffix): K, M, G and T are already base 1024")
        }
        if suffix.isEmpty, ["b", "kb", "mb", "gb", "tb", "kib", "mib", "gib", "tib"].contains(lower) {
            let fixed = lower == "b" ? shown : shown + lower.prefix(1).uppercased()
            return fail("\(lower.count == 3 ? "an IEC" : "an SI") suffix \"\(rest)\"",
                        "write \(fixed): K, M, G and T are already base 1024")
        }
        if r.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0a }) {
            return fail("blanks after it", "write \(shown)\(suffix)")
        }
        if r[0] == 0x20 || r[0] == 0x09 {
            let trimmed = rest.drop { $0 == " " || $0 == "\t" }
            if trimmed.count == 1, let c = trimmed.first, units.contains(where: { $0.suffix == Character(c.uppercased()) }), suffix.isEmpty {
                return fail("a blank before the unit", "write \(shown)\(c.uppercased())")
            }
            return fail("a blank inside it", "write it without blanks, e.g. 256M")
        }
        if radix == 8, let c = r.first, c == 0x38 || c == 0x39 {
            return fail("\"\(number)\(rest)\" has a leading 0, which makes it octal (C's strtoull), and \(Character(Unicode.Scalar(c))) is no octal digit",
                        "drop the leading zeros")
        }
        if !suffix.isEmpty {
            return fail("\"\(rest)\" after the unit \(suffix)", "write bytes or a number with K, M, G or T (base 1024), e.g. 256M")
        }
        return fail("unknown unit '\(rest)'", "write bytes or a number with K, M, G or T (base 1024), e.g. 256M")
    }

    static func digit(_ c: UInt8, radix: UInt64) -> UInt64? {
        let v: UInt64
        switch c {
        case 0x30...0x39: v = UInt64(c - 0x30)
        case 0x61...0x66: v = UInt64(c - 0x61 + 10)
        case 0x41...0x46: v = UInt64(c - 0x41 + 10)
        default: return nil
        }
        return v < radix ? v : nil
    }

    /// Parses a size for an `Int`-typed API (DAXMemory's offsets and lengths).
    ///
    /// - Throws: `DaxError` `.invalidSize` as ``init(parsing:parameter:)``, or when the
    ///   count does not fit an `Int`.
    public static func parse(_ text: String, parameter: Parameter = .size) throws -> Int {
        let b = try ByteCount(parsing: text, parameter: parameter)
        guard b.bytes <= UInt64(Int.max) else {
            throw DaxError(.invalidSize, object: "\(parameter, "\"\(text)\"")", problem: "too large: above 8 EiB",
                           fix: "use a smaller size")
        }
        return Int(b.bytes)
    }

    // MARK: - Formatting

    /// The count in the largest unit that divides it exactly: `16M`, `2G`, `4K`, `1536`.
    public static func compact(_ v: UInt64) -> String {
        guard v > 0 else { return "0" }
        for (suffix, shift) in units.reversed() where v % (1 << shift) == 0 {
            return "\(v >> shift)\(suffix)"
        }
        return String(v)
    }

    /// ``compact(_:)-(UInt64)`` for `Int` counts (negative counts print as numbers).
    public static func compact(_ v: Int) -> String { v < 0 ? String(v) : compact(UInt64(v)) }

    /// The count in `unit` (1 KiB … 1 TiB), truncated to two decimals when inexact:
    /// `3.98G`; plain bytes for any other unit.
    public static func inUnit(_ v: UInt64, unit: UInt64) -> String {
        guard let suffix = units.first(where: { 1 << $0.shift == unit })?.suffix else { return String(v) }
        if v % unit == 0 { return "\(v / unit)\(suffix)" }
        let hundredths = v.multipliedFullWidth(by: 100)
        let h = unit.dividingFullWidth(hundredths).quotient
        let frac = h % 100
        return "\(h / 100).\(frac < 10 ? "0" : "")\(frac)\(suffix)"
    }

    /// For people: `"4 KiB"`, `"2 MiB"`, `"1.50 GiB"` (rounded), `"512 B"`.
    public static func format(_ bytes: Int) -> String {
        let magnitude = bytes.magnitude
        for (suffix, shift) in units.reversed() {
            let unit = UInt(1) << UInt(shift)
            guard magnitude >= unit else { continue }
            let sign = bytes < 0 ? "-" : ""
            if magnitude % unit == 0 { return "\(sign)\(magnitude / unit) \(suffix)iB" }
            let hundredths = (magnitude * 100 + unit / 2) / unit
            let fraction = hundredths % 100
            return "\(sign)\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction) \(suffix)iB"
        }
        return "\(bytes) B"
    }
}
