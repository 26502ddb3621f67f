import DaxCore
import Foundation
import Testing

/// The one size parser follows ndctl's parse_size64(): the table gives each spelling
/// ndctl's verdict (checked against the real ndctl below, where it is installed) and
/// ours, which differs on purpose only where noted.
@Suite("size grammar (ndctl's parse_size64)")
struct ByteCountGrammarTests {
    struct Row: Sendable, CustomStringConvertible {
        var text: String
        /// What ndctl makes of it: the byte count, or nil when it refuses the spelling.
        var ndctl: UInt64?
        /// What daxkit makes of it (the same unless noted).
        var ours: UInt64?
        /// Words our refusal must contain.
        var says: String = ""
        var description: String { "'\(text)'" }
    }

    static let M: UInt64 = 1 << 20
    static let rows: [Row] = [
        Row(text: "64M", ndctl: 64 * M, ours: 64 * M),
        Row(text: "64m", ndctl: 64 * M, ours: 64 * M),
        Row(text: "64k", ndctl: 64 << 10, ours: 64 << 10),
        Row(text: "2G", ndctl: 2 << 30, ours: 2 << 30),
        Row(text: "1T", ndctl: 1 << 40, ours: 1 << 40),
        Row(text: "4096", ndctl: 4096, ours: 4096),
        Row(text: " 64M", ndctl: 64 * M, ours: 64 * M),          // strtoull skips leading blanks
        Row(text: "\t64M", ndctl: 64 * M, ours: 64 * M),
        Row(text: "+64M", ndctl: 64 * M, ours: 64 * M),
        Row(text: "0x10M", ndctl: 16 * M, ours: 16 * M),         // any C base
        Row(text: "0X1000", ndctl: 4096, ours: 4096),
        Row(text: "010", ndctl: 8, ours: 8),                     // a leading 0 is octal
        Row(text: "0", ndctl: 0, ours: 0),                       // parses; callers refuse it where 0 would mean "all"
        Row(text: "64M ", ndctl: nil, ours: nil, says: "blanks after it; write 64M"),
        Row(text: "64 M", ndctl: nil, ours: nil, says: "a blank before the unit; write 64M"),
        Row(text: "-64M", ndctl: nil, ours: nil, says: "negative"),
        Row(text: "1.5G", ndctl: nil, ours: nil, says: "a fraction; write the integer in a smaller unit: 1536M"),
        Row(text: "0.5M", ndctl: nil, ours: nil, says: "512K"),
        Row(text: "50%", ndctl: nil, ours: nil, says: "a percentage"),
        Row(text: "64MiB", ndctl: nil, ours: nil, says: "an IEC suffix \"MiB\"; write 64M"),
        Row(text: "64MB", ndctl: nil, ours: nil, says: "an SI suffix \"MB\"; write 64M"),
        Row(text: "64X", ndctl: nil, ours: nil, says: "unknown unit 'X'"),
        Row(text: "1P", ndctl: nil, ours: nil, says: "unknown unit 'P'"),
        Row(text: "08", ndctl: nil, ours: nil, says: "octal"),
        Row(text: "0x", ndctl: nil, ours: nil, says: "unknown unit 'x'"),
        Row(text: "abc", ndctl: nil, ours: nil, says: "not a number"),
        Row(text: "18446744073709551616", ndctl: nil, ours: nil, says: "too large"),
        Row(text: "18446744073709551615", ndctl: nil, ours: nil, says: "too large"),   // ULLONG_MAX: ndctl's error value
        Row(text: "17179869184G", ndctl: nil, ours: nil, says: "too large"),
        // On purpose: ndctl reads an empty size as 0, i.e. "all free space".
        Row(text: "", ndctl: 0, ours: nil, says: "empty"),
    ]

    @Test("each spelling: our verdict, and the reason when refused", arguments: rows)
    func verdict(_ row: Row) {
        do {
            let b = try ByteCount(parsing: row.text, parameter: .size)
            #expect(b.bytes == row.ours, "accepted as \(b.bytes)")
        } catch let e as DaxError {
            #expect(row.ours == nil, "refused: \(e)")
            #expect(e.code == .invalidSize)
            #expect(e.description.hasPrefix("size \"\(row.text)\": "), "\(e)")
            #expect(e.description.contains(row.says), "\(e)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    /// ndctl's own verdict, where ndctl is installed: `-b`/`-r` name nothing, so it
    /// parses the size and then finds no region; a refused spelling exits 129 or 141
    /// ("failed to parse namespace size"). Nothing is created on any host.
    @Test("the table's ndctl column is what ndctl says", arguments: rows)
    func ndctlAgrees(_ row: Row) throws {
        guard let ndctl = ["/usr/bin/ndctl", "/bin/ndctl"].first(where: FileManager.default.isExecutableFile) else {
            Issue.record("ndctl is not installed (scripts/test installs it)")
            return
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: ndctl)
        p.arguments = ["create-namespace", "-b", "no-such-bus", "-r", "no-such-region", "-s", row.text]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        let refused = text.contains("failed to parse namespace size")
        #expect(refused == (row.ndctl == nil), "ndctl: \(text.prefix(80))")
    }

    @Test("units keep what was written, for suggestions")
    func unit() throws {
        #expect(try ByteCount(parsing: "3G").unit == 1 << 30)
        #expect(try ByteCount(parsing: "4096").unit == 1)
        #expect(try ByteCount.parse("2M", parameter: .length) == 2 << 20)
        #expect(ByteCount.compact(UInt64(16 << 20)) == "16M")
        #expect(ByteCount.inUnit(4_225_761_280, unit: 1 << 30) == "3.93G")
    }

    @Test("errors name the parameter, in library terms")
    func parameterNamed() {
        let e = #expect(throws: DaxError.self) { try ByteCount(parsing: "2 G", parameter: .length) }
        #expect(e?.description == "length \"2 G\": a blank before the unit; write 2G")
    }
}
