import DAXMemory
import DaxCore
import Foundation
import Testing

@Suite("Alignment and byte counts")
struct AlignmentTests {
    // ndctl's size grammar (DaxCore's ByteCount): leading blanks and a `+` are fine, a
    // unit is one of K M G T in either case, nothing may follow it.
    static let parseCases: [(String, Int)] = [
        ("4K", 4096), ("4k", 4096), ("2M", 2 << 20), ("2m", 2 << 20), ("+2M", 2 << 20),
        ("1G", 1 << 30), (" 1G", 1 << 30), ("2097152", 2 << 20), ("0x200000", 2 << 20), ("64K", 65536),
    ]

    @Test("parses 4K, 2M, 1G, plain bytes and hex", arguments: parseCases)
    func parses(text: String, bytes: Int) throws {
        let alignment = try Alignment(parsing: text)
        #expect(alignment.rawValue == bytes)
    }

    @Test func statics() {
        #expect(Alignment.page4K.rawValue == 4096)
        #expect(Alignment.page2M.rawValue == 2_097_152)
        #expect(Alignment.page1G.rawValue == 1_073_741_824)
        #expect(Alignment.page2M.description == "2M")
        #expect(Alignment.page1G.description == "1G")
        #expect(Alignment.page4K < Alignment.page2M)
    }

    @Test("rejects non-powers of two and sub-page values", arguments: [0, 1, 2048, 4095, 6144, 3 << 20, -4096])
    func rawValueRejects(value: Int) {
        #expect(Alignment(rawValue: value) == nil)
    }

    @Test func rejectsThreeMegabytesNamingNeighbours() throws {
        let error = try #require(throws: DaxError.self) { try Alignment(parsing: "3M") }
        #expect(error.code == .invalidAlignment)
        #expect(error.description.contains("3145728"))
        #expect(error.fix.description == "use 2M or 4M")
    }

    // Spellings the old DAXMemory parser took and ndctl's grammar refuses: a blank before
    // the unit or at the end, "iB"/"B" after the unit, the unit P.
    @Test("rejects text that is not a size", arguments: [
        "", "abc", "2X", "1.5G", "-4K", "K", "2 M", "2MiB", "1GiB", "2MB", "1P", "4096 ", " 1G ",
    ])
    func rejectsGarbage(text: String) throws {
        let error = try #require(throws: DaxError.self) { try Alignment(parsing: text) }
        #expect(error.code == .invalidSize)
        #expect(error.description.hasPrefix("align \"\(text)\": "), "\(error)")
    }

    @Test func parseErrorsNameTheParameter() throws {
        let error = try #require(throws: DaxError.self) {
            try Alignment(parsing: "2 M", parameter: .expectedPageSize)
        }
        #expect(error.code == .invalidSize)
        #expect(error.object.description == "expectedPageSize \"2 M\"")
        #expect(error.object.parts == [.parameter(.expectedPageSize, value: "\"2 M\"")])
        #expect(error.fix.description == "write 2M")
    }

    @Test func rounding() {
        let a = Alignment.page2M
        #expect(a.roundDown(3 << 20) == 2 << 20)
        #expect(a.roundUp(3 << 20) == 4 << 20)
        #expect(a.roundUp(4 << 20) == 4 << 20)
        #expect(a.divides(6 << 20))
        #expect(!a.divides(4096))
    }

    @Test func codableAsBytes() throws {
        let data = try JSONEncoder().encode([Alignment.page2M, .page4K])
        #expect(String(decoding: data, as: UTF8.self) == "[2097152,4096]")
        #expect(try JSONDecoder().decode([Alignment].self, from: data) == [.page2M, .page4K])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([Alignment].self, from: Data("[3000]".utf8)) }
    }

    static let byteCountCases: [(String, Int)] = [
        ("512", 512), ("4K", 4096), ("16M", 16 << 20), ("1T", 1 << 40), ("3G", 3 << 30), ("0", 0),
        ("1k", 1024), ("0x1000", 4096), ("0100", 64), ("  64M", 64 << 20),
    ]

    @Test("byte counts", arguments: byteCountCases)
    func byteCounts(text: String, bytes: Int) throws {
        #expect(try ByteCount.parse(text) == bytes)
    }

    @Test("byte counts ndctl refuses", arguments: [
        "16MiB", "1KB", "2 G", "1GiB", "1P", "4096 ", "-64M", "1.5G", "10%", "", "0x", "08",
    ])
    func byteCountRefusals(text: String) throws {
        let error = try #require(throws: DaxError.self) { try ByteCount.parse(text, parameter: .length) }
        #expect(error.code == .invalidSize)
        #expect(error.description.hasPrefix("length \"\(text)\": "), "\(error)")
    }

    @Test func byteCountOverflow() throws {
        let error = try #require(throws: DaxError.self) { try ByteCount.parse("99999999T") }
        #expect(error.code == .invalidSize)
    }

    @Test func formatting() {
        #expect(ByteCount.format(512) == "512 B")
        #expect(ByteCount.format(4096) == "4 KiB")
        #expect(ByteCount.format(3 << 29) == "1.50 GiB")
        #expect(ByteCount.format(1 << 40) == "1 TiB")
        #expect(ByteCount.compact(2 << 20) == "2M")
        #expect(ByteCount.compact(3 << 20) == "3M")
        #expect(ByteCount.compact(5000) == "5000")
    }
}
