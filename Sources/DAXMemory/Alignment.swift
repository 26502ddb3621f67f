import DaxCore

/// The alignment of a mapping and the size of the pages it is meant to be
/// faulted in with: a power of two of at least 4 KiB, in bytes.
public struct Alignment: RawRepresentable, Hashable, Comparable, Sendable, Codable,
    CustomStringConvertible
{
    /// The alignment in bytes.
    public let rawValue: Int

    /// An alignment of `rawValue` bytes; nil unless it is a power of two of at least 4096.
    public init?(rawValue: Int) {
        guard rawValue >= 4096, rawValue & (rawValue - 1) == 0 else { return nil }
        self.rawValue = rawValue
    }

    /// 4 KiB: base pages.
    public static let page4K = Alignment(rawValue: 4 << 10)!
    /// 2 MiB: PMD-sized pages on x86-64.
    public static let page2M = Alignment(rawValue: 2 << 20)!
    /// 1 GiB: PUD-sized pages on x86-64.
    public static let page1G = Alignment(rawValue: 1 << 30)!

    /// Parses `"4K"`, `"2M"`, `"1G"`, `"2097152"`, `"0x200000"` with ndctl's size grammar
    /// (``ByteCount``: suffixes K, M, G, T, base 1024; no blanks after the number, no
    /// `"iB"`).
    ///
    /// - Parameters:
    ///   - text: The alignment as written.
    ///   - parameter: The parameter it was given for, named in a parse error
    ///     (`.align`, `.expectedPageSize`).
    /// - Throws: `DaxError` `.invalidSize` for unparsable text, `.invalidAlignment`
    ///   for a value that is not a power of two of at least 4K (naming the nearest valid ones).
    public init(parsing text: String, parameter: Parameter = .align) throws {
        let bytes = try ByteCount.parse(text, parameter: parameter)
        guard let alignment = Alignment(rawValue: bytes) else {
            var fix = "use 4K, 2M or 1G"
            if bytes > 4096 {
                let below = 1 << (Int.bitWidth - 1 - bytes.leadingZeroBitCount)
                fix = "use \(ByteCount.compact(below)) or \(ByteCount.compact(below << 1))"
            }
            throw DaxError(
                .invalidAlignment, object: "alignment '\(text)'",
                problem: "\(bytes) bytes is not a valid alignment",
                rule: "an alignment is a power of two of at least 4K", fix: Phrase(fix))
        }
        self = alignment
    }

    /// Whether `value` is a multiple of this alignment.
    public func divides(_ value: Int) -> Bool { value & (rawValue - 1) == 0 }

    /// `value` rounded down to a multiple of this alignment.
    public func roundDown(_ value: Int) -> Int { value & ~(rawValue - 1) }

    /// `value` rounded up to a multiple of this alignment.
    public func roundUp(_ value: Int) -> Int { (value + rawValue - 1) & ~(rawValue - 1) }

    /// `"4K"`, `"2M"`, `"1G"`, `"64K"`...
    public var description: String { ByteCount.compact(rawValue) }

    /// Orders alignments by their size in bytes: `4K < 2M < 1G`.
    public static func < (lhs: Alignment, rhs: Alignment) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Decodes an alignment from a bare integer, in bytes (`2097152`).
    ///
    /// - Throws: `DecodingError.dataCorrupted` when the number is not a power of two of
    ///   at least 4096, or what the decoder throws for a value that is not an integer.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let value = try container.decode(Int.self)
        guard let alignment = Alignment(rawValue: value) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "\(value) is not a power of two of at least 4096")
        }
        self = alignment
    }

    /// Encodes the alignment as a bare integer, in bytes (`2097152`).
    ///
    /// - Throws: What the encoder throws.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
