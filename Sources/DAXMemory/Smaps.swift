import DaxCore

/// One VMA of `/proc/PID/smaps`: its header line and its fields.
public struct SmapsEntry: Sendable, Hashable {
    /// First virtual address of the VMA.
    public var start: UInt
    /// One past the last virtual address of the VMA.
    public var end: UInt
    /// Permissions, e.g. `"rw-s"`.
    public var permissions: String
    /// Offset into the mapped file, in bytes.
    public var fileOffset: UInt64
    /// `MAJOR:MINOR` of the mapped file's device (hex, as the kernel prints it).
    public var device: String
    /// Inode of the mapped file (0 for anonymous memory).
    public var inode: UInt64
    /// The mapped path or pseudo-name (`[heap]`, `/memfd:x (deleted)`), or empty.
    public var pathname: String
    /// Numeric fields by name. Values given in `kB` are converted to bytes;
    /// unitless values (e.g. `THPeligible`) are kept as they are.
    public var fields: [String: Int]
    /// The `VmFlags` mnemonics (`rd`, `wr`, `sh`, `hg`, ...).
    public var vmFlags: [String]

    /// An entry from its parts, as ``Smaps/parse(_:)`` builds one from a header line
    /// before adding the fields that follow it; the defaults are those of anonymous
    /// memory (no file, device `00:00`, inode 0, no fields).
    ///
    /// - Parameters:
    ///   - start: First virtual address of the VMA.
    ///   - end: One past its last virtual address.
    ///   - permissions: `rwxp`/`rwxs` letters, e.g. `"rw-s"`.
    ///   - fileOffset: Offset into the mapped file, in bytes.
    ///   - device: `MAJOR:MINOR` of the mapped file's device, in hex.
    ///   - inode: Inode of the mapped file.
    ///   - pathname: The mapped path or pseudo-name; empty for none.
    ///   - fields: Numeric fields by name, sizes in bytes.
    ///   - vmFlags: The `VmFlags` mnemonics.
    public init(
        start: UInt, end: UInt, permissions: String, fileOffset: UInt64 = 0, device: String = "00:00",
        inode: UInt64 = 0, pathname: String = "", fields: [String: Int] = [:], vmFlags: [String] = []
    ) {
        self.start = start
        self.end = end
        self.permissions = permissions
        self.fileOffset = fileOffset
        self.device = device
        self.inode = inode
        self.pathname = pathname
        self.fields = fields
        self.vmFlags = vmFlags
    }

    /// `Size` in bytes.
    public var size: Int? { fields["Size"] }
    /// `KernelPageSize` in bytes: the page size the kernel backs the VMA with
    /// (the device alignment for device-DAX, the huge page size for hugetlbfs).
    public var kernelPageSize: Int? { fields["KernelPageSize"] }
    /// `MMUPageSize` in bytes.
    public var mmuPageSize: Int? { fields["MMUPageSize"] }
    /// `Rss` in bytes.
    public var rss: Int? { fields["Rss"] }
    /// Whether the VMA is shared (`s` in the permissions).
    public var isShared: Bool { permissions.hasSuffix("s") }

    /// Whether `address` lies in this VMA.
    public func contains(_ address: UInt) -> Bool { start <= address && address < end }
}

/// Reading and parsing `/proc/self/smaps`.
public enum Smaps {
    /// `/proc/self/smaps`.
    public static let defaultPath = "/proc/self/smaps"

