import SystemPackage

/// An error from libndctl or libdaxctl, with what the user needs to act on it.
public struct NDCtlError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is.
    public enum Code: Sendable, Equatable {
        /// Creating the library context failed (`ndctl_new`/`daxctl_new`).
        case contextCreation
        /// A libndctl/libdaxctl call that changes kernel state failed.
        case operationFailed
        /// The object asked for does not exist.
        case notFound
        /// The argument is not acceptable (caught before the kernel is touched).
        case invalidArgument
    }

    public var code: Code
    /// The errno the C library reported, if any.
    public var underlyingError: Errno?
    /// One line: the object, the value, the rule and the fix.
    public var message: String

    public init(_ code: Code, _ message: String, underlying: Errno? = nil) {
        self.code = code
        self.message = message
        self.underlyingError = underlying
    }

    /// Builds an error from a libndctl return value (a negative errno).
    static func fromReturn(_ rc: Int32, _ message: String, code: Code = .operationFailed) -> NDCtlError {
        NDCtlError(code, message, underlying: Errno(rawValue: rc < 0 ? -rc : rc))
    }

    public var description: String {
        if let e = underlyingError { return "\(message): \(e)" }
        return message
    }
}

/// The personality of a namespace (`mode` in ndctl's JSON).
public enum NamespaceMode: String, Sendable, CaseIterable {
    case fsdax, sector, raw, devdax, unknown

    /// Parses ndctl's mode names, including the legacy aliases
    /// (`memory`, `safe`, `dax`), case-insensitively like `util_nsmode()`.
    public init?(parsing text: String) {
        switch text.lowercased() {
        case "memory", "fsdax": self = .fsdax
        case "sector", "safe": self = .sector
        case "dax", "devdax": self = .devdax
        case "raw": self = .raw
        default: return nil
        }
    }
}

/// Where the `struct page` array of a pfn/dax device lives (`map` in ndctl's JSON).
public enum MapLocation: String, Sendable, CaseIterable {
    /// No struct page at all (NDCTL_PFN_LOC_NONE).
    case none
    /// In system RAM (NDCTL_PFN_LOC_RAM).
    case mem
    /// In the namespace itself (NDCTL_PFN_LOC_PMEM).
    case dev
}

/// Region type.
public enum RegionType: String, Sendable {
    case pmem, blk, unknown
}

/// Namespace device type (`nstype`).
public enum NamespaceType: Sendable, Equatable {
    /// `nd_namespace_io`: label-less (e820/memmap or NFIT without labels).
    case io
    /// `nd_namespace_pmem`: label-backed.
    case pmem
    /// `nd_namespace_blk`.
    case blk
    case unknown(Int)
}

/// The platform's persistence domain for a region.
public enum PersistenceDomain: String, Sendable {
    case cpuCache = "cpu_cache"
    case memoryController = "memory_controller"
    case none
    case unknown
}

/// DIMM security state.
public enum SecurityState: String, Sendable {
    case disabled, unlocked, locked, frozen, overwrite
}

/// DIMM health/status flags as the NFIT reports them.
public struct DIMMFlags: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let failedMap = DIMMFlags(rawValue: 1 << 0)
    public static let failedSave = DIMMFlags(rawValue: 1 << 1)
    public static let failedArm = DIMMFlags(rawValue: 1 << 2)
    public static let failedRestore = DIMMFlags(rawValue: 1 << 3)
    public static let failedFlush = DIMMFlags(rawValue: 1 << 4)
    public static let smartEvent = DIMMFlags(rawValue: 1 << 5)
}

/// A bad-block record: offset and length in 512-byte sectors.
public struct BadBlock: Sendable, Equatable {
    public var offset: UInt64
    public var length: UInt32
}

/// Formats 16 raw bytes as a lowercase RFC 4122 string (what `uuid_unparse` prints).
public func formatUUID(_ bytes: [UInt8]) -> String {
    let hex = bytes.map { b -> String in
        let s = String(b, radix: 16)
        return s.count == 1 ? "0" + s : s
    }
    var out = ""
    for (i, h) in hex.enumerated() {
        if i == 4 || i == 6 || i == 8 || i == 10 { out += "-" }
        out += h
    }
    return out
}

/// Parses an RFC 4122 UUID string into 16 bytes.
public func parseUUID(_ text: String) -> [UInt8]? {
    let hex = text.filter { $0 != "-" }
    guard hex.count == 32, text.count == 36 else { return nil }
    var bytes: [UInt8] = []
    var idx = hex.startIndex
    while idx < hex.endIndex {
        let next = hex.index(idx, offsetBy: 2)
        guard let b = UInt8(hex[idx..<next], radix: 16) else { return nil }
        bytes.append(b)
        idx = next
    }
    return bytes
}
