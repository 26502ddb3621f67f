import DaxCore
import NDCtl

extension VMPlan {
    /// One VM's plan as `provision plan --format json` prints it: `name`, `action` (null
    /// when it does not fit),
    /// `source`, `region`, `namespace` and `device` when they exist, sizes in bytes
    /// (`requested_size`, `usable_size`, `raw_size`, `metadata_bytes`,
    /// `host_ram_bytes`), `align` in bytes, `map`, `fits`, and `problem`/`reason` in
    /// words when there are.
    ///
    /// - Parameter vocabulary: how a problem names parameters.
    public func json(_ vocabulary: some Vocabulary = LibraryVocabulary()) -> JSON {
        var o = Provisioning.jsonHead(name: name, action: fits ? action : nil, source: source, region: region, namespace: namespace)
        if let device { o.add("device", .string("/dev/" + device)) }
        o.add("requested_size", .uint(requestedSize))
        o.add("usable_size", .uint(usableSize))
        o.add("raw_size", .uint(rawSize))
        o.add("align", .uint(align))
        if source == .namespace { o.add("map", .string(map.rawValue)) }
        o.add("metadata_bytes", .uint(metadataBytes))
        o.add("host_ram_bytes", .uint(hostRAMBytes))
        o.add("fits", .bool(fits))
        if let reason { o.add("reason", .string(reason)) }
        if let problem { o.add("problem", .string(problem.rendered(by: vocabulary))) }
        return o.json
    }
}

extension ProvisionReport {
    /// The report as `provision plan --format json` prints it: a JSON array with one
    /// object per VM (``VMPlan/json(_:)``), in the plan's order.
    public func json(_ vocabulary: some Vocabulary = LibraryVocabulary()) -> JSON {
        .array(vms.map { $0.json(vocabulary) })
    }

    /// The report in words, for a terminal: a table of the VMs (sizes in binary units),
    /// the totals, and each VM's problem on a line of its own.
    public func describe(_ vocabulary: some Vocabulary = LibraryVocabulary()) -> [String] {
        func f(_ v: UInt64) -> String { ByteCount.format(Int(v)) }
        let header = ["VM", "ACTION", "SOURCE", "REGION", "DEVICE", "USABLE", "RAW", "ALIGN", "MAP", "PMEM META", "HOST RAM"]
        var rows = [header]
        for v in vms {
            let sized = v.rawSize > 0
            rows.append([v.name, v.fits ? v.action.rawValue : "no fit", v.source.rawValue, v.region ?? "-",
                         v.device ?? "-", sized ? f(v.usableSize) : "-", sized ? f(v.rawSize) : "-",
                         ByteCount.compact(v.align), v.source == .namespace ? v.map.rawValue : "-",
                         sized ? f(v.metadataBytes) : "-", sized ? f(v.hostRAMBytes) : "-"])
        }
        let widths = header.indices.map { c in rows.map { $0[c].count }.max() ?? 0 }
        var lines = rows.map { row in
            row.indices.map { c in c == row.count - 1 ? row[c] : row[c] + String(repeating: " ", count: widths[c] - row[c].count) }
                .joined(separator: "  ")
        }
        let failing = vms.filter { !$0.fits }
        let counts = Dictionary(grouping: vms.filter(\.fits), by: \.action).mapValues(\.count)
        let actions = [VMPlan.Action.create, .keep, .recreate].compactMap { a in counts[a].map { "\($0) \(a.rawValue)" } }
        lines.append("")
        lines.append("\(vms.count) VM\(vms.count == 1 ? "" : "s")" + (actions.isEmpty ? "" : ": " + actions.joined(separator: ", "))
                     + (failing.isEmpty ? "; everything fits" : "; \(failing.count) do\(failing.count == 1 ? "es" : "") not fit"))
        lines.append("total of the VMs that fit: \(f(usableSize)) usable, \(f(rawSize)) taken from regions, \(f(metadataBytes)) of struct pages in pmem, \(f(hostRAMBytes)) of host RAM for struct pages")
        for v in vms {
            if let reason = v.reason {
                lines.append("\(v.name): " + (v.action == .recreate && v.fits ? "recreate (contents lost): " : "") + reason)
            }
            if let p = v.problem { lines.append(p.rendered(by: vocabulary)) }
        }
        return lines
    }
}

