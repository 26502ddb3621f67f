import DaxCore
import NDCtl

/// Dynamic dax and system-ram: daxctl's create-device, destroy-device, enable-device,
/// disable-device, reconfigure-device, online-memory and offline-memory, under the
/// host-wide lock. Each is judged first by ``DaxDeviceRules`` (what the kernel will do,
/// said before it does it), never touches a device a process maps or memory in use, and
/// puts back what it changed when a later step fails.
public enum DaxDevices {
    /// What an operation did.
    public struct Outcome {
        /// The devices acted on, as they are now (for rendering), in order.
        public var devices: [DAXDevice] = []
        /// One line each: what was found or done beyond the count (already in a mode,
        /// memory lost to block alignment, a device kept as the region's first).
        public var notes: [String] = []
    }

    /// The mode a device is moved to.
    public enum Mode: String, Sendable, CaseIterable {
        /// device_dax: `/dev/daxX.Y`, mapped by processes (VMs).
        case devdax
        /// kmem: its memory is hot-plugged into the page allocator.
        case systemRAM = "system-ram"
    }

    /// A reconfiguration (`reconfigure-device`): a new mode, or a new size/alignment.
    public struct Reconfiguration: Sendable {
        /// The mode to move to (daxctl's `-m`); nil keeps the mode and only resizes or
        /// re-aligns.
        public var mode: Mode?
        /// New size in bytes (the device must be disabled).
        public var size: ByteCount?
        /// New alignment in bytes (the device must be disabled).
        public var align: ByteCount?
        /// Online the memory after moving to system-ram (false: leave it to the caller).
        public var online = true
        /// Online it movable (ZONE_MOVABLE), so that it can be offlined again.
        public var movable = true
        /// Offline online memory before leaving system-ram, and go on despite the
        /// auto-online policy or memory-block alignment. Never overrides "in use".
        public var force = false
        /// No change yet: keep the mode, size and alignment; online movable when moving
        /// to system-ram (daxctl's defaults).
        public init() {}
    }

    // MARK: - Selection

    /// The devices `ident` names (`daxX.Y`, `X.Y` or `all`) in the regions `region`
    /// selects; `all` leaves out 0-byte seeds.
    ///
    /// - Throws: `DaxError` `.notFound` when a device named is not there.
    static func targets(_ ident: String, region: String?, context: DAXContext) throws -> [DAXDevice] {
        let devices = context.regions.filter { DAXFilter.region($0, region) }.flatMap(\.devices)
            .filter { DAXFilter.device($0, ident) && (ident != "all" || $0.size > 0) }
        if devices.isEmpty && ident != "all" {
            throw DaxError(.notFound, object: Phrase("dax device \(ident)"), problem: "not found",
                           fix: "list them: \(Operation.listDAXDevices)")
        }
        return devices
    }

    /// Refuses a device a process maps or holds open: a running VM's memory.
    static func ensureNotMapped(_ dev: DAXDevice, action: String) throws {
        guard let h = Holders.find(blockDevices: [], daxDevices: [dev.devName]).first(where: { $0.kind == .mapped || $0.kind == .open }) else { return }
        throw DaxError(.inUse, object: Phrase(dev.devName), problem: "in use and will not be \(action): \(h)",
                       rule: "\(.force) does not override this",
                       fix: "stop PID \(h.pid ?? 0) first (a VM whose guest RAM this is?)")
    }

    /// Runs `body` on each target under the host lock, stopping at the first failure.
    static func each(_ ident: String, region: String?, context: DAXContext,
                     _ body: (DAXDevice, inout Outcome) throws -> Void) throws -> Outcome {
        try HostLock.withLock {
            var out = Outcome()
            for dev in try targets(ident, region: region, context: context) { try body(dev, &out) }
            return out
        }
    }

    static func snapshot(of dev: DAXDevice) -> (DaxRegionSnapshot, DaxRegionSnapshot.Device) {
        let region = DaxRegionSnapshot(dev.region)
        return (region, region.devices.first { $0.name == dev.devName }
                ?? DaxRegionSnapshot.Device(name: dev.devName, id: dev.id, size: dev.size, align: dev.align ?? 0,
                                            isEnabled: dev.isEnabled, ranges: []))
    }

    // MARK: - create, destroy

