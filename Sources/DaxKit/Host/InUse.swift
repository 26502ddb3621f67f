import DaxCore

#if canImport(Glibc)
import Glibc
#endif

/// Something that holds a device: a process mapping or opening it, a mount, a stacked
/// block device, or the kernel using it as system RAM.
public struct DeviceHolder: Sendable, Equatable, CustomStringConvertible {
    /// How the device is held, and so where it was found.
    public enum Kind: Sendable, Equatable {
        /// A process maps `/dev/DEVICE` (a line of `/proc/PID/maps`).
        case mapped
        /// A process holds a descriptor open on `/dev/DEVICE` (a `/proc/PID/fd/N` link).
        case open
        /// The block device is mounted (its `MAJOR:MINOR` from `/sys/class/block/DEVICE/dev`
        /// appears in `/proc/self/mountinfo`).
        case mounted
        /// Another block device (device-mapper, md) is stacked on it
        /// (`/sys/class/block/DEVICE/holders` is not empty).
        case stacked
        /// The dax device is bound to the kmem driver, its memory given to the kernel
        /// (`/sys/bus/dax/devices/DEVICE/driver` links to `kmem`).
        case systemRAM
    }
    /// How the device is held.
    public var kind: Kind
    /// Kernel name of the held device, without `/dev/`: `pmem1`, `pmem1s`, `dax1.0`.
    public var device: String
    /// The holding process's id for ``Kind/mapped`` and ``Kind/open``; nil otherwise.
    public var pid: Int32?
    /// The holding process's name (`/proc/PID/comm`); nil when it is not a process or
    /// the name could not be read.
    public var command: String?
    /// The mount point for ``Kind/mounted``, the holders' names (comma-separated) for
    /// ``Kind/stacked``, `kmem driver bound` for ``Kind/systemRAM``; nil for processes.
    public var detail: String?

    /// One line naming the device and its holder, e.g.
    /// `/dev/dax1.0 is mapped by PID 4242 (qemu-system-x86)`.
    public var description: String {
        switch kind {
        case .mapped: return "/dev/\(device) is mapped by PID \(pid ?? 0) (\(command ?? "?"))"
        case .open: return "/dev/\(device) is open in PID \(pid ?? 0) (\(command ?? "?"))"
        case .mounted: return "/dev/\(device) is mounted on \(detail ?? "?")"
        case .stacked: return "/dev/\(device) is held by \(detail ?? "?")"
        case .systemRAM: return "\(device) is online as system RAM (\(detail ?? "kmem"))"
        }
    }
}

/// Finds every holder of the given block and dax character devices.
public enum Holders {
    /// Every holder of the devices: processes that map or open them (this process left
    /// out), mounts and stacked devices of the block devices, kmem on the dax devices.
    /// Unreadable procfs and sysfs entries are skipped, so the answer can miss holders
    /// that this user cannot see; it never throws.
    ///
    /// - Parameters:
    ///   - blockDevices: Block device names like `pmem1` or `pmem1s`.
    ///   - daxDevices: Dax character device names like `dax1.0`.
    /// - Returns: The holders in discovery order: processes (by PID, in `/proc` order),
    ///   then mounts, stacked devices and kmem bindings; empty when nothing holds them.
    ///
    /// Reads `/proc/PID/maps`, `/proc/PID/fd`, `/proc/PID/comm`, `/proc/self/mountinfo`,
    /// `/sys/class/block/DEVICE/dev`, `/sys/class/block/DEVICE/holders` and
    /// `/sys/bus/dax/devices/DEVICE/driver`.
    public static func find(blockDevices: [String], daxDevices: [String]) -> [DeviceHolder] {
        var out: [DeviceHolder] = []
        let me = getpid()
        let paths = Set((blockDevices + daxDevices).map { "/dev/" + $0 })
        if !paths.isEmpty {
            for entry in HostFile.list("/proc") {
                guard let pid = Int32(entry), pid != me else { continue }
                // A kernel thread (or a zombie) has no mappings and no files of its own: an
                // empty maps ends its turn. The name is read only for a holder.
                guard case .success(let maps) = HostFile.bytes("/proc/\(entry)/maps"), !maps.isEmpty else { continue }
                var comm: String?? = .none
                func command() -> String? {
                    if case .some(let c) = comm { return c }
                    let c = HostFile.trimmed("/proc/\(entry)/comm")
                    comm = .some(c)
                    return c
                }
                var seen = Set<String>()
                for path in Self.devicePaths(inMaps: maps) where paths.contains(path) && !seen.contains(path) {
                    seen.insert(path)
                    out.append(DeviceHolder(kind: .mapped, device: String(path.dropFirst(5)), pid: pid, command: command()))
                }
                for fd in HostFile.list("/proc/\(entry)/fd") {
                    guard let target = HostFile.readlink("/proc/\(entry)/fd/\(fd)"), paths.contains(target),
                          !seen.contains(target) else { continue }
                    seen.insert(target)
                    out.append(DeviceHolder(kind: .open, device: String(target.dropFirst(5)), pid: pid, command: command()))
                }
            }
        }
        // Mounts, by device number.
        if let mountinfo = HostFile.read("/proc/self/mountinfo") {
            for bdev in blockDevices {
                guard let dev = HostFile.trimmed("/sys/class/block/\(bdev)/dev") else { continue }
                for line in mountinfo.split(separator: "\n") {
                    let f = line.split(separator: " ")
                    if f.count > 4, f[2] == dev {
                        out.append(DeviceHolder(kind: .mounted, device: bdev, detail: String(f[4])))
                    }
                }
            }
        }
        for bdev in blockDevices {
            let holders = HostFile.list("/sys/class/block/\(bdev)/holders")
            if !holders.isEmpty {
                out.append(DeviceHolder(kind: .stacked, device: bdev, detail: holders.sorted().joined(separator: ", ")))
            }
        }
        for dax in daxDevices {
            if let drv = HostFile.readlink("/sys/bus/dax/devices/\(dax)/driver"), drv.hasSuffix("/kmem") {
                out.append(DeviceHolder(kind: .systemRAM, device: dax, detail: "kmem driver bound"))
            }
        }
        return out
    }

    /// The `/dev/...` paths that lines of a `/proc/PID/maps` map, in order (repeats
    /// kept): the pathname column of each line whose path starts with `/dev/`. Works on
    /// the bytes; only those paths become strings (a process maps hundreds of files).
    static func devicePaths(inMaps maps: [UInt8]) -> [String] {
        var out: [String] = []
        let dev = Array("/dev/".utf8)
        var i = 0
        while i < maps.count {
            var end = i
            while end < maps.count && maps[end] != UInt8(ascii: "\n") { end += 1 }
            var slash = i
            while slash < end && maps[slash] != UInt8(ascii: "/") { slash += 1 }
            if end - slash >= dev.count, maps[slash..<slash + dev.count].elementsEqual(dev) {
                out.append(String(decoding: maps[slash..<end], as: UTF8.self))
            }
            i = end + 1
        }
        return out
    }
}
