import Testing
@testable import DaxKit
import DaxCore

@Suite("ndctl list display and filter helpers")
struct ListHelpersTests {
    @Test("a one-element array prints bare only in human mode")
    func bareSingle() {
        let one = [JSON.object([("a", .int(1))])]
        #expect(displayArray(one, [.human]) == one[0])
        #expect(displayArray(one, []) == .array(one))
        let two = one + one
        #expect(displayArray(two, [.human]) == .array(two))
    }

    @Test("filter identifiers parse like strtoul/sscanf")
    func filterParsing() {
        #expect(cStrtoulWhole("0") == 0)
        #expect(cStrtoulWhole("12") == 12)
        #expect(cStrtoulWhole("0x10") == 16)
        #expect(cStrtoulWhole("010") == 8)
        #expect(cStrtoulWhole("region0") == nil)
        #expect(cStrtoulWhole("0x") == nil)
        #expect(scanDotted("1.2")! == (1, 2))
        #expect(scanDotted("namespace1.2") == nil)
        #expect(scanDotted("3.4x")! == (3, 4))
    }
}