extension VMState {
    /// One VM's device as `provision status --format json` and `provision apply` print
    /// it: `name`, `action` (what apply did, or would do), `source`, `region`,
    /// `namespace`, `device` (`/dev/daxX.Y`) and `path` (the stable path, `/dev/dax/by-vm/NAME`,
    /// when it points at the device), `usable_size` and `align` in
    /// bytes, `host_ram_bytes`, `owner`/`group` (ids) and `mode` (octal text) of the node,
    /// `in_use` with the `holders` (pid, command), and `drift` in words when it differs
    /// from the plan.
    ///
    /// - Parameter vocabulary: how a problem names parameters and operations.
    public func json(_ vocabulary: some Vocabulary = LibraryVocabulary()) -> JSON {
        var o = Provisioning.jsonHead(name: name, action: action, source: source, region: region, namespace: namespace)
        // Always present (null without a device), so that jq pipelines need no guards.
        o.add("device", devicePath.map { .string($0) } ?? .null)
        o.add("path", path.map { .string($0) } ?? .null)
        o.add("usable_size", .uint(usableSize))
        o.add("align", .uint(align))
        o.add("host_ram_bytes", .uint(hostRAMBytes))
        if let owner { o.add("owner", .uint(UInt64(owner))) }
        if let group { o.add("group", .uint(UInt64(group))) }
        if let mode { o.add("mode", .string("0" + String(mode, radix: 8))) }
        o.add("in_use", .bool(inUse))
        if !holders.isEmpty {
            o.add("holders", .array(holders.map { h in
                var j = JSONObject()
                j.add("holder", .string(h.description))
                if let pid = h.pid { j.add("pid", .uint(UInt64(pid))) }
                if let c = h.command { j.add("command", .string(c)) }
                return j.json
            }))
        }
        if let d = drift { o.add("drift", .string(d)) }
        if let p = problem?.rendered(by: vocabulary) { o.add("problem", .string(p)) }
        return o.json
    }

    /// QEMU's options for this VM's guest RAM on its device: `-m`, a
    /// `memory-backend-file` over the device (`share=on`, its alignment) and the NUMA
    /// node that uses it; nil when the VM has no device.
    public var qemuArguments: [String]? {
        guard let path, usableSize > 0 else { return nil }
        let id = "mem-\(name)"
        return ["-m", "\(usableSize / (1 << 20))M",
                "-object", "memory-backend-file,id=\(id),mem-path=\(path),size=\(usableSize),align=\(align),share=on",
                "-numa", "node,memdev=\(id)"]
    }
}

extension VMState {
    /// Base guest RAM of the libvirt domain skeleton, in KiB: a placeholder that the
    /// VM's own domain replaces (the device is an NVDIMM on top of it).
    public static let libvirtBaseMemoryKiB: UInt64 = 1 << 20

