import NDCtl

/// `vmemmap-dedup` and `map-none`: what struct pages cost in host RAM here.
/// Compound device-dax pages (Linux 5.17, mm/sparse-vmemmap.c
/// `vmemmap_populate_compound_pages()`) share the struct pages of a 2M/1G page, so
/// `map=mem` devdax costs 8 KiB per page instead of 64 bytes per 4 KiB (see
/// ``HostRAMCost``). `map=none` (no struct pages) never merged: mainline refuses the
/// bind with ENXIO, and compound pages are the saving it was for.
public enum VmemmapCheck {
    /// Host RAM per GiB of devdax with `map=mem` at `align` on a kernel with or without dedup.
    static func perGiB(align: UInt64, dedup: Bool) -> UInt64 {
        HostRAMCost.bytes(for: 1 << 30, mode: .devdax, map: .mem, align: align, compoundVmemmap: dedup)
    }

    /// `vmemmap-dedup`: ok on 5.17 and later, warn before (map=mem costs 1/64 of the memory).
    public static func evaluateDedup(_ s: DoctorSnapshot) -> [DoctorFinding] {
        let dedup = HostRAMCost.kernelHasCompoundVmemmap(release: s.kernelRelease)
        let at4K = DoctorFormat.approx(perGiB(align: 4 << 10, dedup: false))
        if dedup {
            return [DoctorFinding("vmemmap-dedup", .ok,
                                  "kernel \(s.kernelRelease) shares struct pages of 2M/1G devdax: map=mem costs \(DoctorFormat.approx(perGiB(align: 2 << 20, dedup: true))) of host RAM per GiB at 2M, \(DoctorFormat.approx(perGiB(align: 1 << 30, dedup: true))) at 1G (\(at4K) at 4K and for fsdax)")]
        }
        return [DoctorFinding("vmemmap-dedup", .warn,
                              "kernel \(s.kernelRelease) predates vmemmap deduplication (5.17): map=mem costs \(at4K) of host RAM per GiB at any alignment",
                              why: "1 TiB of pmem given struct pages in RAM takes 16 GiB of host RAM",
                              fix: "use map=dev (struct pages in the namespace, 1/64 of its capacity, no RAM), or a 5.17+ kernel with map=mem and align 2M/1G")]
    }

    /// `map-none`: mainline has no struct-page-less devdax; say what gives the same saving here.
    public static func evaluateMapNone(_ s: DoctorSnapshot) -> [DoctorFinding] {
        let dedup = HostRAMCost.kernelHasCompoundVmemmap(release: s.kernelRelease)
        let found = "kernel \(s.kernelRelease): map=none is not in mainline (the RFC never merged; binding it fails with ENXIO)"
        if dedup {
            return [DoctorFinding("map-none", .ok,
                                  found + "; the same host-RAM saving here: devdax with map=mem and align 2M or 1G (\(DoctorFormat.approx(perGiB(align: 2 << 20, dedup: true))) per GiB at 2M)")]
        }
        return [DoctorFinding("map-none", .warn, found,
                              why: "without map=none or vmemmap dedup, map=mem costs 1/64 of the memory in host RAM",
                              fix: "use map=dev: struct pages live in the namespace itself (1/64 of its capacity), none in RAM")]
    }
}

extension DoctorFormat {
    /// Bytes in KiB or MiB with up to one decimal: `16 MiB`, `36 KiB`.
    static func approx(_ n: UInt64) -> String {
        if n >= 1 << 20 {
            let tenths = (n * 10 + (1 << 19)) >> 20
            return tenths % 10 == 0 ? "\(tenths / 10) MiB" : "\(tenths / 10).\(tenths % 10) MiB"
        }
        return "\((n + 512) >> 10) KiB"
    }
}
