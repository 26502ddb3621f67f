// The value types of the object model: modes, locations, states and flags.

/// The personality of a namespace (`mode` in ndctl's JSON).
///
/// The raw value is ndctl's name for the mode.
public enum NamespaceMode: String, Sendable, CaseIterable, Codable {
    /// Filesystem-DAX: a block device (`pmemX`) with a ``PFN`` info block.
    case fsdax
    /// Block device with atomic sector writes through a ``BTT`` (`pmemXs`).
    case sector
    /// Plain block device, no info block (`pmemX`).
    case raw
    /// Device-DAX: a character device (`/dev/daxX.Y`) through a ``DAXSeed`` info block.
    case devdax
    /// A mode libndctl does not know.
    case unknown

    /// Parses ndctl's mode names, including the legacy aliases `memory`, `safe` and `dax`.
    ///
    /// Case-insensitive like ndctl's `util_nsmode()`; `nil` for anything else (including
    /// `unknown`).
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
///
/// Wraps `enum ndctl_pfn_loc`.
public enum MapLocation: String, Sendable, CaseIterable, Codable {
    /// No struct page at all (`NDCTL_PFN_LOC_NONE`).
    case none
    /// In system RAM (`NDCTL_PFN_LOC_RAM`).
    case mem
    /// In the namespace itself (`NDCTL_PFN_LOC_PMEM`).
    case dev
}

/// The type of a region (`type` in ndctl's JSON).
public enum RegionType: String, Sendable {
    /// Persistent memory, mapped directly (`ND_DEVICE_REGION_PMEM`).
    case pmem
    /// Block-window aperture (`ND_DEVICE_REGION_BLK`).
    case blk
    /// Any other type.
    case unknown
}

/// The device type of a namespace (`nstype`).
public enum NamespaceType: Sendable, Equatable {
    /// `nd_namespace_io`: label-less (e820/memmap, or NFIT without labels).
    case io
    /// `nd_namespace_pmem`: label-backed.
    case pmem
    /// `nd_namespace_blk`: block-window.
    case blk
    /// Any other type, with libndctl's number for it.
    case unknown(Int)
}

/// How far writes must get to be persistent in a region (`persistence_domain` in ndctl's JSON).
///
/// The raw value is ndctl's name for the domain.
public enum PersistenceDomain: String, Sendable {
    /// Writes are persistent once in the CPU cache (`PERSISTENCE_CPU_CACHE`).
    case cpuCache = "cpu_cache"
    /// Writes are persistent once in the memory controller (`PERSISTENCE_MEM_CTRL`).
    case memoryController = "memory_controller"
    /// The platform guarantees no persistence domain (`PERSISTENCE_NONE`).
    case none
    /// The kernel does not report one.
    case unknown
}

/// The security state of a DIMM.
///
/// Wraps `enum ndctl_security_state`.
public enum SecurityState: String, Sendable {
    /// Security is disabled (no passphrase set).
    case disabled
    /// A passphrase is set and the DIMM is unlocked.
    case unlocked
    /// The DIMM is locked.
    case locked
    /// Security state changes are frozen until the next reboot.
    case frozen
    /// An overwrite is in progress.
    case overwrite
}

/// DIMM health and state flags as the NFIT reports them (`flags` in ndctl's JSON).
public struct DIMMFlags: OptionSet, Sendable {
    /// The flags as a bit set.
    public let rawValue: UInt32
    /// Flags from a bit set.
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// The DIMM is not mapped into the system physical address space (`map_fail`).
    public static let failedMap = DIMMFlags(rawValue: 1 << 0)
    /// The last shutdown's save to persistent media failed (`save_fail`).
    public static let failedSave = DIMMFlags(rawValue: 1 << 1)
    /// The DIMM is not armed to save on power loss (`arm_fail`).
    public static let failedArm = DIMMFlags(rawValue: 1 << 2)
    /// The last restore from persistent media failed (`restore_fail`).
    public static let failedRestore = DIMMFlags(rawValue: 1 << 3)
    /// The platform flush before the last shutdown failed (`flush_fail`).
    public static let failedFlush = DIMMFlags(rawValue: 1 << 4)
    /// A SMART health event is pending (`smart_notify`).
    public static let smartEvent = DIMMFlags(rawValue: 1 << 5)
}