    /// A libvirt (9.0 and later) domain that gives this VM its device as an NVDIMM
    /// (`<memory model='nvdimm' access='shared'>` with the device as its source path,
    /// its alignment as `alignsize`, `<pmem/>`), with the `<memoryBacking>`,
    /// `<maxMemory>` and NUMA cell it needs; what to merge into the VM's own domain is
    /// said in a comment. nil when the VM has no device.
    public var libvirtXML: String? {
        guard let path, usableSize > 0 else { return nil }
        let kib = usableSize / 1024, base = Self.libvirtBaseMemoryKiB
        return """
        <!-- daxkit provision: VM \(name) on \(path) (\(ByteCount.format(Int(usableSize))), \(ByteCount.compact(align)) pages).
             Merge memoryBacking, maxMemory and the nvdimm <memory> device into the VM's domain;
             the \(base / 1024) MiB of base memory and the one vCPU here are placeholders. -->
        <domain type='kvm'>
          <name>\(name)</name>
          <maxMemory slots='1' unit='KiB'>\(base + kib)</maxMemory>
          <memory unit='KiB'>\(base + kib)</memory>
          <memoryBacking>
            <access mode='shared'/>
          </memoryBacking>
          <vcpu>1</vcpu>
          <os>
            <type arch='x86_64' machine='pc'>hvm</type>
          </os>
          <cpu>
            <numa>
              <cell id='0' cpus='0' memory='\(base)' unit='KiB'/>
            </numa>
          </cpu>
          <devices>
            <memory model='nvdimm' access='shared'>
              <source>
                <path>\(path)</path>
                <alignsize unit='KiB'>\(align / 1024)</alignsize>
                <pmem/>
              </source>
              <target>
                <size unit='KiB'>\(kib)</size>
                <node>0</node>
              </target>
            </memory>
          </devices>
        </domain>
        """
    }

    /// cloud-hypervisor's options for this VM's guest RAM on its device: a memory zone
    /// backed by the device file, shared (`--memory size=0` leaves all RAM to zones).
    /// nil when the VM has no device.
    public var cloudHypervisorArguments: [String]? {
        guard let path, usableSize > 0 else { return nil }
        return ["--memory", "size=0", "--memory-zone", "id=\(name),size=\(usableSize),file=\(path),shared=on"]
    }
}

extension Array where Element == VMState {
    /// The states in words: a table (sizes in binary units), then each drift.
    ///
    /// - Parameter vocabulary: how a problem names parameters and operations.
    public func describe(_ vocabulary: some Vocabulary = LibraryVocabulary()) -> [String] {
        func f(_ v: UInt64) -> String { ByteCount.format(Int(v)) }
        let header = ["VM", "ACTION", "PATH", "USABLE", "ALIGN", "HOST RAM", "OWNER", "MODE", "IN USE"]
        var rows = [header]
        for s in self {
            rows.append([s.name, s.action.rawValue, s.path ?? "-", s.usableSize > 0 ? f(s.usableSize) : "-",
                         ByteCount.compact(s.align), s.device == nil ? "-" : f(s.hostRAMBytes),
                         s.owner.map { "\($0):\(s.group.map(String.init) ?? "-")" } ?? "-",
                         s.mode.map { "0" + String($0, radix: 8) } ?? "-",
                         s.holders.first.map { h in h.pid.map { "pid \($0)\(h.command.map { " (\($0))" } ?? "")" } ?? "yes" } ?? "no"])
        }
        let widths = header.indices.map { c in rows.map { $0[c].count }.max() ?? 0 }
        var lines = rows.map { row in
            row.indices.map { c in c == row.count - 1 ? row[c] : row[c] + String(repeating: " ", count: widths[c] - row[c].count) }
                .joined(separator: "  ")
        }
        for s in self {
            if let p = s.problem { lines.append(p.rendered(by: vocabulary)) } else if let d = s.drift { lines.append("\(s.name): \(d)") }
        }
        return lines
    }
}

extension Provisioning {
    /// The keys a VM's plan and its state both start with.
    static func jsonHead(name: String, action: VMPlan.Action?, source: ProvisionPlan.Source, region: String?,
                         namespace: String?) -> JSONObject {
        var o = JSONObject()
        o.add("name", .string(name))
        o.add("action", action.map { .string($0.rawValue) } ?? .null)
        o.add("source", .string(source.rawValue))
        if let region { o.add("region", .string(region)) }
        if let namespace { o.add("namespace", .string(namespace)) }
        return o
    }
}