    /// Creates a device in a dynamic region (`daxctl create-device`): the region's seed is
    /// aligned, sized (or given exact ranges) and bound to device_dax.
    ///
    /// - Parameters:
    ///   - region: the region (`N`, `regionN`); nil: the first dynamic region with room.
    ///   - size: bytes; nil: all that is available. Ignored with `ranges`.
    ///   - align: bytes; nil: the region's alignment.
    ///   - ranges: exact physical ranges to claim, in device order (a saved device).
    /// - Throws: `DaxError` from ``DaxDeviceRules/create(in:size:align:ranges:)`` before
    ///   anything changes, or `.kernelRefused` after undoing what was done.
    public static func create(region: String?, size: ByteCount?, align: ByteCount?,
                              ranges: [DaxRegionSnapshot.Range] = [], context: DAXContext) throws -> Outcome {
        try HostLock.withLock {
            let regions = context.regions.filter { DAXFilter.region($0, region) }
            guard !regions.isEmpty else {
                throw DaxError(.notFound, object: Phrase(region.map { "dax region \($0)" } ?? "this host"),
                               problem: region == nil ? "no dax region" : "not found",
                               fix: region == nil ? "soft-reserved memory (dax_hmem) or a CXL RAM region provides one" : "list them: \(Operation.listDAXDevices)")
            }
            var firstError: DaxError?
            for r in regions {
                let snap = DaxRegionSnapshot(r)
                let plan: DaxDeviceRules.Creation
                do {
                    plan = try DaxDeviceRules.create(in: snap, size: size, align: align, ranges: ranges)
                } catch let e as DaxError {
                    // Without a region named, a region that cannot take it is passed over.
                    if region == nil && regions.count > 1 { firstError = firstError ?? e; continue }
                    throw e
                }
                return Outcome(devices: [try make(plan, in: r)])
            }
            throw firstError ?? DaxError(.noCapacity, object: "this host", problem: "no dax region can hold the device")
        }
    }

    /// Sizes the region's seed as planned and binds it; on failure the seed is emptied again.
    static func make(_ plan: DaxDeviceRules.Creation, in region: DAXRegion) throws -> DAXDevice {
        try KernelModules.load(KernelModules.deviceDAX, neededFor: "devdax mode")
        try region.createDevice()
        // libdaxctl lists a region's devices once; the device create made is seen by a
        // fresh context (daxctl gets away with it by never listing before it creates).
        let fresh = try DAXContext()
        guard let seed = fresh.regions.first(where: { $0.id == region.id })?.deviceSeed else {
            throw DaxError(.kernelRefused, object: Phrase("dax region \(region.id)"), problem: "no seed device after create")
        }
        do {
            if seed.align != plan.align { try seed.setAlign(plan.align) }
            if plan.ranges.isEmpty {
                try seed.setSize(plan.size)
            } else {
                for (i, r) in plan.ranges.enumerated() {
                    try seed.setMapping(start: r.start, end: r.end)
                    if i < plan.ranges.count - 1 { FaultInjection.point("\(seed.devName): range \(i + 1) of \(plan.ranges.count) claimed") }
                }
            }
            try seed.enableDevdax()
            return seed
        } catch {
            try? seed.disable()
            try? seed.setSize(0)
            throw error
        }
    }

    /// Destroys devices (`daxctl destroy-device`): disabled (or with `force`), emptied and
    /// deleted. A region's first device (daxN.0) cannot be deleted: it is emptied and kept.
    ///
    /// - Throws: `DaxError` `.inUse` (mapped, or memory online as system RAM: never, even
    ///   with `force`), `.inUse` (enabled without `force`), `.notFound`, `.kernelRefused`.
    public static func destroy(_ ident: String, region: String?, force: Bool, context: DAXContext) throws -> Outcome {
        try each(ident, region: region, context: context) { dev, out in
            let name = dev.devName
            try ensureNotMapped(dev, action: "destroyed")
            if let mem = dev.memory, mem.onlineBlocks > 0 {
                throw DaxError(.inUse, object: Phrase(name), problem: "\(mem.onlineBlocks) of its memory blocks are online as system RAM",
                               rule: "\(.force) does not override this",
                               fix: "offline it and return it to devdax first (\(Operation.reconfigureDevice(name, mode: "devdax")))")
            }
            if dev.isEnabled && !force {
                throw DaxError(.inUse, object: Phrase(name), problem: "active", fix: "\(enable: .force) to destroy it (its data will be lost)")
            }
            if dev.isEnabled { try dev.disable() }
            try dev.setSize(0)
            if dev.id == 0 {
                out.notes.append("\(name) is its region's first device: emptied to 0 bytes and kept (the kernel does not delete it)")
            } else {
                try dev.region.destroyDevice(dev)
            }
            out.devices.append(dev)
        }
    }

