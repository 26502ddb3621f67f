import DaxCore
import SystemPackage

/// Something that can be mapped: a device-DAX character device, a regular
/// file, a memfd, or anonymous memory. Owns its file descriptor, which is
/// closed exactly once, by `close()` or on destruction.
///
/// Mappings made from a target stay valid after the target is closed.
public struct MemoryTarget: ~Copyable {
    /// What the target is.
    public enum Kind: Sendable, Hashable {
        /// A device-DAX character device, as sysfs describes it.
        case deviceDAX(DAXDeviceInfo)
        /// A regular file (on tmpfs, ext4/xfs with or without `-o dax`, ...).
        case regularFile
        /// A memfd (`memfd_create(2)`).
        case memfd
        /// Anonymous shared memory; every mapping of it is fresh memory.
        case anonymous

        /// `"devdax"`, `"file"`, `"memfd"` or `"anonymous"`.
        public var name: String {
            switch self {
            case .deviceDAX: "devdax"
            case .regularFile: "file"
            case .memfd: "memfd"
            case .anonymous: "anonymous"
            }
        }

        /// Whether this is a device-DAX device.
        public var isDeviceDAX: Bool {
            if case .deviceDAX = self { return true }
            return false
        }
    }

    /// How the target was opened.
    public enum Access: Sendable, Hashable {
        /// Opened `O_RDONLY`: mappings can only be `PROT_READ`, and only read and verify
        /// touches run.
        case readOnly
        /// Opened `O_RDWR`: mappings are writable unless asked otherwise.
        case readWrite
    }

    /// The path opened, or `"memfd:NAME"` / `"anonymous"`.
    public let path: String
    /// What the target is.
    public let kind: Kind
    /// Size in bytes: the device size, the file size, or the requested size.
    public let size: Int
    /// The alignment mappings use: the device alignment, or the one requested.
    public let alignment: Alignment
    /// How the target was opened.
    public let access: Access
    /// The owned descriptor; -1 for anonymous memory or once closed.
    private var fd: Int32

    private init(path: String, kind: Kind, size: Int, alignment: Alignment, access: Access, fd: Int32) {
        self.path = path
        self.kind = kind
        self.size = size
        self.alignment = alignment
        self.access = access
        self.fd = fd
    }

    deinit {
        if fd >= 0 { Syscall.close(fd) }
    }

    /// Closes the descriptor and reports a failure.
    ///
    /// - Throws: `DaxError` `.openFailed` with the errno of `close(2)`.
    ///
    /// Wraps `close(2)`.
    public consuming func close() throws {
        let descriptor = fd
        fd = -1
        guard descriptor >= 0 else { return }
        if case .failure(let error) = Syscall.close(descriptor) {
            throw DaxError(
                .openFailed, object: Phrase(path), problem: "close failed", underlyingError: error)
        }
    }

    /// The node path for a device given by name or path: `"dax0.0"` becomes
    /// `"/dev/dax0.0"`; anything containing a `/` is returned as is.
    public static func devicePath(for nameOrPath: String) -> String {
        nameOrPath.contains("/") ? nameOrPath : "/dev/" + nameOrPath
    }

