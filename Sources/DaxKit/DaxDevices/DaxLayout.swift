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

    /// Restores a saved layout: every saved device whose exact ranges no device holds is
    /// created on them (in device order), then put in its mode (system-ram, onlined as it
    /// was); devices already holding exactly their ranges are kept. Every range is checked
    /// free before anything is created.
    ///
    /// - Returns: the devices created or kept (as they are now), with notes.
    /// - Throws: `DaxError` `.conflict` naming a range another device holds, before any
    ///   change; `.kernelRefused` from a step.
    public static func restore(from path: String, context: DAXContext) throws -> DaxDevices.Outcome {
        let layout = try decode(LayoutJSON.self, try read(path), file: path)
        guard layout.version == 1 else {
            throw DaxError(.invalidArgument, object: Phrase(path), problem: "layout version \(layout.version)", fix: "use a layout saved by this daxkit")
        }
        return try HostLock.withLock {
            var out = DaxDevices.Outcome()
            var work: [(DAXRegion, Device, DaxDeviceRules.Creation)] = []
            for saved in layout.regions {
                guard let region = context.regions.first(where: { DaxRegionSnapshot($0).device == saved.device })
                        ?? context.regions.first(where: { $0.id == saved.id }) else {
                    throw DaxError(.notFound, object: Phrase("dax region \(saved.id) (\(saved.device ?? "?"))"), problem: "not on this host",
                                   fix: "load dax_hmem (soft-reserved memory) or bring up the CXL region first")
                }
                let snap = DaxRegionSnapshot(region)
                for d in saved.devices where d.size > 0 {
                    let dev = try device(d, file: path)
                    if let held = region.devices.first(where: { live in
                        live.mappings.sorted { $0.pageOffset < $1.pageOffset }.map { DaxRegionSnapshot.Range(start: $0.start, end: $0.end) } == dev.ranges }) {
                        out.notes.append("\(held.devName) already holds \(dev.chardev)'s ranges: kept")
                        out.devices.append(held)
                        continue
                    }
                    // Judged against the region as it will be once earlier ones are made.
                    var planned = snap
                    for (_, earlier, _) in work where earlier.region == dev.region {
                        planned.devices.append(.init(name: earlier.chardev, id: -1, size: earlier.size, align: earlier.align,
                                                     isEnabled: true, ranges: earlier.ranges))
                    }
                    let plan = try DaxDeviceRules.create(in: planned, size: nil, align: ByteCount(bytes: dev.align), ranges: dev.ranges)
                    work.append((region, dev, plan))
                }
            }
            for (region, dev, plan) in work {
                let made = try DaxDevices.make(plan, in: region)
                if dev.mode == .systemRAM {
                    try KernelModules.load(KernelModules.kmem, neededFor: "system-ram mode")
                    try made.disable()
                    try made.enableSystemRAM()
                    if dev.online, let mem = made.memory {
                        if dev.movable { try mem.onlineMovable() } else { try mem.onlineNormal() }
                    }
                }
                out.notes.append("\(made.devName) restored on \(dev.ranges.map(\.description).joined(separator: ", ")) (saved as \(dev.chardev))")
                out.devices.append(made)
            }
            return out
        }
    }
}
