import DaxCore
import FoundationEssentials
import NDCtl
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// Dynamic dax devices vanish at reboot (only each region's seed comes back), and a naive
/// re-create gets other physical ranges, so a VM's memory moves. A layout records every
/// device's exact ranges, size, alignment and mode, and restores them identically.
///
/// The file is JSON: `{"version":1,"regions":[{"id":0,"device":"hmem.0","devices":[D…]}]}`
/// where each D is a device object as `daxctl list -M` prints it (`chardev`, `size`,
/// `align`, `mode`, `mappings` with `page_offset`, `start`, `end`, `size`), plus `online`
/// and `movable` for system-ram devices.
public enum DaxLayout {
    /// One saved device.
    public struct Device: Sendable, Equatable {
        /// The dax region id (N of `daxN.Y`).
        public var region: Int
        /// The device name when saved (numbers are not stable across reboots).
        public var chardev: String
        /// Bytes.
        public var size: UInt64
        /// Alignment in bytes.
        public var align: UInt64
        /// devdax or system-ram.
        public var mode: DaxDevices.Mode
        /// System-ram: whether its memory was online.
        public var online: Bool
        /// System-ram: whether it was online movable (ZONE_MOVABLE).
        public var movable: Bool
        /// Physical ranges in device order (by page offset).
        public var ranges: [DaxRegionSnapshot.Range]
    }

    struct MappingJSON: Decodable {
        var page_offset: UInt64
        var start: UInt64
        var end: UInt64
    }

    struct DeviceJSON: Decodable {
        var chardev: String
        var size: UInt64
        var align: UInt64?
        var mode: String?
        var online: Bool?
        var movable: Bool?
        var mappings: [MappingJSON]?
    }

    struct RegionJSON: Decodable {
        var id: Int
        var device: String?
        var devices: [DeviceJSON]
    }

    struct LayoutJSON: Decodable {
        var version: Int
        var regions: [RegionJSON]
    }

    static func device(_ d: DeviceJSON, file: String) throws -> Device {
        let parts = d.chardev.dropFirst(3).split(separator: ".")
        guard d.chardev.hasPrefix("dax"), parts.count == 2, let region = Int(parts[0]) else {
            throw DaxError(.invalidArgument, object: Phrase("\(file): chardev \"\(d.chardev)\""), problem: "not a dax device name",
                           fix: "use a device object as the dax list command prints it")
        }
        guard let maps = d.mappings, !maps.isEmpty else {
            throw DaxError(.invalidArgument, object: Phrase("\(file): \(d.chardev)"), problem: "no \"mappings\": its exact ranges are not recorded",
                           fix: "save it with its mappings (\(Operation("list-dax-mappings", d.chardev)))")
        }
        let mode = DaxDevices.Mode(rawValue: d.mode ?? "devdax") ?? .devdax
        return Device(region: region, chardev: d.chardev, size: d.size, align: d.align ?? 2 << 20, mode: mode,
                      online: d.online ?? (mode == .systemRAM), movable: d.movable ?? true,
                      ranges: maps.sorted { $0.page_offset < $1.page_offset }.map { .init(start: $0.start, end: $0.end) })
    }