    /// Empties a region's boot-time whole-region device (disabled, sized 0), so that the
    /// new devices (a plan's, a layout's) can take its room.
    ///
    /// - Throws: `DaxError` `.notFound`, `.inUse` (a process maps it), `.kernelRefused`.
    static func emptyBootDevice(_ name: String) throws {
        let dev = try device(named: name)
        try ensureNotMapped(dev, action: "emptied")
        if dev.isEnabled { try dev.disable() }
        try dev.setSize(0)
    }

    /// Gives an emptied boot-time device its whole region back and enables it (the undo
    /// of ``emptyBootDevice(_:)``).
    static func refillBootDevice(_ name: String) throws {
        guard let dev = try? device(named: name) else { return }
        try dev.setSize(dev.region.size ?? 0)
        try dev.enableDevdax()
    }

    /// The device `name` (`daxX.Y`) as it is now, from a fresh context (libdaxctl lists a
    /// region's devices once, so an older context misses devices made since).
    ///
    /// - Throws: `DaxError` `.contextCreation`, `.notFound`.
    static func device(named name: String) throws -> DAXDevice {
        guard let dev = try DAXContext().regions.flatMap(\.devices).first(where: { $0.devName == name }) else {
            throw DaxError(.notFound, object: Phrase(name), problem: "not found")
        }
        return dev
    }

    /// Takes apart a device this process made, or one an interrupted run left half made:
    /// its memory offlined (if it reached system-ram), its driver unbound, its ranges
    /// released, and the device deleted (daxN.0 is emptied and kept). Held devices are
    /// refused.
    ///
    /// - Throws: `DaxError` `.inUse` (a process maps it), `.kernelRefused`.
    static func unmake(_ name: String) throws {
        guard let dev = try? device(named: name) else { return }
        try ensureNotMapped(dev, action: "destroyed")
        if let mem = dev.memory, mem.onlineBlocks > 0 { try mem.offline() }
        if dev.isEnabled { try dev.disable() }
        try dev.setSize(0)
        if dev.id != 0 { try dev.region.destroyDevice(dev) }
    }

    // MARK: - enable, disable

    /// Binds device_dax (`daxctl enable-device`); `all` skips 0-byte seeds.
    ///
    /// - Throws: `DaxError` `.conflict` (system-ram mode, or 0 bytes), `.kernelRefused`.
    public static func enable(_ ident: String, region: String?, context: DAXContext) throws -> Outcome {
        try each(ident, region: region, context: context) { dev, out in
            try ensureDevdax(dev, "enable")
            if dev.size == 0 {
                throw DaxError(.conflict, object: Phrase(dev.devName), problem: "0 bytes: the region's seed, nothing to enable",
                               fix: "size it first (\(Operation("create-device")))")
            }
            try KernelModules.load(KernelModules.deviceDAX, neededFor: "devdax mode")
            try dev.enableDevdax()
            out.devices.append(dev)
        }
    }

    /// Unbinds device_dax (`daxctl disable-device`).
    ///
    /// - Throws: `DaxError` `.inUse` (mapped by a process: never), `.conflict` (system-ram
    ///   mode), `.kernelRefused`.
    public static func disable(_ ident: String, region: String?, context: DAXContext) throws -> Outcome {
        try each(ident, region: region, context: context) { dev, out in
            try ensureDevdax(dev, "disable")
            try ensureNotMapped(dev, action: "disabled")
            try dev.disable()
            out.devices.append(dev)
        }
    }

    static func ensureDevdax(_ dev: DAXDevice, _ what: String) throws {
        if dev.isSystemRAM {
            throw DaxError(.conflict, object: Phrase(dev.devName), problem: "in system-ram mode: nothing to \(what) with device_dax",
                           fix: "return it to devdax first (\(Operation.reconfigureDevice(dev.devName, mode: "devdax")))")
        }
    }

    // MARK: - reconfigure

