import Testing
@testable import DaxCore

@Suite("ndctl-compatible JSON rendering")
struct JSONRenderingTests {
    @Test("human sizes follow ndctl's display_size()")
    func humanSizes() {
        #expect(JSON.humanSize(0) == "0")
        #expect(JSON.humanSize(5000 * 1024 - 1) == "5119999")
        #expect(JSON.humanSize(5000 * 1024) == "\"4.88 MiB (5.12 MB)\"")
        #expect(JSON.humanSize(256 << 20) == "\"256.00 MiB (268.44 MB)\"")
        #expect(JSON.humanSize(16 << 20) == "\"16.00 MiB (16.78 MB)\"")
        #expect(JSON.humanSize((2 << 30) - 1) == "\"2048.00 MiB (2147.48 MB)\"")
        #expect(JSON.humanSize(2 << 30) == "\"2.00 GiB (2.15 GB)\"")
        #expect(JSON.humanSize(4 << 30) == "\"4.00 GiB (4.29 GB)\"")
        #expect(JSON.humanSize(4_225_761_280) == "\"3.94 GiB (4.23 GB)\"")
        #expect(JSON.humanSize(2 << 40) == "\"2.00 TiB (2.20 TB)\"")
    }

    @Test("hex values: numbers plainly, %#llx strings in human mode")
    func hex() {
        #expect(JSON.hex(0x1f, human: false).rendered() == "31")
        #expect(JSON.hex(0x1f, human: true).rendered() == "\"0x1f\"")
        #expect(JSON.hex(0, human: true).rendered() == "\"0\"")
    }

    @Test("pretty printing matches json-c's JSON_C_TO_STRING_PRETTY")
    func pretty() {
        let j = JSON.array([
            .object([("dev", .string("namespace0.0")), ("size", .size(1 << 30, human: true)),
                     ("blockdev", .string("a/b")), ("flag", .bool(true)), ("list", .array([]))]),
        ])
        let expected = """
        [
          {
            "dev":"namespace0.0",
            "size":"1024.00 MiB (1073.74 MB)",
            "blockdev":"a\\/b",
            "flag":true,
            "list":[
            ]
          }
        ]
        """
        #expect(j.rendered() == expected)
    }

    @Test("string escaping as json-c: quote, backslash, slash, control characters; plain text as it is")
    func escaping() {
        func esc(_ s: String, slash: Bool = true) -> String {
            var out = ""
            JSON.escape(s, into: &out, escapingSlash: slash)
            return out
        }
        #expect(esc("namespace0.0") == "namespace0.0")
        #expect(esc("vm-é1") == "vm-é1")
        #expect(esc("a\"b\\c") == "a\\\"b\\\\c")
        #expect(esc("/dev/dax0.0") == "\\/dev\\/dax0.0")
        #expect(esc("/dev/dax0.0", slash: false) == "/dev/dax0.0")
        #expect(esc("a\nb\tc\u{01}\u{7f}") == "a\\nb\\tc\\u0001\u{7f}")
        #expect(esc("é/") == "é\\/")
    }
}
