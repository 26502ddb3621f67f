import CNDCtl
import DaxCore

/// An NVDIMM (`nmemN`).
///
/// Two values are equal when they wrap the same libndctl DIMM. Its ``KernelDevice/devName``
/// (`nmem0`) and ``KernelDevice/id`` (N of `nmemN`) wrap `ndctl_dimm_get_devname` and
/// `ndctl_dimm_get_id`.
///
/// Wraps `struct ndctl_dimm`.
public final class DIMM: KernelDevice, Equatable, WrapsOneObject {
    /// The bus the DIMM is on.
    public let bus: Bus
    init(bus: Bus, raw: OpaquePointer) {
        self.bus = bus
        super.init(raw: raw, devName: ndctl_dimm_get_devname, id: ndctl_dimm_get_id)
    }

    /// Unique id (vendor-serial...), `nil` when the platform provides none.
    ///
    /// Wraps `ndctl_dimm_get_unique_id`.
    public var uniqueID: String? { str(ndctl_dimm_get_unique_id(raw)) }

    /// NFIT device handle, `nil` when unknown.
    ///
    /// Wraps `ndctl_dimm_get_handle`.
    public var handle: UInt32? { known(ndctl_dimm_get_handle(raw)) }

    /// SMBIOS physical id, `nil` when unknown.
    ///
    /// Wraps `ndctl_dimm_get_phys_id`.
    public var physID: UInt16? { known(ndctl_dimm_get_phys_id(raw)) }

    /// Whether the nvdimm driver is bound.
    ///
    /// Wraps `ndctl_dimm_is_enabled`.
    public var isEnabled: Bool { ndctl_dimm_is_enabled(raw) != 0 }

    /// NFIT health and state flags; empty when none is set.
    ///
    /// Wraps `ndctl_dimm_failed_map`, `ndctl_dimm_failed_save`, `ndctl_dimm_failed_arm`,
    /// `ndctl_dimm_failed_restore`, `ndctl_dimm_failed_flush` and `ndctl_dimm_smart_pending`.
    public var flags: DIMMFlags {
        var f: DIMMFlags = []
        if ndctl_dimm_failed_map(raw) != 0 { f.insert(.failedMap) }
        if ndctl_dimm_failed_save(raw) != 0 { f.insert(.failedSave) }
        if ndctl_dimm_failed_arm(raw) != 0 { f.insert(.failedArm) }
        if ndctl_dimm_failed_restore(raw) != 0 { f.insert(.failedRestore) }
        if ndctl_dimm_failed_flush(raw) != 0 { f.insert(.failedFlush) }
        if ndctl_dimm_smart_pending(raw) != 0 { f.insert(.smartEvent) }
        return f
    }

    /// Security state, `nil` when the DIMM has no security support.
    ///
    /// Wraps `ndctl_dimm_get_security`.
    public var security: SecurityState? {
        switch ndctl_dimm_get_security(raw) {
        case NDCTL_SECURITY_DISABLED: return .disabled
        case NDCTL_SECURITY_UNLOCKED: return .unlocked
        case NDCTL_SECURITY_LOCKED: return .locked
        case NDCTL_SECURITY_FROZEN: return .frozen
        case NDCTL_SECURITY_OVERWRITE: return .overwrite
        default: return nil
        }
    }

    /// Whether the security state is frozen until the next reboot.
    ///
    /// Wraps `ndctl_dimm_security_is_frozen`.
    public var securityFrozen: Bool { ndctl_dimm_security_is_frozen(raw) }

    /// Whether the DIMM is active: its driver reports it in use by an enabled region.
    ///
    /// Wraps `ndctl_dimm_is_active`.
    public var isActive: Bool { ndctl_dimm_is_active(raw) != 0 }
}

// MARK: - Labels

extension DIMM {
    /// Whether the label area holds a valid index: `nil` when the label area cannot be read.
    ///
    /// Wraps `ndctl_dimm_read_label_index` and `ndctl_dimm_validate_labels`.
    public func labelsAreValid() -> Bool? {
        guard let cmd = ndctl_dimm_read_label_index(raw) else { return nil }
        defer { ndctl_cmd_unref(cmd) }
        return ndctl_dimm_validate_labels(raw) >= 0
    }

    /// Writes a fresh, empty label index and has the kernel re-read it.
    ///
    /// When the DIMM is enabled, disables and re-enables it so the kernel re-reads the labels.
    ///
    /// - Parameter version12: write v1.2 labels (256 bytes each) instead of v1.1 (128 bytes).
    /// - Returns: the number of label slots.
    /// - Throws: `DaxError` `.kernelRefused` with the errno (`ENXIO` when the label index
    ///   cannot be read).
    ///
    /// Wraps `ndctl_dimm_read_label_index`, `ndctl_dimm_init_labels`, `ndctl_dimm_disable`
    /// and `ndctl_dimm_enable`.
    @discardableResult
    public func initLabels(version12: Bool = false) throws -> Int {
        guard let cmd = ndctl_dimm_read_label_index(raw) else {
            throw DaxError(.kernelRefused, object: "\(devName)",
                           problem: "cannot read the label index (no label area?)",
                           underlyingError: .noSuchAddressOrDevice)
        }
        defer { ndctl_cmd_unref(cmd) }
        let n = ndctl_dimm_init_labels(raw, version12 ? NDCTL_NS_VERSION_1_2 : NDCTL_NS_VERSION_1_1)
        try check(n, "init labels failed")
        if isEnabled {
            try check(ndctl_dimm_disable(raw), "disable after label init failed")
            try check(ndctl_dimm_enable(raw), "enable after label init failed")
        }
        return Int(n)
    }

    /// Zeroes the whole label area.
    ///
    /// - Throws: `DaxError` `.kernelRefused` with the errno.
    ///
    /// Wraps `ndctl_dimm_zero_labels`.
    public func zeroLabels() throws {
        try check(ndctl_dimm_zero_labels(raw), "zero labels failed")
    }

    /// Size of one namespace label in bytes: 128 (v1.1) or 256 (v1.2), 0 when unknown.
    ///
    /// 0 when the label area cannot be read or holds no valid index. Reads and validates the
    /// label index first: libndctl computes the size from that read (and crashes without it).
    ///
    /// Wraps `ndctl_dimm_read_label_index`, `ndctl_dimm_validate_labels` and
    /// `ndctl_dimm_sizeof_namespace_label`.
    public var labelSize: Int {
        guard let cmd = ndctl_dimm_read_label_index(raw) else { return 0 }
        defer { ndctl_cmd_unref(cmd) }
        guard ndctl_dimm_validate_labels(raw) >= 0 else { return 0 }
        return Int(ndctl_dimm_sizeof_namespace_label(raw))
    }

    /// Number of free label slots.
    ///
    /// Wraps `ndctl_dimm_get_available_labels`.
    public var availableLabels: Int { Int(ndctl_dimm_get_available_labels(raw)) }
}