    static func read(_ path: String) throws -> Data {
        switch HostFile.bytes(path) {
        case .success(let b): return Data(b)
        case .failure(let e):
            throw DaxError(.io, object: Phrase(path), problem: "cannot read", underlyingError: e)
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, _ data: Data, file: String) throws -> T {
        if data.isEmpty {
            throw DaxError(.invalidArgument, object: Phrase(file), problem: "empty", fix: "give a device object with mappings, or a layout saved by daxkit")
        }
        do { return try JSONDecoder().decode(type, from: data) } catch {
            throw DaxError(.invalidArgument, object: Phrase(file), problem: "not the JSON expected: \(error)",
                           fix: "give a device object with mappings, or a layout saved by daxkit")
        }
    }

    /// One device from a file holding a device object (or a one-element array of them),
    /// as `daxctl list -M -d daxX.Y` prints it.
    ///
    /// - Throws: `DaxError` `.io` (unreadable), `.invalidArgument` (not such JSON, or no
    ///   mappings).
    public static func device(fromFile path: String) throws -> Device {
        let data = try read(path)
        if let one = try? JSONDecoder().decode(DeviceJSON.self, from: data) { return try device(one, file: path) }
        let many = try decode([DeviceJSON].self, data, file: path)
        guard many.count == 1 else {
            throw DaxError(.invalidArgument, object: Phrase(path), problem: "\(many.count) devices", fix: "give exactly one device")
        }
        return try device(many[0], file: path)
    }

    // MARK: - save

    /// The layout of every dynamic region's sized devices, as JSON text.
    public static func capture(context: DAXContext) -> String {
        var regions: [JSON] = []
        for r in context.regions {
            let snap = DaxRegionSnapshot(r)
            guard snap.isDynamic else { continue }
            var devices: [JSON] = []
            for dev in r.devices where dev.size > 0 {
                var o = JSONObject()
                o.add("chardev", .string(dev.devName))
                o.add("size", .uint(dev.size))
                o.add("align", .uint(dev.align ?? 0))
                o.add("mode", .string(dev.isSystemRAM ? "system-ram" : "devdax"))
                if let mem = dev.memoryBlocks {
                    o.add("online", .bool(mem.online > 0))
                    o.add("movable", .bool(mem.movable ?? true))
                }
                o.add("mappings", .array(dev.mappings.sorted { $0.pageOffset < $1.pageOffset }.map { m in
                    .object([("page_offset", .uint(m.pageOffset)), ("start", .uint(m.start)),
                             ("end", .uint(m.end)), ("size", .uint(m.size))])
                }))
                devices.append(o.json)
            }
            regions.append(.object([("id", .int(Int64(r.id))), ("device", .string(snap.device)), ("devices", .array(devices))]))
        }
        return JSON.object([("version", .int(1)), ("regions", .array(regions))]).rendered() + "\n"
    }

    /// Saves the layout to `path` atomically: a temporary file beside it, written and
    /// fsynced, renamed over `path`, and the directory fsynced.
    ///
    /// - Returns: the number of devices saved.
    /// - Throws: `DaxError` `.io` naming the step that failed, with the errno.
    @discardableResult
    public static func save(to path: String, context: DAXContext) throws -> Int {
        let text = capture(context: context)
        try AtomicFile.write(text, to: path)
        return text.components(separatedBy: "\"chardev\"").count - 1
    }

    // MARK: - restore

    /// What a restore does in one region, judged before anything changes.
    public struct RestorePlan: Sendable, Equatable {
        /// A saved device that a live device already holds exactly.
        public struct Kept: Sendable, Equatable {
            /// The live device (`daxX.Y`).
            public var live: String
            /// The saved device.
            public var saved: Device
            /// It is devdax and disabled (an interrupted restore never enabled it): bind
            /// device_dax.
            public var needsEnable: Bool
            /// It was saved in system-ram mode and is in devdax now: move it.
            public var needsSystemRAM: Bool
            /// It was saved with its memory online and that memory is offline now.
            public var needsOnline: Bool
        }
        /// A saved device to create on its exact ranges.
        public struct Creation: Sendable, Equatable {
            /// The saved device.
            public var saved: Device
            /// The settled creation (size in bytes, alignment, the ranges).
            public var creation: DaxDeviceRules.Creation
        }
        /// Boot-time devices (daxN.0 holding the whole region, enabled, held by nobody)
        /// whose room the layout's devices take: emptied first.
        public var emptied: [String] = []
        /// Disabled devices holding the first ranges of a saved device and no more, as an
        /// interrupted restore leaves them: destroyed, then the saved device is created whole.
        public var leftovers: [String] = []
        /// Saved devices already there.
        public var kept: [Kept] = []
        /// Saved devices to create, in the layout's order.
        public var creations: [Creation] = []
    }

    /// Judges restoring `saved` (one region's devices from a layout) into `region`.
    ///
    /// The region's boot-time device (``DaxRegionSnapshot/bootDevice``, enabled) is
    /// emptied when the layout records devices for the region and none of them is that
    /// device at that size: after every boot the kernel hands the whole region to daxN.0,
    /// and the layout says what the region should hold instead. Any other device over a
    /// saved range is left alone and refused.
    ///
    /// - Parameters:
    ///   - holders: each live device's holder (a process mapping or opening it, kmem), by
    ///     device name; a held device is never emptied or destroyed.
    /// - Throws: `DaxError` `.inUse` (the boot-time device is held: naming the PID or
    ///   system RAM), `.conflict` (a saved range held by another device, named with its
    ///   holder or state), and what ``DaxDeviceRules/create(in:size:align:ranges:)`` throws.
    public static func plan(restoring saved: [Device], into region: DaxRegionSnapshot,
                            holders: [String: DeviceHolder]) throws -> RestorePlan {
        var out = RestorePlan()
        var planned = region
        let wanted = saved.filter { $0.size > 0 }
        func free(_ name: String) {
            guard let i = planned.devices.firstIndex(where: { $0.name == name }) else { return }
            planned.availableSize += planned.devices[i].size
            if planned.devices[i].id == 0 {
                planned.devices[i].size = 0
                planned.devices[i].ranges = []
                planned.devices[i].isEnabled = false
            } else {
                planned.devices.remove(at: i)
            }
        }
        if let boot = region.bootDevice, !wanted.isEmpty, !wanted.contains(where: { $0.ranges == boot.ranges }) {
            if let h = holders[boot.name] {
                throw DaxError(.inUse, object: Phrase(boot.name), problem: Phrase("holds its whole region as at boot, and \(h)"),
                               rule: "a device in use is never emptied, not even to restore a layout",
                               fix: h.pid.map { Phrase("stop PID \($0) first, then restore again") } ?? "release it first, then restore again")
            }
            if boot.isEnabled {
                out.emptied.append(boot.name)
                free(boot.name)
            }
        }
        for d in region.devices where d.size > 0 && !d.isEnabled && !d.isSystemRAM && holders[d.name] == nil
            && !out.emptied.contains(d.name) && !wanted.contains(where: { $0.ranges == d.ranges })
            && wanted.contains(where: { $0.ranges.count > d.ranges.count && Array($0.ranges.prefix(d.ranges.count)) == d.ranges }) {
            out.leftovers.append(d.name)
            free(d.name)
        }
        for dev in wanted {
            if let live = planned.devices.first(where: { $0.id >= 0 && $0.ranges == dev.ranges }) {
                let online = (live.onlineBlocks ?? 0) > 0
                out.kept.append(.init(live: live.name, saved: dev,
                                      needsEnable: dev.mode == .devdax && !live.isSystemRAM && !live.isEnabled,
                                      needsSystemRAM: dev.mode == .systemRAM && !live.isSystemRAM,
                                      needsOnline: dev.mode == .systemRAM && dev.online && !online))
                continue
            }
            for r in dev.ranges {
                guard let d = planned.devices.first(where: { d in d.ranges.contains { $0.start <= r.end && r.start <= $0.end } }) else { continue }
                let why: String
                if let h = holders[d.name] { why = ", and \(h)" }
                else if d.isSystemRAM { why = ", in system-ram mode" }
                else if d == region.bootDevice { why = ", the whole region as at boot but disabled (not the boot state restore empties)" }
                else { why = "" }
                throw DaxError(.conflict, object: Phrase("range \(r) of \(dev.chardev)"), problem: Phrase("held by \(d.name)\(why)"),
                               rule: "a layout restore empties only a boot-time daxN.0 that nothing holds",
                               fix: d.isSystemRAM ? Phrase("return \(d.name) to devdax (\(Operation.reconfigureDevice(d.name, mode: "devdax"))) and destroy it first, or restore into another region")
                                   : holders[d.name]?.pid.map { Phrase("stop PID \($0), destroy \(d.name) (\(Operation.destroyDevice(d.name))) and restore again") }
                                   ?? Phrase("destroy \(d.name) first (\(Operation.destroyDevice(d.name))), or restore into another region"))
            }
            let c = try DaxDeviceRules.create(in: planned, size: nil, align: ByteCount(bytes: dev.align), ranges: dev.ranges)
            planned.devices.append(.init(name: dev.chardev, id: -1, size: c.size, align: c.align, isEnabled: true, ranges: c.ranges))
            planned.availableSize -= min(c.size, planned.availableSize)
            out.creations.append(.init(saved: dev, creation: c))
        }
        return out
    }

    /// Restores a saved layout: in each saved region, an enabled boot-time daxN.0 that
    /// nothing holds is emptied (the layout, not the boot, says what the region holds),
    /// devices an interrupted restore left half made are destroyed, every saved device
    /// whose exact ranges no device holds is created on them (in device order) and put
    /// in its mode (system-ram, onlined as it was); devices already holding exactly
    /// their ranges are kept (and enabled or onlined if a crash left them short of it).
    /// Every region is judged before anything changes; a failed step undoes the steps
    /// before it in reverse.
    ///
    /// - Returns: the devices created or kept (as they are now), with notes.
    /// - Throws: `DaxError` from ``plan(restoring:into:holders:)`` before any change;
    ///   `.notFound` (a saved region not on this host); `.kernelRefused` from a step,
    ///   after the undo.
    public static func restore(from path: String, context: DAXContext) throws -> DaxDevices.Outcome {
        let layout = try decode(LayoutJSON.self, try read(path), file: path)
        guard layout.version == 1 else {
            throw DaxError(.invalidArgument, object: Phrase(path), problem: "layout version \(layout.version)", fix: "use a layout saved by this daxkit")
        }
        return try HostLock.withLock {
            let names = context.regions.flatMap(\.devices).map(\.devName)
            var holders: [String: DeviceHolder] = [:]
            for h in Holders.find(blockDevices: [], daxDevices: names) where holders[h.device] == nil { holders[h.device] = h }
            var work: [(DAXRegion, RestorePlan)] = []
            for saved in layout.regions {
                guard let region = context.regions.first(where: { DaxRegionSnapshot($0).device == saved.device })
                        ?? context.regions.first(where: { $0.id == saved.id }) else {
                    throw DaxError(.notFound, object: Phrase("dax region \(saved.id) (\(saved.device ?? "?"))"), problem: "not on this host",
                                   fix: "load dax_hmem (soft-reserved memory) or bring up the CXL region first")
                }
                let devices = try saved.devices.filter { $0.size > 0 }.map { try device($0, file: path) }
                work.append((region, try plan(restoring: devices, into: DaxRegionSnapshot(region), holders: holders)))
            }
            var out = DaxDevices.Outcome()
            var emptied: [String] = [], made: [String] = []
            do {
                for (_, p) in work {
                    for name in p.emptied {
                        try DaxDevices.emptyBootDevice(name)
                        emptied.append(name)
                        out.notes.append("\(name): emptied (boot state), its range belongs to the layout")
                        FaultInjection.point("\(name) emptied")
                    }
                    for name in p.leftovers {
                        try DaxDevices.unmake(name)
                        out.notes.append("\(name): destroyed (the first ranges of a saved device, as an interrupted restore leaves them)")
                        FaultInjection.point("\(name) destroyed")
                    }
                }
                for (region, p) in work {
                    for k in p.kept {
                        let dev = try DaxDevices.device(named: k.live)
                        if k.needsEnable { try dev.enableDevdax(); FaultInjection.point("\(k.live) enabled") }
                        if k.needsSystemRAM || k.needsOnline { try systemRAM(dev, as: k.saved) }
                        out.notes.append("\(k.live) already holds \(k.saved.chardev)'s ranges: kept\(k.needsEnable ? ", enabled" : "")\(k.needsSystemRAM ? ", moved to system-ram" : k.needsOnline ? ", onlined" : "")")
                        out.devices.append(dev)
                    }
                    for c in p.creations {
                        let dev = try DaxDevices.make(c.creation, in: region)
                        made.append(dev.devName)
                        FaultInjection.point("\(dev.devName) made")
                        if c.saved.mode == .systemRAM { try systemRAM(dev, as: c.saved) }
                        out.notes.append("\(dev.devName) restored on \(c.saved.ranges.map(\.description).joined(separator: ", ")) (saved as \(c.saved.chardev))")
                        out.devices.append(dev)
                    }
                }
            } catch {
                for name in made.reversed() { try? DaxDevices.unmake(name) }
                for name in emptied.reversed() { try? DaxDevices.refillBootDevice(name) }
                throw error
            }
            return out
        }
    }

    /// Puts a devdax device in system-ram mode and onlines it as `saved` was.
    static func systemRAM(_ dev: DAXDevice, as saved: Device) throws {
        if !dev.isSystemRAM {
            try KernelModules.load(KernelModules.kmem, neededFor: "system-ram mode")
            if dev.isEnabled { try dev.disable() }
            try dev.enableSystemRAM()
            FaultInjection.point("\(dev.devName) in system-ram mode")
        }
        if saved.online, let mem = dev.memory {
            if saved.movable { try mem.onlineMovable() } else { try mem.onlineNormal() }
            FaultInjection.point("\(dev.devName) onlined")
        }
    }
}
