/// `soft-reserved`: soft-reserved memory (`Soft Reserved` in `/proc/iomem`: EFI
/// `EFI_MEMORY_SP`, HMAT, or `memmap=nn%ss+0xefffffff`) is device-DAX's only when
/// dax_hmem made a dax region of it (drivers/dax/hmem); a dax region without a device
/// of non-zero size offers nothing to map.
public enum SoftReservedCheck {
    static let id = "soft-reserved"

    /// One finding: warn for soft-reserved ranges without a dynamic dax region, and for
    /// dax regions with no device of non-zero size; ok otherwise.
    public static func evaluate(_ s: DoctorSnapshot) -> [DoctorFinding] {
        let reserved = s.iomem.filter { $0.name == "Soft Reserved" }
        let dynamic = s.daxRegions.filter(\.isDynamic)
        let empty = s.daxRegions.filter { $0.sizedDevices == 0 && $0.size > 0 }
        if !reserved.isEmpty && dynamic.isEmpty {
            let loaded = s.modules[KernelModules.daxHMEM].map { $0 == .loaded || $0 == .builtin } ?? false
            return [DoctorFinding(id, .warn, "\(reserved.count) soft-reserved range(s) and no dax_hmem dax region",
                                  why: "the memory is kept from the kernel's own use and nothing can map it: it is lost to both",
                                  fix: loaded ? "check dmesg for hmem errors; or boot without the soft reservation to get it back as RAM"
                                              : "modprobe dax_hmem (dax_hmem turns each soft-reserved range into a dynamic dax region)")]
        }
        if !empty.isEmpty {
            return [DoctorFinding(id, .warn, "dax region(s) with no device of non-zero size: \(empty.map(\.name).joined(separator: ", "))",
                                  why: "nothing maps the region's memory until a device is carved from it",
                                  fix: "daxkit dax create-device -r REGION -s SIZE (dynamic regions), or create a devdax namespace")]
        }
        if reserved.isEmpty {
            return [DoctorFinding(id, .ok, "no soft-reserved memory" + (s.daxRegions.isEmpty ? "" : "; \(s.daxRegions.count) dax region(s), each with a device"))]
        }
        return [DoctorFinding(id, .ok, "\(reserved.count) soft-reserved range(s), \(dynamic.count) dynamic dax region(s) (\(dynamic.map(\.name).joined(separator: ", "))), each with a device")]
    }
}
