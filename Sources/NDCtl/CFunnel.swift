// The C funnel: what every libndctl/libdaxctl wrapper of the NDCtl module shares (C string
// and uuid conversion, the "unknown" sentinels, the list walk, the supported-value arrays,
// the enum mappings, context creation, identity equality) and the one place a failing C
// call becomes a `DaxError`. The object files call ndctl_*/daxctl_* themselves
// and go through these helpers for everything else.
import CNDCtl
import DaxCore
import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

// MARK: - Device types

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

/// A C string from libndctl/libdaxctl as a Swift string, `nil` for a NULL pointer or "".
func nonEmpty(_ p: UnsafePointer<CChar>?) -> String? {
    guard let s = str(p), !s.isEmpty else { return nil }
    return s
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

// MARK: - Sentinels, lists and arrays

/// `nil` for the "unknown" value of an unsigned C getter (its type's all-ones: `ULLONG_MAX`,
/// `ULONG_MAX`, `UINT_MAX`, `USHRT_MAX`), else the value.
@inline(__always)
func known<V: FixedWidthInteger & UnsignedInteger>(_ v: V) -> V? {
    v == .max ? nil : v
}

/// `nil` for a negative C `int` ("none": a NUMA node, a target node, a position), else the value.
@inline(__always)
func nonNegative(_ n: Int32) -> Int? {
    n >= 0 ? Int(n) : nil
}

/// Walks a libndctl/libdaxctl list into Swift values, in the library's order.
///
/// The loop of the `ndctl_*_foreach`/`daxctl_*_foreach` macros: `first` is what
/// `*_get_first` returned; `make` runs on each element before `next` (`*_get_next`) is asked
/// for the one after it, until `next` returns NULL. Elements `make` returns `nil` for are
/// left out.
func collect<P, T>(_ first: P?, next: (P) -> P?, _ make: (P) -> T?) -> [T] {
    var out: [T] = []
    var cur = first
    while let c = cur {
        if let v = make(c) { out.append(v) }
        cur = next(c)
    }
    return out
}

/// The media-error records of a region or namespace, in libndctl's order.
///
/// `first` is what `ndctl_*_get_first_badblock` returned; `next` calls
/// `ndctl_*_get_next_badblock` (which keeps its cursor in the object) until NULL.
func collectBadBlocks(_ first: UnsafeMutablePointer<badblock>?,
                      next: () -> UnsafeMutablePointer<badblock>?) -> [BadBlock] {
    collect(first, next: { _ in next() }) {
        BadBlock(offset: $0.pointee.offset, length: $0.pointee.len)
    }
}

/// A libndctl supported-values list in bytes (alignments, sector sizes), in its order.
///
/// `n` is what `ndctl_*_get_num_*` returned; `get` calls `ndctl_*_get_supported_*(obj, i)`
/// for each `i` in `0..<n`. Empty when `n` is not positive.
func supportedValues<V: BinaryInteger>(_ n: Int32, _ get: (Int32) -> V) -> [UInt64] {
    guard n > 0 else { return [] }
    return (0..<n).map { UInt64(get($0)) }
}

// MARK: - Enum mappings

/// The Swift type of a libndctl namespace device type (`ND_DEVICE_NAMESPACE_*`).
func namespaceDeviceType(_ t: UInt32) -> NamespaceType {
    switch Int32(t) {
    case ND_DEVICE_NAMESPACE_IO: return .io
    case ND_DEVICE_NAMESPACE_PMEM: return .pmem
    case ND_DEVICE_NAMESPACE_BLK: return .blk
    case let v: return .unknown(Int(v))
    }
}

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

// MARK: - Contexts

/// A libndctl or libdaxctl library context: the base of ``NDContext`` and ``DAXContext``.
///
/// Holds the C context from its creation to its release (`ndctl_unref`/`daxctl_unref`) when
/// the last reference to it goes.
public class LibraryContext {
    /// The C context (`struct ndctl_ctx` or `struct daxctl_ctx`).
    let raw: OpaquePointer
    /// Releases the C context: calls `ndctl_unref`/`daxctl_unref`.
    private let unref: (OpaquePointer) -> Void

    /// Creates a libndctl/libdaxctl context, with the library's own logging off unless the
    /// environment sets `NDCTL_LOG`/`DAXCTL_LOG`.
    ///
    /// libndctl/libdaxctl log failures to stderr themselves; callers report one line per error
    /// instead. Setting the variable (e.g. `debug`) keeps the library's logging on.
    ///
    /// - Parameters:
    ///   - library: `"ndctl"` or `"daxctl"`: names the errors and the variable (`NDCTL_LOG`).
    ///   - new: calls `ndctl_new`/`daxctl_new` with the out-pointer.
    ///   - setLogPriority: calls `ndctl_set_log_priority`/`daxctl_set_log_priority`.
    ///   - unref: calls `ndctl_unref`/`daxctl_unref`, when the context is deinitialized.
    /// - Throws: `DaxError` `.contextCreation` with the errno.
    init(_ library: String,
         new: (UnsafeMutablePointer<OpaquePointer?>) -> Int32,
         setLogPriority: (OpaquePointer, Int32) -> Void,
         unref: @escaping (OpaquePointer) -> Void) throws(DaxError) {
        var ctx: OpaquePointer?
        let rc = new(&ctx)
        guard rc == 0, let ctx else { throw contextCreationError(library, rc) }
        if getenv("\(library.uppercased())_LOG") == nil { setLogPriority(ctx, 0) }
        raw = ctx
        self.unref = unref
    }

    deinit { unref(raw) }
}

// MARK: - Kernel devices

/// A wrapper of one libndctl object whose values are equal when they wrap the same object.
///
/// ``DIMM``, ``Region`` and ``Namespace`` compare this way, so two wrappers made by two
/// walks of the same list are equal.
protocol WrapsOneObject: AnyObject, Equatable {
    /// The libndctl object.
    var raw: OpaquePointer { get }
}

extension WrapsOneObject {
    /// Whether both wrap the same libndctl object.
    public static func == (a: Self, b: Self) -> Bool { a.raw == b.raw }
}

/// A libndctl object the kernel knows by a device name: the base of ``DIMM``, ``Region``,
/// ``Namespace`` and the personalities (``PFN``, ``DAXSeed``, ``BTT``).
///
/// The name (`region1`, `namespace1.0`, `pfn1.0`, `dax1.0`, `btt1.0`, `nmem0`) is the
/// object of the errors its kernel-state changes throw.
public class KernelDevice {
    /// The libndctl object.
    let raw: OpaquePointer
    /// The object's `ndctl_*_get_devname`.
    private let getDevName: (OpaquePointer) -> UnsafePointer<CChar>?
    /// The object's `ndctl_*_get_id`.
    private let getID: (OpaquePointer) -> UInt32

    init(raw: OpaquePointer, devName: @escaping (OpaquePointer) -> UnsafePointer<CChar>?,
         id: @escaping (OpaquePointer) -> UInt32) {
        self.raw = raw
        getDevName = devName
        getID = id
    }

    /// Kernel device name, e.g. `nmem0`, `region1`, `namespace1.0`, `pfn1.0`, `dax1.0` or
    /// `btt1.0`; empty when libndctl has none.
    ///
    /// Wraps the object's own `ndctl_dimm_get_devname`, `ndctl_region_get_devname`,
    /// `ndctl_namespace_get_devname`, `ndctl_pfn_get_devname`, `ndctl_dax_get_devname` or
    /// `ndctl_btt_get_devname`.
    public var devName: String { str(getDevName(raw)) ?? "" }

    /// Kernel id: N of `nmemN` or `regionN`; Y of `namespaceX.Y`, `pfnX.Y`, `daxX.Y` or
    /// `bttX.Y`.
    ///
    /// Wraps the object's own `ndctl_dimm_get_id`, `ndctl_region_get_id`,
    /// `ndctl_namespace_get_id`, `ndctl_pfn_get_id`, `ndctl_dax_get_id` or `ndctl_btt_get_id`.
    public var id: UInt32 { getID(raw) }
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
        try checkRC(rc, devName, problem())
    }
}

/// The one rc check of both funnels: throws when a libndctl/libdaxctl call that changes
/// kernel state returned a negative errno.
///
/// - Throws: `DaxError` `.kernelRefused` with `object` and the errno `-rc`.
@inline(__always)
func checkRC(_ rc: Int32, _ object: @autoclosure () -> String, _ problem: @autoclosure () -> Phrase) throws(DaxError) {
    if rc < 0 {
        throw DaxError(.kernelRefused, object: Phrase(object()), problem: problem(), underlyingError: Errno(negated: rc))
    }
}

/// A physical address as the kernel writes it: `0x` and lower-case hex.
func hexAddress(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }
