import DaxCore
import NDCtl

/// The host RAM that enabling a pmem namespace or a dax device takes: the struct pages
/// (the vmemmap) of its memory, where they live in RAM, and the page tables that map
/// them (pure; no kernel access).
///
/// Models Linux 6.1 on x86-64 (4 KiB pages, 64-byte struct page, 128 MiB sections):
/// - `memremap_pages()` (mm/memremap.c) adds the device's range to the vmemmap through
///   `__populate_section_memmap()` (mm/sparse-vmemmap.c), one section at a time.
/// - With an altmap (`map=dev`: drivers/nvdimm/pfn_devs.c `__nvdimm_setup_pfn()` sets
///   `PGMAP_ALTMAP_VALID`), the struct pages are allocated from the namespace itself:
///   no RAM but the page tables.
/// - Without one (`map=mem`, and every dax_hmem/CXL device), `vmemmap_populate()`
///   (arch/x86/mm/init_64.c) maps each section's 2 MiB of struct pages with a 2 MiB page
///   of RAM: 64 bytes per 4 KiB page, 1/64 of the memory.
/// - Unless the device has compound pages: device-dax with an alignment above 4 KiB
///   (drivers/dax/device.c `dev_dax_probe()` sets `pgmap->vmemmap_shift`), and no
///   altmap. Then `vmemmap_populate_compound_pages()` (Linux 5.17 and later) populates
///   two 4 KiB vmemmap pages per compound page (the head's and one tail page, which every
///   other tail page maps again) and the page tables to map them: 8 KiB per 2 MiB or per
///   1 GiB page, plus one 4 KiB page table per 128 MiB section.
/// fsdax never has compound pages (order-0 `struct page` for every 4 KiB).
public enum HostRAMCost {
    /// A section (SECTION_SIZE_BITS 27): the unit the vmemmap is populated in.
    public static let sectionSize: UInt64 = 128 << 20
    /// VMEMMAP_RESERVE_NR × PAGE_SIZE: vmemmap RAM per compound page.
    public static let compoundPageVmemmap: UInt64 = 2 * CapacityPlanner.pageSize
    /// The first kernel with compound-page vmemmap for device-dax (5.17).
    public static let compoundVmemmapSince = (major: 5, minor: 17)

    /// The bytes of host RAM that the vmemmap of `bytes` of device memory takes.
    ///
    /// - Parameters:
    ///   - bytes: the memory given struct pages: a namespace's raw size (its whole
    ///     range is in the pgmap), or a dax device's size.
    ///   - mode: `.devdax` or `.fsdax` for namespaces; `.devdax` for dax devices.
    ///   - map: `.dev` (struct pages in pmem), `.mem` (in RAM); dax devices: `.mem`.
    ///   - align: the device's alignment in bytes (4 KiB, 2 MiB or 1 GiB).
    ///   - compoundVmemmap: whether the kernel deduplicates compound-page vmemmap
    ///     (Linux 5.17 and later; see ``kernelHasCompoundVmemmap(release:)``).
    /// - Returns: bytes of RAM, a multiple of 4 KiB.
    public static func bytes(for bytes: UInt64, mode: NamespaceMode, map: MapLocation, align: UInt64,
                             compoundVmemmap: Bool = true) -> UInt64 {
        // map none has no struct pages (and mainline kernels refuse it).
        guard mode == .fsdax || mode == .devdax, map != .none, bytes > 0 else { return 0 }
        let page = CapacityPlanner.pageSize
        let sections = (bytes + sectionSize - 1) / sectionSize
        switch map {
        case .dev:
            // The vmemmap comes from the altmap; its PMD-mapped 2 MiB pages need page
            // tables only per GiB of vmemmap (64 GiB of memory): one page per 64 GiB.
            return (bytes + (64 << 30) - 1) / (64 << 30) * page
        case .mem where mode == .devdax && align > page && compoundVmemmap:
            let compound = (bytes + align - 1) / align
            return compound * compoundPageVmemmap + sections * page
        default:
            // 64 bytes per 4 KiB page, in whole 2 MiB vmemmap pages per section.
            return sections * (sectionSize / page * CapacityPlanner.structPageSize)
        }
    }

    /// Whether the running kernel (`uname(2)`) deduplicates compound-page vmemmap.
    public static var runningKernelHasCompoundVmemmap: Bool {
        kernelHasCompoundVmemmap(release: KernelModules.kernelRelease())
    }

    /// Whether a kernel release (`uname -r`, e.g. `6.1.0-57-amd64`) deduplicates the
    /// vmemmap of compound device-dax pages (5.17 and later); unparsable: true.
    public static func kernelHasCompoundVmemmap(release: String) -> Bool {
        let parts = release.split(whereSeparator: { !$0.isNumber }).prefix(2).compactMap { Int($0) }
        guard parts.count == 2 else { return true }
        return (parts[0], parts[1]) >= compoundVmemmapSince
    }
}
