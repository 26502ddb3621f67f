/// `hotplug`: what `dax reconfigure-device -m system-ram` (kmem) meets here. kmem onlines
/// whole memory blocks (`block_size_bytes`, drivers/base/memory.c); `auto_online_blocks`
/// (mm/memory_hotplug.c `mhp_default_online_type`) decides whether the kernel onlines
/// new blocks by itself and where: `online` puts them in ZONE_NORMAL by the kernel's
/// rules, from which memory may never offline again (EBUSY); `offline` leaves the choice
/// to daxkit, which onlines into ZONE_MOVABLE. `memmap_on_memory` puts the new blocks'
/// struct pages in the blocks themselves.
public enum HotplugCheck {
    static let id = "hotplug"

    /// One finding: skip without memory hotplug; warn for `online`/`online_kernel`
    /// auto-onlining; ok for `offline` and `online_movable`.
    public static func evaluate(_ s: DoctorSnapshot) -> [DoctorFinding] {
        guard let block = s.memoryBlockSize, let policy = s.autoOnlineBlocks else {
            return [DoctorFinding(id, .warn, "no /sys/devices/system/memory: this kernel has no memory hotplug",
                                  why: "dax reconfigure-device -m system-ram cannot online device memory as RAM",
                                  fix: "boot a kernel with CONFIG_MEMORY_HOTPLUG (Debian's has it)")]
        }
        let mom = s.memmapOnMemory.map { $0.hasPrefix("Y") || $0 == "1" || $0 == "force" ? "memmap_on_memory on" : "memmap_on_memory off" } ?? "no memmap_on_memory"
        let found = "memory block \(DoctorFormat.size(block)), auto_online_blocks \(policy), \(mom), \(s.hasMovableZone ? "a Movable zone populated" : "no Movable zone populated")"
        switch policy {
        case "online", "online_kernel":
            return [DoctorFinding(id, .warn, found,
                                  why: "hot-added memory (system-ram devices) is onlined by the kernel as soon as it appears, into ZONE_NORMAL where kernel allocations pin it: it may never offline again (EBUSY), and the device cannot go back to devdax",
                                  fix: "echo offline > /sys/devices/system/memory/auto_online_blocks (or online_movable), or boot with memhp_default_state=offline")]
        default:
            return [DoctorFinding(id, .ok, found + (policy == "offline" ? "; daxkit onlines system-ram devices as movable" : "; new blocks go to ZONE_MOVABLE") + "; system-ram devices must be \(DoctorFormat.size(block))-aligned")]
        }
    }
}