    /// Parses smaps text into its entries, in order. Lines that are neither a
    /// VMA header nor a `Name: value` field are ignored.
    public static func parse(_ text: String) -> [SmapsEntry] {
        var entries: [SmapsEntry] = []
        var current: SmapsEntry?
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let line = rawLine.drop(while: { $0 == " " })
            guard let firstSpace = line.firstIndex(where: { $0 == " " || $0 == "\t" }) else { continue }
            let head = line[..<firstSpace]
            if head.hasSuffix(":") {
                guard current != nil else { continue }
                let name = String(head.dropLast())
                let rest = line[firstSpace...].split(whereSeparator: { $0 == " " || $0 == "\t" })
                if name == "VmFlags" {
                    current!.vmFlags = rest.map(String.init)
                } else if let first = rest.first, let value = Int(first) {
                    let inKilobytes = rest.count > 1 && rest[1].lowercased() == "kb"
                    current!.fields[name] = inKilobytes ? value * 1024 : value
                }
            } else if let entry = parseHeader(line) {
                if let current { entries.append(current) }
                current = entry
            }
        }
        if let current { entries.append(current) }
        return entries
    }

    /// The entry whose VMA contains `address`, if any.
    public static func entry(containing address: UInt, in text: String) -> SmapsEntry? {
        parse(text).first { $0.contains(address) }
    }

    /// Reads smaps (default `/proc/self/smaps`) and returns the entry whose VMA
    /// contains `address`.
    ///
    /// - Throws: `DaxError` `.smapsUnavailable` if the file cannot be read
    ///   or no VMA contains the address.
    public static func entry(
        containing address: UInt, path: String = defaultPath, object: String? = nil
    ) throws -> SmapsEntry {
        let object = object ?? "0x\(String(address, radix: 16))"
        let bytes: [UInt8]
        switch HostFile.bytes(path) {
        case .success(let contents): bytes = contents
        case .failure(let error):
            throw DaxError(
                .smapsUnavailable, object: Phrase(object), problem: "cannot read \(path)",
                rule: "page sizes are read from smaps", fix: "mount procfs (mount -t proc proc /proc)",
                underlyingError: error)
        }
        guard let entry = entry(containing: address, in: String(decoding: bytes, as: UTF8.self)) else {
            throw DaxError(
                .smapsUnavailable, object: Phrase(object),
                problem: "\(path) has no VMA containing 0x\(String(address, radix: 16))",
                rule: "a live mapping appears in its own process's smaps",
                fix: "read smaps of the process that holds the mapping, while it is mapped")
        }
        return entry
    }

    /// Parses `start-end perms offset dev inode [pathname]`.
    private static func parseHeader(_ line: Substring) -> SmapsEntry? {
        var fields: [Substring] = []
        var rest = line[...]
        for _ in 0..<5 {
            rest = rest.drop(while: { $0 == " " || $0 == "\t" })
            guard let end = rest.firstIndex(where: { $0 == " " || $0 == "\t" }) ?? (rest.isEmpty ? nil : rest.endIndex)
            else { return nil }
            fields.append(rest[..<end])
            rest = rest[end...]
        }
        let range = fields[0].split(separator: "-")
        guard range.count == 2, let start = UInt(range[0], radix: 16), let end = UInt(range[1], radix: 16),
            start <= end, fields[1].count == 4, let fileOffset = UInt64(fields[2], radix: 16),
            fields[3].contains(":"), let inode = UInt64(fields[4])
        else { return nil }
        let pathname = rest.drop(while: { $0 == " " || $0 == "\t" })
        return SmapsEntry(
            start: start, end: end, permissions: String(fields[1]), fileOffset: fileOffset,
            device: String(fields[3]), inode: inode, pathname: String(pathname))
    }
}

/// Page faults counted by `getrusage(2)`.
public struct FaultCount: Sendable, Hashable, Codable {
    /// Minor faults (`ru_minflt`): no I/O needed.
    public var minor: Int
    /// Major faults (`ru_majflt`): I/O needed.
    public var major: Int

    /// A count of `minor` and `major` faults.
    public init(minor: Int, major: Int) {
        self.minor = minor
        self.major = major
    }

    /// Minor plus major.
    public var total: Int { minor + major }

    /// The faults taken between two readings, `lhs` the later: minor and major apart.
    public static func - (lhs: FaultCount, rhs: FaultCount) -> FaultCount {
        FaultCount(minor: lhs.minor - rhs.minor, major: lhs.major - rhs.major)
    }

    /// Faults of the whole process so far, every thread included (`RUSAGE_SELF`).
    public static func process() -> FaultCount { Sys.faults(thread: false) }

    /// Faults of the calling thread so far (`RUSAGE_THREAD`).
    public static func currentThread() -> FaultCount { Sys.faults(thread: true) }
}
