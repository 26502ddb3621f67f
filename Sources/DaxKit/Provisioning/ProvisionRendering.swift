import DaxCore
import NDCtl

extension VMPlan {
    /// One VM's plan as `provision plan --format json` prints it: `name`, `action`,
    /// `source`, `region`, `namespace` and `device` when they exist, sizes in bytes
    /// (`requested_size`, `usable_size`, `raw_size`, `metadata_bytes`,
    /// `host_ram_bytes`), `align` in bytes, `map`, `fits`, and `problem`/`reason` in
    /// words when there are.
    ///
    /// - Parameter vocabulary: how a problem names parameters.
    public func json(_ vocabulary: some Vocabulary = LibraryVocabulary()) -> JSON {
        var o = JSONObject()
        o.add("name", .string(name))
        o.add("action", .string(action.rawValue))
        o.add("source", .string(source.rawValue))
        if let region { o.add("region", .string(region)) }
        if let namespace { o.add("namespace", .string(namespace)) }
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
            rows.append([v.name, v.fits ? v.action.rawValue : "no fit", v.source.rawValue, v.region ?? "-",
                         v.device ?? "-", v.fits ? f(v.usableSize) : "-", v.fits ? f(v.rawSize) : "-",
                         ByteCount.compact(v.align), v.source == .namespace ? v.map.rawValue : "-",
                         v.fits ? f(v.metadataBytes) : "-", v.fits ? f(v.hostRAMBytes) : "-"])
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
        lines.append("total: \(f(usableSize)) usable, \(f(rawSize)) taken from regions, \(f(metadataBytes)) of struct pages in pmem, \(f(hostRAMBytes)) of host RAM for struct pages")
        for v in vms {
            if let reason = v.reason, v.fits { lines.append("\(v.name): recreate (contents lost): \(reason)") }
            if let p = v.problem { lines.append(p.rendered(by: vocabulary)) }
        }
        return lines
    }
}
