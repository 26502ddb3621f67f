/// Parsing and printing of byte counts: plain bytes or K/M/G/T suffixes, base 1024.
public enum ByteCount {
    private static let units: [(suffix: Character, shift: Int)] = [
        ("K", 10), ("M", 20), ("G", 30), ("T", 40), ("P", 50),
    ]

    /// Parses a byte count: `"4096"`, `"0x1000"`, `"4K"`, `"2M"`, `"1G"`, `"1T"`
    /// (suffixes are base 1024, case-insensitive, and may be followed by `"iB"` or `"B"`).
    ///
    /// - Parameter text: The text to parse.
    /// - Returns: The count in bytes (zero allowed).
    /// - Throws: `DAXMemoryError` with code `.invalidSize` naming the text.
    public static func parse(_ text: String) throws -> Int {
        let trimmed = text.trimmingSpaces()
        let invalid = DAXMemoryError(
            .invalidSize, object: "'\(text)'", problem: "not a byte count",
            rule: "a size is a whole number of bytes, optionally with a K, M, G or T suffix (base 1024)",
            fix: "write e.g. 4096, 4K, 2M, 1G or 0x200000")
        guard !trimmed.isEmpty else { throw invalid }

        var digits = Substring(trimmed)
        var shift = 0
        var upper = trimmed.uppercased()
        for tail in ["IB", "B"] where upper.hasSuffix(tail) && upper.count > tail.count {
            let candidate = upper.dropLast(tail.count)
            if let last = candidate.last, units.contains(where: { $0.suffix == last }) {
                upper = String(candidate)
                digits = digits.dropLast(tail.count)
                break
            }
        }
        if let last = upper.last, let unit = units.first(where: { $0.suffix == last }) {
            shift = unit.shift
            digits = digits.dropLast()
        }
        digits = Substring(String(digits).trimmingSpaces())

        let value: Int?
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") {
            value = Int(digits.dropFirst(2), radix: 16)
        } else {
            value = digits.allSatisfy(\.isASCIIDigit) ? Int(digits, radix: 10) : nil
        }
        guard let value, value >= 0 else { throw invalid }
        let (result, overflow) = value.multipliedReportingOverflow(by: 1 << shift)
        guard !overflow else {
            throw DAXMemoryError(
                .invalidSize, object: "'\(text)'", problem: "byte count overflows 64 bits",
                rule: "sizes must be below 8 EiB", fix: "use a smaller size")
        }
        return result
    }

    /// Formats a byte count for people: `"4 KiB"`, `"2 MiB"`, `"1.50 GiB"`, `"512 B"`.
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

    /// Formats a byte count exactly and compactly: `"4K"`, `"2M"`, `"1G"` when it is
    /// a whole number of a unit, otherwise the plain number of bytes.
    public static func compact(_ bytes: Int) -> String {
        guard bytes > 0 else { return "\(bytes)" }
        for (suffix, shift) in units.reversed() where bytes % (1 << shift) == 0 {
            return "\(bytes >> shift)\(suffix)"
        }
        return "\(bytes)"
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

extension String {
    func trimmingSpaces() -> String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice = slice.dropFirst() }
        while let last = slice.last, last.isWhitespace { slice = slice.dropLast() }
        return String(slice)
    }
}
