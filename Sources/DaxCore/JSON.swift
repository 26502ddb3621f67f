/// A JSON value that keeps object keys in insertion order and knows ndctl's two
/// "human" number formats, so output can match ndctl/daxctl (json-c) byte for byte.
public indirect enum JSON: Equatable, Sendable {
    case object([(String, JSON)])
    case array([JSON])
    case string(String)
    case int(Int64)
    case uint(UInt64)
    case bool(Bool)
    case null
    /// A byte count: a plain integer, or with `human` ndctl's `"1.00 GiB (1.07 GB)"` form
    /// from 5000 KiB up (`util_json_object_size`).
    case size(UInt64, human: Bool)
    /// A hex-able integer: a plain integer, or with `human` a `"0x1f"` string
    /// (`util_json_object_hex`).
    case hex(UInt64, human: Bool)

    public static func == (a: JSON, b: JSON) -> Bool {
        switch (a, b) {
        case let (.object(x), .object(y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        case let (.array(x), .array(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.int(x), .int(y)): return x == y
        case let (.uint(x), .uint(y)): return x == y
        case let (.bool(x), .bool(y)): return x == y
        case (.null, .null): return true
        case let (.size(x, h1), .size(y, h2)): return x == y && h1 == h2
        case let (.hex(x, h1), .hex(y, h2)): return x == y && h1 == h2
        default: return false
        }
    }

    /// Pretty-prints like json-c's `JSON_C_TO_STRING_PRETTY`: two-space indent,
    /// `"key":value` with no space, escaped slashes, `[\n]` for an empty array.
    public func rendered() -> String {
        var out = ""
        write(into: &out, level: 0)
        return out
    }

    private func indent(_ out: inout String, _ level: Int) {
        out += String(repeating: "  ", count: level)
    }

    private func write(into out: inout String, level: Int) {
        switch self {
        case .object(let members):
            out += "{\n"
            for (i, (k, v)) in members.enumerated() {
                if i > 0 { out += ",\n" }
                indent(&out, level + 1)
                out += "\""
                JSON.escape(k, into: &out)
                out += "\":"
                v.write(into: &out, level: level + 1)
            }
            out += "\n"
            indent(&out, level)
            out += "}"
        case .array(let items):
            out += "[\n"
            for (i, v) in items.enumerated() {
                if i > 0 { out += ",\n" }
                indent(&out, level + 1)
                v.write(into: &out, level: level + 1)
            }
            if !items.isEmpty { out += "\n" }
            indent(&out, level)
            out += "]"
        case .string(let s):
            out += "\""
            JSON.escape(s, into: &out)
            out += "\""
        case .int(let v): out += String(v)
        case .uint(let v): out += String(v)
        case .bool(let b): out += b ? "true" : "false"
        case .null: out += "null"
        case let .size(v, human):
            out += human ? JSON.humanSize(v) : String(v)
        case let .hex(v, human):
            out += human ? "\"\(JSON.cHex(v))\"" : String(v)
        }
    }

    /// `%#llx`: `0x` prefix except for zero, which prints as `0`.
    public static func cHex(_ v: UInt64) -> String {
        v == 0 ? "0" : "0x" + String(v, radix: 16)
    }

    /// ndctl's `display_size()` (adapted from mdadm's human_size_brief): the raw number
    /// below 5000 KiB, else a quoted IEC value with the JEDEC value in parentheses.
    public static func humanSize(_ bytes: UInt64) -> String {
        let K: UInt64 = 1024, M = K * K, G = M * K, T = G * K
        if bytes < 5000 * K { return String(bytes) }
        func two(_ c: Int64) -> String {
            let r = c % 100
            return "\(c / 100)." + (r < 10 ? "0\(r)" : "\(r)")
        }
        // C does this arithmetic in signed long long; the values involved fit.
        let b = Int64(bitPattern: bytes)
        var s = "\""
        if bytes < 2 * G {
            s += two((b &* 200 / Int64(M) + 1) / 2) + " MiB"
        } else if bytes < 2 * T {
            s += two((b &* 200 / Int64(G) + 1) / 2) + " GiB"
        } else {
            s += two((b &* 200 / Int64(T) + 1) / 2) + " TiB"
        }
        if bytes < 2 * G {
            s += " (" + two((b / (1_000_000 / 200) + 1) / 2) + " MB)\""
        } else if bytes < 2 * T {
            s += " (" + two((b / (1_000_000_000 / 200) + 1) / 2) + " GB)\""
        } else {
            s += " (" + two((b / (1_000_000_000_000 / 200) + 1) / 2) + " TB)\""
        }
        return s
    }

    /// JSON string escaping; json-c (and so ndctl) also escapes `/` as `\/`, which
    /// `escapingSlash: false` leaves out.
    public static func escape(_ s: String, into out: inout String, escapingSlash: Bool = true) {
        // Every escaped character is ASCII, and UTF-8 never uses ASCII bytes inside a
        // multi-byte sequence: the runs between escapes are appended whole (most strings,
        // device names, modes and sizes, are one such run).
        func escaped(_ b: UInt8) -> String? {
            switch b {
            case UInt8(ascii: "\""): return "\\\""
            case UInt8(ascii: "\\"): return "\\\\"
            case UInt8(ascii: "/") where escapingSlash: return "\\/"
            case UInt8(ascii: "\n"): return "\\n"
            case UInt8(ascii: "\r"): return "\\r"
            case UInt8(ascii: "\t"): return "\\t"
            case 0x08: return "\\b"
            case 0x0C: return "\\f"
            case 0..<0x20:
                let h = String(b, radix: 16)
                return "\\u" + String(repeating: "0", count: 4 - h.count) + h
            default: return nil
            }
        }
        let bytes = s.utf8
        var run = bytes.startIndex
        for i in bytes.indices {
            guard let e = escaped(bytes[i]) else { continue }
            out.append(contentsOf: s[run..<i])
            out += e
            run = bytes.index(after: i)
        }
        out.append(contentsOf: s[run...])
    }

    /// Object member lookup (first match), for tests and callers.
    public subscript(key: String) -> JSON? {
        if case .object(let m) = self { return m.first { $0.0 == key }?.1 }
        return nil
    }
}

/// A JSON object under construction, keeping insertion order.
public struct JSONObject {
    /// The members, in insertion order.
    public var members: [(String, JSON)] = []
    /// An empty object.
    public init() {}
    /// Adds `key`, or replaces its value in place as `json_object_object_add` does.
    public mutating func add(_ key: String, _ value: JSON) {
        // json_object_object_add replaces an existing key in place.
        if let i = members.firstIndex(where: { $0.0 == key }) {
            members[i].1 = value
        } else {
            members.append((key, value))
        }
    }
    /// The object as a JSON value.
    public var json: JSON { .object(members) }
}
