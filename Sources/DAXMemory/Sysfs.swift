import DaxCore

/// What sysfs says about one device-DAX character device.
public struct DAXDeviceInfo: Sendable, Hashable, Codable {
    /// Where the alignment came from.
    public enum AlignmentSource: String, Sendable, Hashable, Codable {
        /// The device's own `align` attribute (kernels 5.10 and later).
        case device
        /// The parent dax region's `dax_region/align` (older kernels).
        case region
    }

    /// Kernel name, e.g. `"dax0.0"`.
    public var name: String
    /// Character device major number.
    public var major: UInt32
    /// Character device minor number.
    public var minor: UInt32
    /// Device size in bytes (`size`).
    public var size: Int
    /// The alignment mappings of the device must honour, and its fault size.
    public var alignment: Alignment
    /// Which attribute `alignment` was read from.
    public var alignmentSource: AlignmentSource
    /// The device's sysfs directory, symlinks resolved.
    public var sysfsPath: String
    /// The dax region's `id`, when readable.
    public var regionID: Int?
    /// The dax region's `align`, when readable.
    public var regionAlignment: Alignment?

    /// A description from its parts; ``DAXSysfs/device(major:minor:path:)`` reads one
    /// from sysfs.
    ///
    /// - Parameters:
    ///   - name: Kernel name, e.g. `"dax0.0"`.
    ///   - major: Character device major number.
    ///   - minor: Character device minor number.
    ///   - size: Device size in bytes.
    ///   - alignment: The alignment mappings must honour.
    ///   - alignmentSource: The attribute `alignment` came from.
    ///   - sysfsPath: The device's sysfs directory, symlinks resolved.
    ///   - regionID: The dax region's `id`; nil when unknown.
    ///   - regionAlignment: The dax region's `align`; nil when unknown.
    public init(
        name: String, major: UInt32, minor: UInt32, size: Int, alignment: Alignment,
        alignmentSource: AlignmentSource, sysfsPath: String, regionID: Int? = nil,
        regionAlignment: Alignment? = nil
    ) {
        self.name = name
        self.major = major
        self.minor = minor
        self.size = size
        self.alignment = alignment
        self.alignmentSource = alignmentSource
        self.sysfsPath = sysfsPath
        self.regionID = regionID
        self.regionAlignment = regionAlignment
    }
}

/// Discovery of device-DAX devices through sysfs, with an injectable root so
/// the logic can run against a fake tree.
///
/// Layout (drivers/dax/bus.c): `/sys/dev/char/MAJ:MIN` links to the device's
/// directory, whose `subsystem` links to `bus/dax` (or `class/dax` with the old
/// compat layout); the device has `size` and, since 5.10, `align`; the parent
/// device carries the region group `dax_region/{id,size,align,...}`, reached
/// through `device/` in the class layout and as the parent directory in the
/// bus layout.
public struct DAXSysfs: Sendable, Hashable {
    /// The sysfs mount point, `/sys` on a live system.
    public var root: String

    /// Discovery under `root`: `/sys` on a live system, or the top of a fake tree laid
    /// out the same way.
    public init(root: String = "/sys") {
        self.root = root
    }

    /// `ROOT/dev/char/MAJ:MIN`.
    public func characterDevicePath(major: UInt32, minor: UInt32) -> String {
        "\(root)/dev/char/\(major):\(minor)"
    }

    /// Describes the character device `major:minor` if it is device-DAX.
    ///
    /// - Parameters:
    ///   - major: Character device major number (`st_rdev`).
    ///   - minor: Character device minor number.
    ///   - path: The device node, used to name the object in errors.
    /// - Throws: `DaxError` `.notDAXDevice` when sysfs has no entry or its
    ///   subsystem is not `dax`; `.sysfsUnreadable` when `size` or every `align` is missing.
    public func device(major: UInt32, minor: UInt32, path: String? = nil) throws -> DAXDeviceInfo {
        let object = path ?? "character device \(major):\(minor)"
        let directory = characterDevicePath(major: major, minor: minor)
        guard case .success(let status) = Sys.stat(directory), status.kind == .directory else {
            throw DaxError(
                .notDAXDevice, object: Phrase(object),
                problem: "no sysfs entry \(directory) for character device \(major):\(minor)",
                rule: "a device-DAX node has a sysfs entry whose subsystem is 'dax'",
                fix: "check that the node is current (ls -l /dev/dax*; \(Operation.listDAXDevices)) and that sysfs is mounted")
        }
        let subsystem: String
        switch Syscall.readlink(directory + "/subsystem") {
        case .success(let target): subsystem = target.lastPathComponent
        case .failure: subsystem = "(none)"
        }
        guard subsystem == "dax" else {
            throw DaxError(
                .notDAXDevice, object: Phrase(object),
                problem: "character device \(major):\(minor) belongs to subsystem '\(subsystem)', not 'dax'",
                rule: "only device-DAX nodes (/dev/daxX.Y) can be opened as devices",
                fix: "pass a /dev/daxX.Y device (\(Operation.listDAXDevices) shows them), or a regular file with \(.file)")
        }

        let resolved = (try? Sys.realPath(directory).get()) ?? directory
        let name = resolved.lastPathComponent

        guard let size = readInteger(directory + "/size"), size > 0 else {
            throw DaxError(
                .sysfsUnreadable, object: Phrase(object),
                problem: "cannot read a positive size from \(directory)/size",
                rule: "device-DAX devices publish their size in sysfs",
                fix: "check that the device is enabled (\(Operation.listDAXDevices)) and that it has a nonzero size")
        }

        // The region group lives on the parent device.
        let regionCandidates = [
            directory + "/device/dax_region",   // class layout: device -> parent
            resolved.deletingLastPathComponent + "/dax_region",  // bus layout: parent directory
        ]
        let regionDirectory = regionCandidates.first {
            if case .success(let s) = Sys.stat($0), s.kind == .directory { return true }
            return false
        }
        let regionAlignValue = regionDirectory.flatMap { readInteger($0 + "/align") }
        let regionID = regionDirectory.flatMap { readInteger($0 + "/id") }

        let alignValue: Int
        let source: DAXDeviceInfo.AlignmentSource
        if let deviceAlign = readInteger(directory + "/align") {
            alignValue = deviceAlign
            source = .device
        } else if let regionAlignValue {
            alignValue = regionAlignValue
            source = .region
        } else {
            throw DaxError(
                .sysfsUnreadable, object: Phrase(object),
                problem: "neither \(directory)/align nor \(regionCandidates.joined(separator: " nor "))/align is readable",
                rule: "a device-DAX device's alignment comes from its align attribute or its region's",
                fix: "check the kernel exposes drivers/dax sysfs attributes (device_dax loaded, device enabled)")
        }
        guard let alignment = Alignment(rawValue: alignValue) else {
            throw DaxError(
                .sysfsUnreadable, object: Phrase(object),
                problem: "sysfs reports alignment \(alignValue), not a power of two of at least 4K",
                rule: "device-DAX alignments are 4K, 2M or 1G",
                fix: "recreate its namespace with \(.align, "2M") (\(Operation.createNamespace(mode: "devdax")))")
        }
        return DAXDeviceInfo(
            name: name, major: major, minor: minor, size: size, alignment: alignment,
            alignmentSource: source, sysfsPath: resolved, regionID: regionID,
            regionAlignment: regionAlignValue.flatMap(Alignment.init(rawValue:)))
    }

    /// Reads a sysfs attribute holding one decimal (or 0x-hex) integer.
    func readInteger(_ path: String) -> Int? {
        guard let text = HostFile.trimmed(path) else { return nil }
        if text.hasPrefix("0x") { return Int(text.dropFirst(2), radix: 16) }
        return Int(text)
    }
}

extension String {
    var lastPathComponent: String {
        let trimmed = self.hasSuffix("/") ? String(self.dropLast()) : self
        guard let slash = trimmed.lastIndex(of: "/") else { return trimmed }
        return String(trimmed[trimmed.index(after: slash)...])
    }

    var deletingLastPathComponent: String {
        let trimmed = self.hasSuffix("/") ? String(self.dropLast()) : self
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        return slash == trimmed.startIndex ? "/" : String(trimmed[..<slash])
    }
}