    /// Opens a device-DAX character device by path (`/dev/dax0.0`) or name
    /// (`dax0.0`) and reads its size and alignment from sysfs.
    ///
    /// - Parameters:
    ///   - nameOrPath: `/dev/daxX.Y` or `daxX.Y`.
    ///   - access: Read-write (default) or read-only.
    ///   - sysfs: Where sysfs is mounted (injectable for tests).
    /// - Throws: `DaxError`: `.notFound`, `.notDAXDevice` (regular files,
    ///   block devices, other character devices), `.sysfsUnreadable`, `.openFailed`.
    ///
    /// Wraps `stat(2)` and `open(2)`; reads `/sys/dev/char/MAJ:MIN` (see `DAXSysfs`).
    public static func openDevice(
        _ nameOrPath: String, access: Access = .readWrite, sysfs: DAXSysfs = DAXSysfs()
    ) throws -> MemoryTarget {
        let path = devicePath(for: nameOrPath)
        let status = try statOrThrow(path, isDevice: true)
        switch status.kind {
        case .characterDevice:
            break
        case .regular:
            throw DaxError(
                .notDAXDevice, object: Phrase(path), problem: "is a regular file, not a device-DAX character device",
                rule: "devices are /dev/daxX.Y character devices",
                fix: "pass the file with \(.file) instead")
        case .blockDevice:
            throw DaxError(
                .notDAXDevice, object: Phrase(path),
                problem: "is a block device (an fsdax-mode pmem namespace?), not a device-DAX character device",
                rule: "device-DAX needs a namespace in devdax mode, which appears as /dev/daxX.Y",
                fix: "make the namespace devdax (\(Operation.createNamespace(mode: "devdax"))), or mount it with -o dax and use \(.file)")
        case .directory, .other:
            throw DaxError(
                .notDAXDevice, object: Phrase(path), problem: "is not a character device",
                rule: "devices are /dev/daxX.Y character devices",
                fix: "pass a /dev/daxX.Y device (\(Operation.listDAXDevices) shows them)")
        }
        let info = try sysfs.device(major: status.deviceMajor, minor: status.deviceMinor, path: path)
        let fd = try openOrThrow(path, access: access, create: false)
        return MemoryTarget(
            path: path, kind: .deviceDAX(info), size: info.size, alignment: info.alignment,
            access: access, fd: fd)
    }

    /// Opens (and optionally creates or extends) a regular file.
    ///
    /// - Parameters:
    ///   - path: The file.
    ///   - alignment: The alignment mappings use (default 4K).
    ///   - access: Read-write (default) or read-only.
    ///   - createSize: Create the file if missing, or extend it, to this many bytes; a
    ///     file already larger is refused (`.invalidSize`), never shrunk and never
    ///     mapped whole in its place; nil opens an existing file as it is.
    /// - Throws: `DaxError`: `.notFound`, `.notRegularFile`, `.openFailed`, `.resizeFailed`,
    ///   `.invalidSize`.
    ///
    /// Wraps `stat(2)`, `open(2)` (`O_CREAT` with a create size) and `ftruncate(2)`.
    public static func openFile(
        _ path: String, alignment: Alignment = .page4K, access: Access = .readWrite,
        createSize: Int? = nil
    ) throws -> MemoryTarget {
        try checkPageMultiple(alignment, object: path)
        if let createSize {
            guard createSize > 0 else {
                throw DaxError(
                    .invalidSize, object: Phrase(path), problem: "create size \(createSize) is not positive",
                    rule: "a file to map needs at least one page", fix: "pass a size such as 1G")
            }
            guard access == .readWrite else {
                throw DaxError(
                    .readOnly, object: Phrase(path), problem: "cannot create or extend a file opened read-only",
                    fix: "open it read-write, or drop the create size")
            }
        }
        switch Sys.stat(path) {
        case .success(let status):
            guard status.kind == .regular else {
                var fix: Phrase = "pass a regular file"
                if status.kind == .characterDevice {
                    fix = "pass a device-DAX device as DEVICE, not with \(.file)"
                }
                throw DaxError(
                    .notRegularFile, object: Phrase(path), problem: "is not a regular file",
                    rule: "\(.file) maps regular files (tmpfs, ext4/xfs, -o dax mounts)", fix: fix)
            }
        case .failure(.noSuchFileOrDirectory) where createSize != nil:
            break
        case .failure(.noSuchFileOrDirectory):
            throw DaxError(
                .notFound, object: Phrase(path), problem: "no such file",
                fix: "create it by passing a size (\(.createSize, "SIZE"))", underlyingError: .noSuchFileOrDirectory)
        case .failure(let error):
            throw DaxError(.statFailed, object: Phrase(path), problem: "cannot stat", underlyingError: error)
        }
        let fd = try openOrThrow(path, access: access, create: createSize != nil)
        var size: Int
        switch Sys.fstat(fd) {
        case .success(let status):
            size = status.size
        case .failure(let error):
            Syscall.close(fd)
            throw DaxError(.statFailed, object: Phrase(path), problem: "cannot fstat", underlyingError: error)
        }
        if let createSize, createSize < size {
            Syscall.close(fd)
            throw DaxError(
                .invalidSize, object: Phrase(path),
                problem: "is already \(ByteCount.format(size)), larger than \(.createSize, ByteCount.format(createSize))",
                rule: "a create size creates or extends a file and never shrinks one",
                fix: "map part of it with \(.length, ByteCount.compact(createSize)), or all of it without \(.createSize, "SIZE")")
        }
        if let createSize, createSize > size {
            if case .failure(let error) = Sys.truncate(fd, to: createSize) {
                Syscall.close(fd)
                throw DaxError(
                    .resizeFailed, object: Phrase(path), problem: "cannot extend to \(createSize) bytes",
                    fix: "check free space and that the file system supports sparse files",
                    underlyingError: error)
            }
            size = createSize
        }
        return MemoryTarget(path: path, kind: .regularFile, size: size, alignment: alignment, access: access, fd: fd)
    }

