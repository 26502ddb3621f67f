/// `regions` and `labels`: libnvdimm regions that cannot be used as asked. A read-only
/// region (`read_only`, set by the kernel for unarmed NVDIMMs or by an administrator)
/// takes no new namespace and no writes; a label-less region (namespace type io:
/// `memmap=`, NVDIMMs without a label area) holds exactly one namespace spanning it; a
/// region whose DIMMs have a label area without a valid index (never initialised) is
/// label-less to the kernel too (drivers/nvdimm/dimm.c `nvdimm_probe()` sets
/// NDD_LABELING only for a valid index; `nd_region_to_nstype()` then says io) until
/// `init-labels`: that needs no root to see.
public enum LabelsCheck {
    /// `regions`: warn for read-only or disabled regions; ok otherwise.
    public static func evaluateRegions(_ s: DoctorSnapshot) -> [DoctorFinding] {
        let id = "regions"
        guard !s.regions.isEmpty else { return [DoctorFinding(id, .ok, "no pmem regions")] }
        let ro = s.regions.filter(\.isReadOnly).map(\.name)
        let disabled = s.regions.filter { !$0.isEnabled }.map(\.name)
        if !ro.isEmpty {
            return [DoctorFinding(id, .warn, "read-only: \(ro.joined(separator: ", "))" + (disabled.isEmpty ? "" : "; disabled: \(disabled.joined(separator: ", "))"),
                                  why: "a read-only region's namespaces cannot be created, reconfigured or written (writes fail with EACCES/EROFS)",
                                  fix: "if the NVDIMMs are healthy: echo 0 > /sys/bus/nd/devices/REGION/read_only; check ndctl list -DH for unarmed DIMMs first")]
        }
        if !disabled.isEmpty {
            return [DoctorFinding(id, .warn, "disabled: \(disabled.joined(separator: ", "))",
                                  why: "a disabled region offers no namespaces or devices", fix: "daxkit enable-region REGION")]
        }
        return [DoctorFinding(id, .ok, "\(s.regions.count) region(s), all enabled and writable")]
    }

    /// `labels`: warn for label-less regions and for label areas without a valid index;
    /// skip when the label areas need reading and this is not root; ok otherwise.
    public static func evaluateLabels(_ s: DoctorSnapshot) -> [DoctorFinding] {
        let id = "labels"
        guard !s.regions.isEmpty else { return [DoctorFinding(id, .ok, "no pmem regions")] }
        // memmap= regions are label-less by design (one namespace per range): said, not warned.
        let legacy = s.regions.filter(\.isLegacy).map(\.name)
        let labelless = s.regions.filter { $0.isLabelless && !$0.isLegacy && !$0.dimms.contains(where: \.hasLabelArea) }
        let uninit = s.regions.flatMap { r in
            r.dimms.filter { $0.hasLabelArea && ($0.labelsValid == false || ($0.labelsValid == nil && r.isLabelless)) }
                .map { "\($0.name) (\(r.name))" }
        }
        var found: [String] = [], why: [String] = [], fix: [String] = []
        if !labelless.isEmpty {
            found.append("label-less NVDIMM region(s): \(labelless.map(\.name).joined(separator: ", "))")
            why.append("a label-less region holds one namespace spanning all of it: it cannot be divided among VMs")
            fix.append("NVDIMMs with a label area (QEMU: label-size=128K or more) give regions that can be divided; otherwise one namespace (one VM) per region")
        }
        if !uninit.isEmpty {
            found.append("label area not initialised: \(uninit.joined(separator: ", "))")
            why.append("without a valid label index the kernel treats the region as label-less: one raw namespace spanning it, no named, sized namespaces")
            fix.append("daxkit disable-region REGION && daxkit init-labels NMEM && daxkit enable-region REGION (destroys nothing: the area holds no labels)")
        }
        if !found.isEmpty {
            return [DoctorFinding(id, .warn, found.joined(separator: "; "), why: why.joined(separator: "; "), fix: fix.joined(separator: "; "))]
        }
        let unread = s.regions.contains { r in r.dimms.contains { $0.hasLabelArea && $0.labelsValid == nil } }
        if unread && !s.isRoot { return [.needsRoot(id, "label areas are read through the DIMMs' ioctl")] }
        let labelled = s.regions.count - legacy.count
        return [DoctorFinding(id, .ok, (labelled == 0 ? "no NVDIMM regions" : "\(labelled) NVDIMM region(s) with valid label areas")
                              + (legacy.isEmpty ? "" : "; \(legacy.joined(separator: ", ")) from memmap=, label-less by design (one namespace each)"))]
    }
}
