import DaxCore

/// The memory blocks (`/sys/devices/system/memory/memoryN`) a dax device's ranges span:
/// what onlining and offlining act on, named when the kernel refuses.
///
/// Models mm/memory_hotplug.c and drivers/base/memory.c: block N covers
/// `[phys_index × block_size_bytes, +block_size_bytes)`; `state` is online or offline,
/// `valid_zones` the zone an online block is in (Movable, Normal).
public enum MemoryBlocks {
    /// One memory block.
    public struct Block: Sendable, Hashable {
        /// `memoryN`.
        public var name: String
        /// Whether its `state` is online.
        public var isOnline: Bool
        /// Its zone when online (`valid_zones`): Movable, Normal, or what the kernel says.
        public var zone: String
    }

    static let root = "/sys/devices/system/memory"

    /// The blocks wholly inside `device`'s ranges, in address order.
    public static func of(_ device: DaxRegionSnapshot.Device, blockSize: UInt64) -> [Block] {
        guard blockSize > 0 else { return [] }
        var out: [(UInt64, Block)] = []
        for r in device.ranges {
            var first = (r.start + blockSize - 1) / blockSize
            let end = (r.end &+ 1) / blockSize
            while first < end {
                let name = "memory\(first)"
                if let state = HostFile.trimmed("\(root)/\(name)/state") {
                    let online = state.hasPrefix("online")
                    out.append((first, Block(name: name, isOnline: online,
                                             zone: online ? (HostFile.trimmed("\(root)/\(name)/valid_zones") ?? "?") : "none")))
                }
                first += 1
            }
        }
        return out.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// "memory blocks: memory12 online (Movable), …" for an error's rule; "" when none.
    public static func describe(of device: DaxRegionSnapshot.Device, blockSize: UInt64) -> String {
        let blocks = of(device, blockSize: blockSize)
        guard !blocks.isEmpty else { return "" }
        return "memory blocks: " + blocks.map { "\($0.name) \($0.isOnline ? "online (\($0.zone))" : "offline")" }.joined(separator: ", ")
    }

    /// Writes a block's `state` (online, online_movable, offline); best effort, for undo.
    ///
    /// Wraps a write to `/sys/devices/system/memory/memoryN/state`.
    static func setState(_ name: String, _ state: String) {
        guard case .success(let fd) = Syscall.open("\(root)/\(name)/state", 1 /* O_WRONLY */) else { return }
        defer { Syscall.close(fd) }
        let bytes = Array(state.utf8)
        _ = bytes.withUnsafeBytes { Syscall.pwrite(fd, $0, at: 0) }
    }
}