    /// Creates a memfd of `size` bytes.
    ///
    /// - Throws: `DaxError`: `.invalidSize`, `.memfdFailed`, `.resizeFailed`.
    ///
    /// Wraps `memfd_create(2)` (`MFD_CLOEXEC`) and `ftruncate(2)`.
    public static func memfd(name: String = "daxkit", size: Int, alignment: Alignment = .page4K) throws
        -> MemoryTarget
    {
        let object = "memfd:\(name)"
        try checkPageMultiple(alignment, object: object)
        guard size > 0 else {
            throw DaxError(
                .invalidSize, object: Phrase(object), problem: "size \(size) is not positive",
                rule: "a memfd to map needs at least one page", fix: "pass a positive size")
        }
        let fd: Int32
        switch Sys.memfdCreate(name) {
        case .success(let descriptor): fd = descriptor
        case .failure(let error):
            throw DaxError(
                .memfdFailed, object: Phrase(object), problem: "memfd_create failed",
                fix: "needs Linux 3.17+ and glibc 2.27+", underlyingError: error)
        }
        let target = MemoryTarget(path: object, kind: .memfd, size: size, alignment: alignment, access: .readWrite, fd: fd)
        if case .failure(let error) = Sys.truncate(fd, to: size) {
            throw DaxError(
                .resizeFailed, object: Phrase(object), problem: "cannot size to \(size) bytes", underlyingError: error)
        }
        return target
    }

    /// Anonymous shared memory of `size` bytes; each `map` returns fresh zeroed memory.
    ///
    /// - Throws: `DaxError` `.invalidSize`, `.invalidAlignment`.
    public static func anonymous(size: Int, alignment: Alignment = .page4K) throws -> MemoryTarget {
        try checkPageMultiple(alignment, object: "anonymous")
        guard size > 0 else {
            throw DaxError(
                .invalidSize, object: "anonymous", problem: "size \(size) is not positive",
                rule: "a mapping needs at least one page", fix: "pass a positive size")
        }
        return MemoryTarget(path: "anonymous", kind: .anonymous, size: size, alignment: alignment, access: .readWrite, fd: -1)
    }

    /// Maps all of the target, or `length` bytes at `offset`, at an address
    /// aligned to `alignment`.
    ///
    /// - Parameters:
    ///   - offset: Byte offset into the target; a multiple of the alignment.
    ///   - length: Bytes to map (nil: to the end); a multiple of the alignment.
    ///   - sharing: `.shared` (default; the only choice for device-DAX) or `.private`.
    ///   - writable: Map read-write; nil means "as the target was opened".
    /// - Throws: `DaxError` from `MappingPlan` validation, or `.mapFailed`,
    ///   `.addressMisaligned` from `mmap(2)`.
    ///
    /// Wraps `mmap(2)` three ways: a `PROT_NONE` reservation of length + alignment,
    /// the target with `MAP_FIXED|MAP_SHARED` (or `MAP_PRIVATE`) in its aligned
    /// hole, and `munmap(2)` of the slack.
    public func map(
        offset: Int = 0, length: Int? = nil, sharing: MappingPlan.Sharing = .shared, writable: Bool? = nil
    ) throws -> MemoryMapping {
        let plan = try MappingPlan(
            object: path, kind: kind, targetSize: size, alignment: alignment, offset: offset,
            length: length, sharing: sharing, writable: writable ?? (access == .readWrite),
            access: access)
        return try MemoryMapping(plan: plan, fd: fd >= 0 ? fd : nil)
    }

