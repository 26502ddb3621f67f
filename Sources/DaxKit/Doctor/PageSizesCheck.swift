/// `page-sizes`: whether 2M and 1G device-dax pages are available here. The kernel
/// says it in each pfn/dax seed's `supported_alignments` (drivers/nvdimm/pfn_devs.c
/// `nd_pfn_supported_alignments()`: 4K always, 2M with `has_transparent_hugepage()`,
/// 1G with `has_transparent_pud_hugepage()`, i.e. x86's pdpe1gb); without a seed, the
/// THP support and the CPU's `pdpe1gb` flag say the same. The THP policy
/// (`enabled`) does not govern device-dax faults, which follow the device alignment.
public enum PageSizesCheck {
    static let id = "page-sizes"

    /// One finding: warn when 2M or 1G device-dax pages are unavailable; ok otherwise.
    public static func evaluate(_ s: DoctorSnapshot) -> [DoctorFinding] {
        let seeds = s.regions.compactMap(\.supportedAlignments)
        let has2M: Bool, has1G: Bool, source: String
        if let first = seeds.first {
            has2M = seeds.allSatisfy { $0.contains(2 << 20) }
            has1G = seeds.allSatisfy { $0.contains(1 << 30) }
            source = "seeds' supported_alignments \(first.map(DoctorFormat.size).joined(separator: " "))"
        } else {
            has2M = s.transparentHugepage != nil
            has1G = has2M && s.cpuHas1GPages
            source = "no pmem seed; THP \(has2M ? "built in" : "absent"), CPU \(s.cpuHas1GPages ? "has" : "lacks") pdpe1gb"
        }
        let thp = s.transparentHugepage.map { "THP enabled: \($0)" } ?? "no THP"
        let found = "2M \(has2M ? "yes" : "no"), 1G \(has1G ? "yes" : "no") (\(source)); \(thp)"
        if !has2M {
            return [DoctorFinding(id, .warn, found,
                                  why: "devdax and fsdax map 4 KiB pages only: every 2 MiB of guest memory costs 512 faults and TLB entries",
                                  fix: "boot a kernel with CONFIG_TRANSPARENT_HUGEPAGE (Debian's has it)")]
        }
        if !has1G {
            return [DoctorFinding(id, .warn, found,
                                  why: "align=1G devdax is refused; 2M is the largest page",
                                  fix: "on a VM host pass the CPU's pdpe1gb to this guest (QEMU -cpu host or +pdpe1gb); otherwise use align 2M")]
        }
        return [DoctorFinding(id, .ok, found)]
    }
}
