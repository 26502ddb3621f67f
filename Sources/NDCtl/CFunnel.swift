// The C funnel: what every libndctl/libdaxctl wrapper of the NDCtl module shares (C string
// and uuid conversion, the "unknown" sentinels, the enum mappings) and the one place a
// failing C call becomes a `DaxError`. The object files call ndctl_*/daxctl_* themselves
// and go through these helpers for everything else.
import CNDCtl
import DaxCore
import SystemPackage

// MARK: - Sentinels and device types

/// What libndctl/libdaxctl return for an `unsigned long long` they cannot read (`ULLONG_MAX`).
let ULLONG_MAX_: UInt64 = .max

// Device types from <ndctl/ndctl.h> (not imported to keep the kernel uapi header out).
let ND_DEVICE_REGION_PMEM: Int32 = 2
let ND_DEVICE_REGION_BLK: Int32 = 3
let ND_DEVICE_NAMESPACE_IO: Int32 = 4
let ND_DEVICE_NAMESPACE_PMEM: Int32 = 5
let ND_DEVICE_NAMESPACE_BLK: Int32 = 6

// MARK: - Strings and uuids

/// A C string from libndctl/libdaxctl as a Swift string, `nil` for a NULL pointer.
@inline(__always)
func str(_ p: UnsafePointer<CChar>?) -> String? {
    guard let p else { return nil }
    return String(cString: p)
}

/// Reads a 16-byte uuid through a C getter (`ndctl_*_get_uuid(obj, uu)`).
func readUUID(_ body: (UnsafeMutablePointer<UInt8>) -> Void) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: 16)
    bytes.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
    return bytes
}

/// Passes uuid bytes to a C setter (`ndctl_*_set_uuid(obj, uu)`) and returns its result.
func writeUUID(_ bytes: [UInt8], _ body: (UnsafeMutablePointer<UInt8>) -> Int32) -> Int32 {
    var b = bytes
    return b.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
}

/// Formats 16 raw bytes as a lowercase RFC 4122 string.
///
/// The output is what libuuid's `uuid_unparse` prints: `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`.
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
///
/// Accepts only the 36-character hyphenated form, in either case; `nil` for anything else.
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

// MARK: - Enum mappings

/// The Swift mode of a libndctl namespace mode.
func namespaceMode(_ m: ndctl_namespace_mode) -> NamespaceMode {
    switch m {
    case NDCTL_NS_MODE_FSDAX: return .fsdax
    case NDCTL_NS_MODE_SECTOR: return .sector
    case NDCTL_NS_MODE_RAW: return .raw
    case NDCTL_NS_MODE_DAX: return .devdax
    default: return .unknown
    }
}

/// The libndctl mode of a Swift namespace mode.
func cMode(_ m: NamespaceMode) -> ndctl_namespace_mode {
    switch m {
    case .fsdax: return NDCTL_NS_MODE_FSDAX
    case .sector: return NDCTL_NS_MODE_SECTOR
    case .raw: return NDCTL_NS_MODE_RAW
    case .devdax: return NDCTL_NS_MODE_DAX
    case .unknown: return NDCTL_NS_MODE_UNKNOWN
    }
}

/// The Swift map location of a libndctl pfn/dax location.
func mapLocation(_ l: ndctl_pfn_loc) -> MapLocation {
    switch l {
    case NDCTL_PFN_LOC_RAM: return .mem
    case NDCTL_PFN_LOC_PMEM: return .dev
    default: return .none
    }
}

/// The libndctl pfn/dax location of a Swift map location.
func cLocation(_ l: MapLocation) -> ndctl_pfn_loc {
    switch l {
    case .none: return NDCTL_PFN_LOC_NONE
    case .mem: return NDCTL_PFN_LOC_RAM
    case .dev: return NDCTL_PFN_LOC_PMEM
    }
}

// MARK: - Errors

/// The error for a failed `ndctl_new`/`daxctl_new`.
/// - Parameters:
///   - library: `"ndctl"` or `"daxctl"`.
///   - rc: the call's return value, a negative errno (or 0 when it returned no context).
func contextCreationError(_ library: String, _ rc: Int32) -> DaxError {
    DaxError(.contextCreation, object: "\(library) context", problem: "cannot initialise lib\(library)",
             fix: "check that sysfs is mounted on /sys",
             underlyingError: rc == 0 ? nil : Errno(negated: rc))
}

/// A libndctl object the kernel knows by a device name.
///
/// The name (`region1`, `namespace1.0`, `pfn1.0`, `dax1.0`, `btt1.0`, `nmem0`) is the
/// object of the errors its kernel-state changes throw.
protocol KernelDevice {
    /// The kernel device name.
    var devName: String { get }
}

extension KernelDevice {
    /// Throws when a libndctl call that changes kernel state returned a negative errno.
    ///
    /// Every setter, enable, disable, delete and label write goes through here.
    ///
    /// Call it as `try check(ndctl_namespace_set_size(raw, size), "set size \(size) failed")`:
    /// the C call runs first; the device name and the problem are only read when it failed.
    ///
    /// - Parameters:
    ///   - rc: what the call returned: negative errno on failure, 0 or a count on success.
    ///   - problem: the action that failed, as the error's problem ("enable failed").
    /// - Throws: `DaxError` `.kernelRefused` with this device as object and the errno `-rc`.
    @inline(__always)
    func check(_ rc: Int32, _ problem: @autoclosure () -> Phrase) throws(DaxError) {
        if rc < 0 {
            throw DaxError(.kernelRefused, object: "\(devName)", problem: problem(),
                           underlyingError: Errno(negated: rc))
        }
    }
}