    // MARK: Helpers

    private static func statOrThrow(_ path: String, isDevice: Bool) throws -> FileStatus {
        switch Sys.stat(path) {
        case .success(let status):
            return status
        case .failure(.noSuchFileOrDirectory):
            throw DaxError(
                .notFound, object: Phrase(path), problem: "no such device",
                rule: "device-DAX devices appear as /dev/daxX.Y once a namespace or region is in devdax mode",
                fix: "list them (\(Operation.listDAXDevices)) or create one (\(Operation.createNamespace(mode: "devdax")))",
                underlyingError: .noSuchFileOrDirectory)
        case .failure(let error):
            throw DaxError(.statFailed, object: Phrase(path), problem: "cannot stat", underlyingError: error)
        }
    }

    private static func openOrThrow(_ path: String, access: Access, create: Bool) throws -> Int32 {
        var flags = (access == .readWrite ? FileDescriptor.AccessMode.readWrite : .readOnly).rawValue
        if create { flags |= FileDescriptor.OpenOptions.create.rawValue }
        switch Syscall.open(path, flags, mode: FilePermissions(rawValue: 0o644).rawValue) {
        case .success(let fd):
            return fd
        case .failure(let error):
            let fix: Phrase =
                switch error {
                case .permissionDenied, .notPermitted:
                    "run as root, or grant this user access to the node (chmod/chown or a udev rule)"
                case .readOnlyFileSystem:
                    "open it read-only (a read or verify touch)"
                default:
                    ""
                }
            throw DaxError(
                .openFailed, object: Phrase(path),
                problem: "cannot open \(access == .readWrite ? "read-write" : "read-only")", fix: fix,
                underlyingError: error)
        }
    }

    private static func checkPageMultiple(_ alignment: Alignment, object: String) throws {
        guard alignment.rawValue % Sys.pageSize == 0 else {
            throw DaxError(
                .invalidAlignment, object: Phrase(object),
                problem: "alignment \(alignment) is smaller than the system page size \(ByteCount.compact(Sys.pageSize))",
                rule: "mappings are aligned to at least a page",
                fix: "use \(ByteCount.compact(Sys.pageSize)) or larger")
        }
    }
}

/// A validated request to map part of a target: the pure rules, apart from
/// the system calls, so that they can be checked without a device.
public struct MappingPlan: Sendable, Hashable {
    /// `MAP_SHARED` or `MAP_PRIVATE`.
    public enum Sharing: String, Sendable, Hashable, Codable {
        /// `MAP_SHARED`: stores reach the target and every other mapping of it; the only
        /// sharing device-DAX accepts.
        case shared
        /// `MAP_PRIVATE`: copy-on-write, stores stay in this mapping; refused for
        /// device-DAX.
        case `private`
    }

    /// The target's path (``MemoryTarget/path``), naming it in errors.
    public let object: String
    /// What the target is.
    public let kind: MemoryTarget.Kind
    /// Size of the whole target in bytes.
    public let targetSize: Int
    /// The alignment of the offset, the length and the mapped address.
    public let alignment: Alignment
    /// Byte offset of the mapping in the target: a multiple of ``alignment``, below
    /// ``targetSize``.
    public let offset: Int
    /// Length of the mapping in bytes: a positive multiple of ``alignment`` ending inside
    /// the target (the rest of the target when none was given).
    public let length: Int
    /// `MAP_SHARED` or `MAP_PRIVATE`.
    public let sharing: Sharing
    /// Whether to map `PROT_READ|PROT_WRITE` (else `PROT_READ`).
    public let writable: Bool

