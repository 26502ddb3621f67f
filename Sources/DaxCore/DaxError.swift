import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// The one error every daxkit library throws (NDCtl, DAXMemory, DaxKit): which object,
/// what is wrong with which value, the rule that was broken, what would work, and the
/// `errno` of the failing call where there is one.
///
/// `object`, `problem`, `rule` and `fix` are ``Phrase``s: they name request parameters
/// and follow-up operations symbolically, so ``description`` speaks library terms
/// ("set force", "size 112M") while a front end renders the same error in its own
/// (`daxkit` says "pass --force", "--size 112M") through a ``Vocabulary``.
///
/// ``description`` is one line: `OBJECT: PROBLEM (ERRNO, errno N); RULE; FIX`.
public struct DaxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is; stable for matching, and growable: a new kind is a
    /// new static member, not a breaking change (as swift-subprocess's `SubprocessError.Code`).
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The code's name, stable across releases.
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        /// A code named `rawValue` (a library's own, beyond the ones listed here).
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        // Requests and objects.
        /// An argument is not acceptable (caught before the kernel is touched).
        public static let invalidArgument = Code("invalidArgument")
        /// A size is zero where that is not allowed, negative, too large or unparsable.
        public static let invalidSize = Code("invalidSize")
        /// An alignment is not a power of two, not a page multiple, or unparsable.
        public static let invalidAlignment = Code("invalidAlignment")
        /// The object asked for does not exist.
        public static let notFound = Code("notFound")
        /// The object is in use (mapped, mounted, held open, online as system RAM) or
        /// active where that needs consent.
        public static let inUse = Code("inUse")
        /// The object is in a state that conflicts with the request (labels already
        /// initialised, a region read-only or disabled).
        public static let conflict = Code("conflict")
        /// Not enough capacity where the request needs it.
        public static let noCapacity = Code("noCapacity")

        // Kernel and C libraries.
        /// Creating the libndctl/libdaxctl context failed (`ndctl_new`/`daxctl_new`).
        public static let contextCreation = Code("contextCreation")
        /// A libndctl/libdaxctl call or sysfs write that changes kernel state failed.
        public static let kernelRefused = Code("kernelRefused")
        /// A file or device could not be read, written or locked.
        public static let io = Code("io")
        /// Something the kernel or udev does (a device node appearing) did not happen in time.
        public static let timedOut = Code("timedOut")

        // DAXMemory: mapping and touching device-DAX.
        /// The path exists but is not a device-DAX character device.
        public static let notDAXDevice = Code("notDAXDevice")
        /// A file was expected to be a regular file and is not.
        public static let notRegularFile = Code("notRegularFile")
        /// sysfs did not describe the device as expected.
        public static let sysfsUnreadable = Code("sysfsUnreadable")
        /// `open(2)` failed.
        public static let openFailed = Code("openFailed")
        /// `stat(2)`/`fstat(2)` failed.
        public static let statFailed = Code("statFailed")
        /// `ftruncate(2)` failed.
        public static let resizeFailed = Code("resizeFailed")
        /// `memfd_create(2)` failed.
        public static let memfdFailed = Code("memfdFailed")
        /// A mapping offset is not a multiple of the alignment.
        public static let misalignedOffset = Code("misalignedOffset")
        /// A mapping length is not a multiple of the alignment.
        public static let misalignedLength = Code("misalignedLength")
        /// The requested range does not lie inside the target.
        public static let rangeOutOfBounds = Code("rangeOutOfBounds")
        /// A private (`MAP_PRIVATE`) mapping of a device-DAX device was requested.
        public static let privateMappingRefused = Code("privateMappingRefused")
        /// A writable mapping (or a writing touch) was requested on read-only access.
        public static let readOnly = Code("readOnly")
        /// `mmap(2)` failed.
        public static let mapFailed = Code("mapFailed")
        /// The mapped address is not aligned to the requested alignment.
        public static let addressMisaligned = Code("addressMisaligned")
        /// `munmap(2)` failed.
        public static let unmapFailed = Code("unmapFailed")
        /// `/proc/self/smaps` could not be read or has no entry for the mapping.
        public static let smapsUnavailable = Code("smapsUnavailable")
        /// A worker thread could not be started.
        public static let threadFailed = Code("threadFailed")
        /// Verification found data that does not match the pattern.
        public static let verifyMismatch = Code("verifyMismatch")
        /// The kernel page size of a mapping is not the expected one.
        public static let pageSizeMismatch = Code("pageSizeMismatch")
        /// A touch took more page faults than the minimum.
        public static let faultCountMismatch = Code("faultCountMismatch")
    }

    /// What kind of failure this is.
    public var code: Code
    /// The object concerned: a device, region, namespace, path, or a parameter and its value.
    public var object: Phrase
    /// What is wrong, naming the offending value.
    public var problem: Phrase
    /// The rule that was broken (may be empty).
    public var rule: Phrase
    /// What would work (may be empty).
    public var fix: Phrase
    /// The `errno` of the failing system or library call, if one failed.
    public var underlyingError: Errno?
    /// The errors this one sums up, each a line of its own (a plan's every problem);
    /// empty for a single failure.
    public var details: [DaxError]

    /// - Parameters:
    ///   - code: the kind of failure.
    ///   - object: the object concerned (device, region, namespace, path, or parameter).
    ///   - problem: what is wrong, with the offending value.
    ///   - rule: the rule broken; empty when it goes without saying.
    ///   - fix: what would work; empty when nothing can be suggested.
    ///   - underlyingError: the errno of the failing call.
    ///   - details: the errors this one sums up (every problem of a plan).
    public init(_ code: Code, object: Phrase, problem: Phrase, rule: Phrase = "", fix: Phrase = "",
                underlyingError: Errno? = nil, details: [DaxError] = []) {
        self.code = code
        self.object = object
        self.problem = problem
        self.rule = rule
        self.fix = fix
        self.underlyingError = underlyingError
        self.details = details
    }

    /// The whole error as one phrase: `OBJECT: PROBLEM (ERRNO, errno N); RULE; FIX`.
    public var sentence: Phrase {
        var p: Phrase = object.isEmpty ? problem : object + ": " + problem
        if let underlyingError {
            p = p + Phrase(" (\(underlyingError), errno \(underlyingError.rawValue))")
        }
        if !rule.isEmpty { p = p + "; " + rule }
        if !fix.isEmpty { p = p + "; " + fix }
        return p
    }

    /// The error as one line in the given vocabulary (``sentence``, rendered).
    public func rendered(by vocabulary: some Vocabulary) -> String { sentence.rendered(by: vocabulary) }

    /// One line in library terms (``LibraryVocabulary``).
    public var description: String { rendered(by: LibraryVocabulary()) }
}

extension Errno {
    /// `errno` of the calling thread, read at once after a failing call.
    package static var current: Errno { Errno(rawValue: Glibc.errno) }

    /// An `Errno` from a C library's negative return value (`-EINVAL` → `.invalidArgument`).
    package init(negated rc: Int32) { self.init(rawValue: rc < 0 ? -rc : rc) }
}