    /// Moves devices between devdax and system-ram, or resizes/realigns a disabled one
    /// (`daxctl reconfigure-device`).
    ///
    /// - Throws: `DaxError` from ``DaxDeviceRules/systemRAM(_:in:online:movable:force:)``,
    ///   `.inUse` (mapped; or memory online without `force`), `.kernelRefused` with the
    ///   memory blocks that refused; a failed step puts the device and its blocks back.
    public static func reconfigure(_ ident: String, region: String?, _ r: Reconfiguration,
                                   context: DAXContext) throws -> Outcome {
        if r.size == nil && r.align == nil && r.mode == nil {
            throw DaxError(.invalidArgument, object: "reconfiguration", problem: "nothing asked",
                           fix: "give \(.mode), \(.size) or \(.align)")
        }
        return try each(ident, region: region, context: context) { dev, out in
            if r.size != nil || r.align != nil {
                try resize(dev, r)
                out.devices.append(dev)
                return
            }
            switch r.mode! {
            case .systemRAM: try toSystemRAM(dev, r, &out)
            case .devdax: try toDevdax(dev, r, &out)
            }
            out.devices.append(dev)
        }
    }

    /// A new size/alignment for a disabled device; put back on failure.
    static func resize(_ dev: DAXDevice, _ r: Reconfiguration) throws {
        if dev.isEnabled {
            throw DaxError(.conflict, object: Phrase(dev.devName), problem: "enabled: its size and alignment are fixed while it is",
                           fix: "disable it first (\(Operation("disable-device", dev.devName)))")
        }
        let (oldSize, oldAlign) = (dev.size, dev.align ?? 0)
        do {
            if let a = r.align {
                guard DaxDeviceRules.supportedAlignments.contains(a.bytes) else {
                    throw DaxError(.invalidAlignment, object: "\(.align, a.text)", problem: "not a device-dax alignment",
                                   rule: "supported: 4K, 2M, 1G", fix: "pick one of them")
                }
                try dev.setAlign(a.bytes)
            }
            if let s = r.size { try dev.setSize(s.bytes) }
        } catch {
            if dev.size != oldSize { try? dev.setSize(oldSize) }
            if oldAlign > 0 && dev.align != oldAlign { try? dev.setAlign(oldAlign) }
            throw error
        }
    }

    static func toSystemRAM(_ dev: DAXDevice, _ r: Reconfiguration, _ out: inout Outcome) throws {
        if dev.size == 0 {
            throw DaxError(.conflict, object: Phrase(dev.devName), problem: "0 bytes: the region's seed, nothing to reconfigure",
                           fix: "create a device first (\(Operation("create-device")))")
        }
        let (region, snap) = snapshot(of: dev)
        let plan = try DaxDeviceRules.systemRAM(snap, in: region, online: r.online, movable: r.movable, force: r.force)
        if dev.isSystemRAM {
            out.notes.append("\(dev.devName) was already in system-ram mode")
        } else {
            try ensureNotMapped(dev, action: "reconfigured")
            out.notes.append(plan.summary)
            try KernelModules.load(KernelModules.kmem, neededFor: "system-ram mode")
            let wasEnabled = dev.isEnabled
            if wasEnabled { try dev.disable() }
            do {
                try dev.enableSystemRAM()
            } catch {
                if wasEnabled { try? dev.enableDevdax() }
                throw error
            }
        }
        guard r.online, let mem = dev.memory, mem.onlineBlocks < mem.totalBlocks else { return }
        do {
            if r.movable { try mem.onlineMovable() } else { try mem.onlineNormal() }
        } catch let e as DaxError {
            // Back to devdax as it was: what came online goes offline again.
            _ = try? mem.offline()
            if !mem.device.hasOnlineMemory, (try? dev.disable()) != nil { try? dev.enableDevdax() }
            throw DaxError(.kernelRefused, object: e.object, problem: e.problem,
                           rule: Phrase(MemoryBlocks.describe(of: snap, blockSize: region.memoryBlockSize)),
                           fix: "put back in devdax mode", underlyingError: e.underlyingError)
        }
    }