    /// Validates a mapping request.
    ///
    /// - Throws: `DaxError`: `.privateMappingRefused` (device-DAX, private),
    ///   `.readOnly` (writable on read-only access), `.misalignedOffset`,
    ///   `.misalignedLength`, `.rangeOutOfBounds`, `.invalidAlignment`.
    public init(
        object: String, kind: MemoryTarget.Kind, targetSize: Int, alignment: Alignment,
        offset: Int = 0, length: Int? = nil, sharing: Sharing = .shared, writable: Bool = true,
        access: MemoryTarget.Access = .readWrite
    ) throws {
        if sharing == .private, kind.isDeviceDAX {
            throw DaxError(
                .privateMappingRefused, object: Phrase(object),
                problem: "a private (MAP_PRIVATE) mapping was requested",
                rule: "device-DAX accepts only shared mappings; the kernel fails MAP_PRIVATE with EINVAL (drivers/dax/device.c check_vma)",
                fix: "map it shared (MAP_SHARED), the default")
        }
        if writable, access == .readOnly {
            throw DaxError(
                .readOnly, object: Phrase(object), problem: "a writable mapping was requested on a target opened read-only",
                fix: "open it read-write, or map it read-only")
        }
        guard alignment.rawValue % Sys.pageSize == 0 else {
            throw DaxError(
                .invalidAlignment, object: Phrase(object),
                problem: "alignment \(alignment) is smaller than the system page size \(ByteCount.compact(Sys.pageSize))",
                rule: "mappings are aligned to at least a page", fix: "use \(ByteCount.compact(Sys.pageSize)) or larger")
        }
        let a = alignment
        guard offset >= 0, a.divides(offset) else {
            throw DaxError(
                .misalignedOffset, object: Phrase(object),
                problem: "offset \(offset) (\(ByteCount.format(offset))) is not a multiple of the alignment \(a)",
                rule: "a mapping must start on the \(kind.isDeviceDAX ? "device " : "")alignment",
                fix: Phrase(Self.nearest(offset, a, allowZero: true)))
        }
        guard offset < targetSize else {
            throw DaxError(
                .rangeOutOfBounds, object: Phrase(object),
                problem: "offset \(offset) (\(ByteCount.format(offset))) is not inside the target's \(targetSize) bytes (\(ByteCount.format(targetSize)))",
                rule: "a mapping must lie inside the target",
                fix: "use an offset below \(targetSize), e.g. \(a.roundDown(max(0, targetSize - 1)))")
        }
        let length = length ?? (targetSize - offset)
        guard length > 0, a.divides(length) else {
            var rule = "a mapping must end on the \(kind.isDeviceDAX ? "device " : "")alignment"
            if length > 0, targetSize - offset == length {
                rule += " (the target's size \(targetSize) is not a multiple of \(a), so pass a length)"
            }
            throw DaxError(
                .misalignedLength, object: Phrase(object),
                problem: "length \(length) (\(ByteCount.format(length))) is not a positive multiple of the alignment \(a)",
                rule: Phrase(rule), fix: Phrase(Self.nearest(length, a, allowZero: false)))
        }
        let (end, overflow) = offset.addingReportingOverflow(length)
        guard !overflow, end <= targetSize else {
            let room = a.roundDown(targetSize - offset)
            throw DaxError(
                .rangeOutOfBounds, object: Phrase(object),
                problem: "offset \(offset) + length \(length) ends past the target's size \(targetSize) (\(ByteCount.format(targetSize)))",
                rule: "a mapping must lie inside the target",
                fix: room > 0
                    ? "use a length of at most \(room) (\(ByteCount.format(room))) at offset \(offset)"
                    : "use a smaller offset")
        }
        self.object = object
        self.kind = kind
        self.targetSize = targetSize
        self.alignment = alignment
        self.offset = offset
        self.length = length
        self.sharing = sharing
        self.writable = writable
    }

    private static func nearest(_ value: Int, _ a: Alignment, allowZero: Bool) -> String {
        let below = a.roundDown(max(0, value))
        let above = below + a.rawValue
        if below == 0 && !allowZero {
            return "use \(above) (\(ByteCount.compact(above)))"
        }
        let lower = below == 0 ? "0" : "\(below) (\(ByteCount.compact(below)))"
        return "use \(lower) or \(above) (\(ByteCount.compact(above)))"
    }
}
