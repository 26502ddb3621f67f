import DaxCore
import NDCtl
#if canImport(Glibc)
import Glibc
#endif

extension DoctorSnapshot {
    /// Where the provisioning plan the boot unit applies lives.
    public static let planPath = "/etc/daxkit/vms.yaml"
    /// The udev rule directories searched for dax/pmem rules, in udev's order (read
    /// directly, not through libudev).
    public static let udevRuleDirectories = ["/etc/udev/rules.d", "/run/udev/rules.d", "/usr/lib/udev/rules.d", "/lib/udev/rules.d"]

    /// Reads this host: `/proc/cmdline`, `/sys/firmware/memmap`, `/proc/iomem`, libkmod
    /// for each module, libndctl for regions, DIMMs and seeds (label areas only as root),
    /// libdaxctl for dax regions, THP and memory-hotplug sysfs, `/proc/cpuinfo`'s flags,
    /// `/proc/zoneinfo`, device nodes, the provisioning plan, udev rule files and dpkg's
    /// status file for the library versions.
    ///
    /// Never throws: what cannot be read is left empty or nil (a host without libnvdimm
    /// has no regions), so each check judges what is there.
    ///
    /// - Parameter plan: the provisioning plan file whose owners and modes the device
    ///   nodes are judged against (default ``planPath``, the boot unit's).
    public static func read(plan planPath: String = DoctorSnapshot.planPath) -> DoctorSnapshot {
        var s = DoctorSnapshot()
        s.planFile = planPath
        s.isRoot = geteuid() == 0
        s.kernelRelease = KernelModules.kernelRelease()
        s.commandLine = HostFile.trimmed("/proc/cmdline") ?? ""
        for m in ModulesCheck.modules { s.modules[m.name] = KernelModules.state(m.name) }
        s.firmwareMemmap = readFirmwareMemmap()
        s.iomem = parseIomem(HostFile.read("/proc/iomem") ?? "")
        s.hasNFIT = HostFile.list("/sys/firmware/acpi/tables").contains("NFIT")
        s.hasCXL = !HostFile.list("/sys/bus/cxl/devices").isEmpty
        if let ctx = try? NDContext() {
            s.regions = ctx.regions.map { r in
                var out = Region(name: r.devName)
                out.isLabelless = r.isLabelless
                out.isReadOnly = r.isReadOnly
                out.isEnabled = r.isEnabled
                out.isLegacy = r.bus.provider == "e820"
                out.supportedAlignments = r.daxSeed?.supportedAlignments ?? r.pfnSeed?.supportedAlignments
                out.dimms = r.dimms.map { d in
                    // A label area is there when the DIMM takes the label commands
                    // (`get_data` in `commands`: drivers/nvdimm/dimm_devs.c
                    // commands_show(), nvdimm_cmd_name(ND_CMD_GET_CONFIG_DATA)).
                    let area = (HostFile.trimmed("/sys/bus/nd/devices/\(d.devName)/commands") ?? "")
                        .split(separator: " ").contains("get_data")
                    return DIMMLabels(name: d.devName, hasLabelArea: area, labelsValid: s.isRoot && area ? d.labelsAreValid() : nil)
                }
                return out
            }
        }
        if let ctx = try? DAXContext() {
            s.daxRegions = ctx.regions.map { r in
                let path = r.path ?? ""
                return DaxRegion(name: path.split(separator: "/").last.map(String.init) ?? "region\(r.id)",
                                 isDynamic: DaxRegionSnapshot.access(path + "/dax_region/create"),
                                 size: r.size ?? 0, sizedDevices: r.devices.filter { $0.size > 0 }.count)
            }
        }
        let thp = "/sys/kernel/mm/transparent_hugepage/enabled"
        s.transparentHugepage = HostFile.trimmed(thp)
        s.cpuHas1GPages = (HostFile.read("/proc/cpuinfo") ?? "").split(separator: "\n")
            .first { $0.hasPrefix("flags") }.map { $0.split(separator: " ").contains("pdpe1gb") } ?? false
        s.memoryBlockSize = HostFile.trimmed("/sys/devices/system/memory/block_size_bytes").flatMap { UInt64($0, radix: 16) }
        s.autoOnlineBlocks = HostFile.trimmed("/sys/devices/system/memory/auto_online_blocks")
        s.memmapOnMemory = HostFile.trimmed("/sys/module/memory_hotplug/parameters/memmap_on_memory")
        s.hasMovableZone = movableZonePopulated(HostFile.read("/proc/zoneinfo") ?? "")
        let dev = HostFile.list("/dev").filter { $0.hasPrefix("dax") && $0.contains(".") || $0.hasPrefix("pmem") }.sorted()
        s.deviceNodes = dev.compactMap { node("/dev/" + $0) }
        s.expectedNodes = HostFile.list("/sys/class/dax").filter { $0.hasPrefix("dax") }
            + HostFile.list("/sys/class/block").filter { $0.hasPrefix("pmem") }
        if HostFile.bytes(planPath).isSuccess {
            do {
                let plan = try ProvisionPlan.load(planPath)
                s.planNodes = plan.vms.map { vm in
                    let link = Provisioning.stablePath(vm.name)
                    return PlannedNode(vm: vm.name, node: node(link), uid: vm.owner.flatMap(Syscall.uid),
                                       gid: vm.group.flatMap(Syscall.gid), mode: vm.mode)
                }
            } catch {
                s.planError = "\(error)"
            }
            s.planRights = (try? PlanFileRights.chain(planPath)).flatMap(PlanFileRights.problem).map { "\($0)" }
        }
        s.udevRules = udevRules()
        let status = (try? HostFile.bytes("/var/lib/dpkg/status").get()) ?? []
        s.libndctlVersion = dpkgVersion(status, "libndctl6")
        s.libdaxctlVersion = dpkgVersion(status, "libdaxctl1")
        return s
    }

