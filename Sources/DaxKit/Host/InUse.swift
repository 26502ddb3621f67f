import DaxCore

#if canImport(Glibc)
import Glibc
#endif

/// Something that holds a device: a process mapping or opening it, a mount, a stacked
/// block device, or the kernel using it as system RAM.
public struct DeviceHolder: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable { case mapped, open, mounted, stacked, systemRAM }
    public var kind: Kind
    public var device: String
    public var pid: Int32?
    public var command: String?
    public var detail: String?

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
    /// - Parameters:
    ///   - blockDevices: names like `pmem1` or `pmem1s`.
    ///   - daxDevices: names like `dax1.0`.
    public static func find(blockDevices: [String], daxDevices: [String]) -> [DeviceHolder] {
        var out: [DeviceHolder] = []
        let me = getpid()
        let paths = Set((blockDevices + daxDevices).map { "/dev/" + $0 })
        if !paths.isEmpty {
            for entry in HostFile.list("/proc") {
                guard let pid = Int32(entry), pid != me else { continue }
                let comm = HostFile.trimmed("/proc/\(entry)/comm")
                var seen = Set<String>()
                if let maps = HostFile.read("/proc/\(entry)/maps") {
                    for line in maps.split(separator: "\n") {
                        guard let slash = line.firstIndex(of: "/") else { continue }
                        let path = String(line[slash...])
                        if paths.contains(path), !seen.contains(path) {
                            seen.insert(path)
                            out.append(DeviceHolder(kind: .mapped, device: String(path.dropFirst(5)), pid: pid, command: comm))
                        }
                    }
                }
                for fd in HostFile.list("/proc/\(entry)/fd") {
                    guard let target = HostFile.readlink("/proc/\(entry)/fd/\(fd)"), paths.contains(target),
                          !seen.contains(target) else { continue }
                    seen.insert(target)
                    out.append(DeviceHolder(kind: .open, device: String(target.dropFirst(5)), pid: pid, command: comm))
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
}
