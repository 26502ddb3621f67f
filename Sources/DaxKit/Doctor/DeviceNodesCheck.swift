/// `device-nodes`: `/dev/daxX.Y` and `/dev/pmemN*` against the kernel's devices, their
/// permissions, and the provisioning plan's owner, group and mode for each VM's device
/// (the plan the boot unit applies, `/etc/daxkit/vms.yaml`). udev recreates nodes as
/// root 0600 on every enable; the rule files found (read from the udev rule
/// directories, not through libudev) are named.
public enum DeviceNodesCheck {
    static let id = "device-nodes"

    /// One finding: warn for a kernel device without its node, a node any user can read
    /// or write, and a planned VM node whose owner, group or mode differs from the plan;
    /// ok otherwise.
    public static func evaluate(_ s: DoctorSnapshot) -> [DoctorFinding] {
        var problems: [String] = []
        let paths = Set(s.deviceNodes.map(\.path))
        let missing = s.expectedNodes.filter { !paths.contains("/dev/" + $0) }
        if !missing.isEmpty { problems.append("no node for \(missing.joined(separator: ", "))") }
        let open = s.deviceNodes.filter { $0.mode & 0o006 != 0 }
        if !open.isEmpty {
            problems.append("any user can \(open.contains { $0.mode & 0o002 != 0 } ? "write" : "read") \(open.map { "\($0.path) (\(octal($0.mode)))" }.joined(separator: ", "))")
        }
        for p in s.planNodes ?? [] {
            guard let n = p.node else { problems.append("VM \(p.vm): no device at /dev/dax/by-vm/\(p.vm)"); continue }
            var diff: [String] = []
            if let u = p.uid, u != n.uid { diff.append("owner \(n.uid), planned \(u)") }
            if let g = p.gid, g != n.gid { diff.append("group \(n.gid), planned \(g)") }
            if let m = p.mode, m != n.mode { diff.append("mode \(octal(n.mode)), planned \(octal(m))") }
            if !diff.isEmpty { problems.append("VM \(p.vm) \(n.path): \(diff.joined(separator: ", "))") }
        }
        if let e = s.planError { problems.append("plan unreadable: \(e)") }
        if let r = s.planRights { problems.append("plan refused as root: \(r)") }
        let rules = s.udevRules.isEmpty ? "no udev rule for dax/pmem" : "udev rules: \(s.udevRules.joined(separator: ", "))"
        let plan = s.planNodes.map { "plan \(s.planFile): \($0.count) VM(s)" } ?? "no \(s.planFile)"
        if problems.isEmpty {
            return [DoctorFinding(id, .ok, "\(s.deviceNodes.count) node(s) as expected; \(plan); \(rules)")]
        }
        return [DoctorFinding(id, .warn, problems.joined(separator: "; ") + "; \(plan); \(rules)",
                              why: "a VMM that runs as its own user cannot open a root-only node, a node others can read exposes guest memory, and udev recreates nodes as root 0600 whenever a device is enabled",
                              fix: "daxkit provision apply \(s.planFile) (or systemctl enable daxkit-provision.service) restores planned owners and modes; chmod o-rw the open nodes")]
    }

    /// `0660`.
    static func octal(_ mode: UInt16) -> String {
        let s = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - s.count)) + s
    }
}