    /// The rule files that mention dax or pmem devices, each name once: as udev does, a
    /// file in an earlier directory hides one of the same name in a later one (and
    /// `/lib/udev` is `/usr/lib/udev` on merged-/usr systems).
    static func udevRules() -> [String] {
        var seen: Set<String> = []
        var out: [String] = []
        for dir in udevRuleDirectories {
            for f in HostFile.list(dir).filter({ $0.hasSuffix(".rules") }).sorted() where seen.insert(f).inserted {
                let text = HostFile.read("\(dir)/\(f)") ?? ""
                if ["SUBSYSTEM==\"dax\"", "KERNEL==\"dax", "KERNEL==\"pmem", "\"dax*\"", "\"pmem*\""].contains(where: text.contains) {
                    out.append("\(dir)/\(f)")
                }
            }
        }
        return out
    }

    /// `/sys/firmware/memmap/N/{start,end,type}`, in address order; nil without it.
    static func readFirmwareMemmap() -> [FirmwareEntry]? {
        let root = "/sys/firmware/memmap"
        let names = HostFile.list(root)
        guard !names.isEmpty else { return nil }
        return names.compactMap { n -> FirmwareEntry? in
            func hex(_ f: String) -> UInt64? {
                HostFile.trimmed("\(root)/\(n)/\(f)").flatMap { UInt64($0.hasPrefix("0x") ? String($0.dropFirst(2)) : $0, radix: 16) }
            }
            guard let start = hex("start"), let end = hex("end"), let type = HostFile.trimmed("\(root)/\(n)/type"), end >= start else { return nil }
            return FirmwareEntry(PhysicalRange(start: start, end: end &+ 1), type)
        }.sorted { $0.range < $1.range }
    }

    /// `/proc/iomem` lines: `START-END : NAME`, indented two spaces per level.
    static func parseIomem(_ text: String) -> [IomemEntry] {
        text.split(separator: "\n").compactMap { line in
            let depth = line.prefix { $0 == " " }.count / 2
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { return nil }
            let bounds = parts[0].trimmingPrefixSpaces.split(separator: "-")
            guard bounds.count == 2, let a = UInt64(bounds[0], radix: 16), let b = UInt64(bounds[1], radix: 16) else { return nil }
            return IomemEntry(PhysicalRange(start: a, end: b == 0 ? 0 : b &+ 1), parts[1].trimmingPrefixSpaces, depth: depth)
        }
    }

    /// Whether `/proc/zoneinfo` shows a Movable zone with present pages.
    static func movableZonePopulated(_ zoneinfo: String) -> Bool {
        var inMovable = false
        for line in zoneinfo.split(separator: "\n") {
            if line.hasPrefix("Node ") { inMovable = line.hasSuffix("zone  Movable") || line.hasSuffix("zone Movable"); continue }
            if inMovable, line.trimmingPrefixSpaces.hasPrefix("present"),
               let n = line.split(separator: " ").last.flatMap({ UInt64($0) }), n > 0 { return true }
        }
        return false
    }

    /// The `Version:` of `package` in dpkg's status file (its bytes), nil when absent.
    /// Searches with `memchr(3)` and `memcmp(3)` (Glibc's `memmem` is not imported): the
    /// file is most of a MiB, and a line-by-line parse of it would cost more than every
    /// other read of the doctor together.
    static func dpkgVersion(_ status: [UInt8], _ package: String) -> String? {
        status.withUnsafeBytes { buf -> String? in
            guard let base = buf.baseAddress else { return nil }
            func find(_ needle: String, from: Int) -> Int? {
                Array(needle.utf8).withUnsafeBytes { n in
                    var i = from
                    while i + n.count <= buf.count,
                          let p = memchr(base + i, Int32(n[0]), buf.count - i - n.count + 1) {
                        let at = base.distance(to: UnsafeRawPointer(p))
                        if memcmp(p, n.baseAddress!, n.count) == 0 { return at }
                        i = at + 1
                    }
                    return nil
                }
            }
            let head = "Package: \(package)\n"
            var at = 0
            while let hit = find(head, from: at) {
                at = hit + head.utf8.count
                guard hit == 0 || buf[hit - 1] == UInt8(ascii: "\n") else { continue }
                // The stanza ends at the first empty line.
                let end = find("\n\n", from: at) ?? buf.count
                guard let v = find("\nVersion: ", from: at - 1), v < end else { return nil }
                let start = v + "\nVersion: ".utf8.count
                var stop = start
                while stop < buf.count && buf[stop] != UInt8(ascii: "\n") { stop += 1 }
                return String(decoding: buf[start..<stop], as: UTF8.self)
            }
            return nil
        }
    }

    /// The node at `path` (symbolic links followed): owner, group and mode; nil when absent.
    static func node(_ path: String) -> DeviceNode? {
        let target = path.hasPrefix("/dev/dax/") ? HostFile.readlink(path).map { "/dev/" + ($0.split(separator: "/").last.map(String.init) ?? $0) } : path
        guard let target, case .success(let st) = Syscall.owner(target) else { return nil }
        return DeviceNode(path: target, uid: st.uid, gid: st.gid, mode: st.mode)
    }
}

extension Result {
    /// Whether this is `.success`.
    var isSuccess: Bool { if case .success = self { return true } else { return false } }
}
