import SystemPackage

/// An error from DAXMemory: what went wrong with which object, the rule that
/// was broken, and what to do about it.
///
/// `description` is one line: `OBJECT: PROBLEM (ERRNO); RULE; fix: FIX`.
public struct DAXMemoryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is; stable for programmatic matching.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// The path does not exist.
        case notFound
        /// The path exists but is not a device-DAX character device.
        case notDAXDevice
        /// A file was expected to be a regular file and is not.
        case notRegularFile
        /// sysfs did not describe the device as expected.
        case sysfsUnreadable
        /// `open(2)` failed.
        case openFailed
        /// `stat(2)`/`fstat(2)` failed.
        case statFailed
        /// `ftruncate(2)` failed.
        case resizeFailed
        /// `memfd_create(2)` failed.
        case memfdFailed
        /// An alignment is not a power of two, not a page multiple, or unparsable.
        case invalidAlignment
        /// A size is zero, negative, too large or unparsable.
        case invalidSize
        /// A mapping offset is not a multiple of the alignment.
        case misalignedOffset
        /// A mapping length is not a multiple of the alignment.
        case misalignedLength
        /// The requested range does not lie inside the target.
        case rangeOutOfBounds
        /// A private (`MAP_PRIVATE`) mapping of a device-DAX device was requested.
        case privateMappingRefused
        /// A writable mapping (or a writing touch) was requested on read-only access.
        case readOnly
        /// `mmap(2)` failed.
        case mapFailed
        /// The mapped address is not aligned to the requested alignment.
        case addressMisaligned
        /// `munmap(2)` failed.
        case unmapFailed
        /// `/proc/self/smaps` could not be read or has no entry for the mapping.
        case smapsUnavailable
        /// A worker thread could not be started.
        case threadFailed
        /// An argument (such as a thread count) is out of range.
        case invalidArgument
        /// Verification found data that does not match the pattern.
        case verifyMismatch
        /// The kernel page size of a mapping is not the expected one.
        case pageSizeMismatch
        /// A touch took more page faults than the minimum.
        case faultCountMismatch
    }

    /// What kind of failure this is.
    public var code: Code
    /// The object concerned: a path, a device name or a value.
    public var object: String
    /// What is wrong, naming the offending value.
    public var problem: String
    /// The rule that was broken (may be empty).
    public var rule: String
    /// What to do about it (may be empty).
    public var fix: String
    /// The `errno` of the failing system call, if one failed.
    public var underlyingError: Errno?

    public init(
        _ code: Code, object: String, problem: String, rule: String = "", fix: String = "",
        underlyingError: Errno? = nil
    ) {
        self.code = code
        self.object = object
        self.problem = problem
        self.rule = rule
        self.fix = fix
        self.underlyingError = underlyingError
    }

    public var description: String {
        var text = "\(object): \(problem)"
        if let underlyingError {
            text += " (\(underlyingError), errno \(underlyingError.rawValue))"
        }
        if !rule.isEmpty { text += "; \(rule)" }
        if !fix.isEmpty { text += "; fix: \(fix)" }
        return text
    }
}
