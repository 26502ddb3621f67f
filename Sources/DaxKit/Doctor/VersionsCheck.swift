/// `versions`: the kernel and libndctl/libdaxctl, and the known-bad combination daxkit
/// models: Linux 6.1's `nd_pfn_init()` (drivers/nvdimm/pfn_devs.c) refuses only a data
/// offset at or past the namespace size, so an fsdax/devdax layout with an empty data
/// area is accepted, and tearing that 0-byte device down oopses in `memunmap_pages()`.
/// ndctl create-namespace builds such layouts; daxkit's planner refuses them.
public enum VersionsCheck {
    static let id = "versions"

    /// One finding: warn on 6.1 kernels (the zero-size layout) and before 5.17; ok otherwise.
    public static func evaluate(_ s: DoctorSnapshot) -> [DoctorFinding] {
        let libs = "libndctl \(s.libndctlVersion ?? "unknown"), libdaxctl \(s.libdaxctlVersion ?? "unknown")"
        let found = "kernel \(s.kernelRelease), \(libs)"
        let v = s.kernelRelease.split(whereSeparator: { !$0.isNumber }).prefix(2).compactMap { Int($0) }
        if v.count == 2 && v[0] == 6 && v[1] == 1 {
            return [DoctorFinding(id, .warn, found + "; Linux 6.1 accepts a devdax/fsdax layout whose data area is empty",
                                  why: "tearing such a 0-byte device down oopses the kernel (memunmap_pages); ndctl create-namespace creates it for some sizes and alignments",
                                  fix: "create namespaces with daxkit (its planner refuses that layout) or give a larger size or smaller align")]
        }
        return [DoctorFinding(id, .ok, found + "; no known-bad combination")]
    }
}