    static func toDevdax(_ dev: DAXDevice, _ r: Reconfiguration, _ out: inout Outcome) throws {
        guard let mem = dev.memory else {
            if dev.isEnabled {
                out.notes.append("\(dev.devName) was already in devdax mode")
            } else {
                try dev.enableDevdax()
            }
            return
        }
        let (region, snap) = snapshot(of: dev)
        let online = MemoryBlocks.of(snap, blockSize: region.memoryBlockSize).filter(\.isOnline)
        if !online.isEmpty {
            guard r.force else {
                throw DaxError(.inUse, object: Phrase(dev.devName),
                               problem: "\(online.count) memory block\(online.count == 1 ? " is" : "s are") online as system RAM (\(online.map(\.name).joined(separator: ", ")))",
                               fix: "\(enable: .force) to offline them first (refused by the kernel if something it cannot move lives there)")
            }
            do {
                try mem.offline()
            } catch let e as DaxError {
                // Put back online what went offline, in the zone it was in.
                let still = MemoryBlocks.of(snap, blockSize: region.memoryBlockSize)
                let refused = still.filter(\.isOnline)
                for b in online where !b.isOnline || !refused.contains(where: { $0.name == b.name }) {
                    MemoryBlocks.setState(b.name, b.zone == "Normal" ? "online" : "online_movable")
                }
                throw DaxError(.kernelRefused, object: Phrase(dev.devName),
                               problem: "the kernel would not offline \(refused.map { "\($0.name) (zone \($0.zone))" }.joined(separator: ", "))",
                               rule: "memory in a normal zone may hold allocations the kernel cannot move; put back online as it was",
                               fix: "online it movable next time (the default; not \(Parameter("noMovable")))",
                               underlyingError: e.underlyingError)
            }
        }
        do {
            try dev.disable()
            try KernelModules.load(KernelModules.deviceDAX, neededFor: "devdax mode")
            try dev.enableDevdax()
        } catch {
            if !dev.isEnabled, (try? dev.enableSystemRAM()) != nil, !online.isEmpty { _ = try? dev.memory?.onlineMovable() }
            throw error
        }
    }

    // MARK: - online, offline

    /// Onlines a system-ram device's memory (`daxctl online-memory`); already online is a
    /// no-op, noted and not counted.
    ///
    /// - Throws: `DaxError` `.conflict` (devdax mode), `.kernelRefused`.
    public static func onlineMemory(_ ident: String, region: String?, movable: Bool, context: DAXContext) throws -> Outcome {
        try each(ident, region: region, context: context) { dev, out in
            let mem = try memory(of: dev)
            if mem.onlineBlocks == mem.totalBlocks {
                out.notes.append("\(dev.devName): all memory blocks (\(mem.totalBlocks)) already online")
                return
            }
            if movable { try mem.onlineMovable() } else { try mem.onlineNormal() }
            out.devices.append(dev)
        }
    }

    /// Offlines a system-ram device's memory (`daxctl offline-memory`); a block the kernel
    /// will not offline is named with its zone.
    ///
    /// - Throws: `DaxError` `.conflict` (devdax mode), `.kernelRefused` naming the blocks.
    public static func offlineMemory(_ ident: String, region: String?, context: DAXContext) throws -> Outcome {
        try each(ident, region: region, context: context) { dev, out in
            let mem = try memory(of: dev)
            if mem.onlineBlocks == 0 {
                out.notes.append("\(dev.devName): all memory blocks (\(mem.totalBlocks)) already offline")
                return
            }
            do {
                try mem.offline()
            } catch let e as DaxError {
                let (region, snap) = snapshot(of: dev)
                let refused = MemoryBlocks.of(snap, blockSize: region.memoryBlockSize).filter(\.isOnline)
                throw DaxError(.kernelRefused, object: Phrase(dev.devName),
                               problem: "the kernel would not offline \(refused.map { "\($0.name) (zone \($0.zone))" }.joined(separator: ", "))",
                               rule: "memory in a normal zone may hold allocations the kernel cannot move",
                               fix: "online it movable next time (the default; not \(Parameter("noMovable")))",
                               underlyingError: e.underlyingError)
            }
            out.devices.append(dev)
        }
    }

    static func memory(of dev: DAXDevice) throws -> DAXMemory {
        guard let mem = dev.memory else {
            throw DaxError(.conflict, object: Phrase(dev.devName), problem: "in devdax mode: memory operations apply to system-ram mode",
                           fix: "move it to system-ram first (\(Operation.reconfigureDevice(dev.devName, mode: "system-ram")))")
        }
        return mem
    }

    /// A device as daxctl prints it after an operation.
    public static func json(_ dev: DAXDevice, human: Bool) -> JSON {
        Render.daxDevice(dev, human ? [.human] : [])
    }
}
