import DaxCore
import NDCtl

extension NamespacePlan {
    /// The plan as `create-namespace --dry-run` prints it: what would be created, with
    /// the capacity breakdown in bytes (`raw_size`, `usable_size`, `metadata_bytes`,
    /// `infoblock_bytes`, `padding_bytes`, `data_offset`) and whether it can be.
    ///
    /// `host_ram_bytes` is the host RAM its struct pages take once enabled
    /// (``hostRAMBytes(compoundVmemmap:)``).
    ///
    /// - Parameters:
    ///   - vocabulary: how a refusal names parameters.
    ///   - compoundVmemmap: whether the kernel shares 2M/1G device-dax struct pages.
    public func json(_ vocabulary: some Vocabulary = LibraryVocabulary(), compoundVmemmap: Bool = true) -> JSON {
        let c = capacity
        var o = JSONObject()
        o.add("region", .string(region))
        if let namespace { o.add("dev", .string(namespace)) }
        o.add("mode", .string(mode.rawValue))
        if mode == .fsdax || mode == .devdax { o.add("map", .string(map.rawValue)) }
        o.add("align", .uint(align))
        // A sector size applies to block devices (raw, fsdax, sector), not to devdax.
        if mode != .devdax, let s = sectorSize, s != UInt32.max { o.add("sector_size", .uint(UInt64(s))) }
        if !name.isEmpty { o.add("name", .string(name)) }
        // A plan for no region (a host without pmem) has no start to tell.
        if region != RegionSnapshot.hypotheticalName { o.add("start", .uint(start)) }
        o.add("raw_size", .uint(c.rawSize))
        o.add("usable_size", .uint(c.usableSize))
        o.add("metadata_bytes", .uint(c.metadataBytes))
        o.add("host_ram_bytes", .uint(hostRAMBytes(compoundVmemmap: compoundVmemmap)))
        o.add("infoblock_bytes", .uint(c.infoblockBytes))
        o.add("padding_bytes", .uint(c.paddingBytes))
        o.add("data_offset", .uint(c.dataOffset))
        o.add("creatable", .bool(c.creatable))
        if let r = c.refusal { o.add("refusal", .string(r.message.rendered(by: vocabulary))) }
        return o.json
    }
}

extension Namespaces {
    /// A namespace as `ndctl create-namespace` prints the one it made: with its dax
    /// region and devices, in human units when `human` (ndctl does on a terminal).
    public static func json(_ ns: Namespace, human: Bool) -> JSON? {
        Render.namespace(ns, human ? [.dax, .daxDevices, .human] : [.dax, .daxDevices])
    }
}

extension NamespacePlan {
    /// The plan in words, a line each, for people (`create-namespace --dry-run` on a
    /// terminal): what is asked and what it gives, where every byte of the raw size goes,
    /// and the host RAM struct page takes.
    ///
    /// - Parameters:
    ///   - requestedUsable: the usable bytes asked for, when the request gave them.
    ///   - vocabulary: how a refusal names parameters.
    ///   - compoundVmemmap: whether the kernel shares 2M/1G device-dax struct pages.
    public func describe(requestedUsable: UInt64? = nil, _ vocabulary: some Vocabulary = LibraryVocabulary(),
                         compoundVmemmap: Bool = true) -> [String] {
        let c = capacity
        func f(_ v: UInt64) -> String { ByteCount.format(Int(v)) }
        func pct(_ v: UInt64) -> String {
            guard c.rawSize > 0 else { return "0%" }
            let tenths = v * 1000 / c.rawSize
            return "\(tenths / 10).\(tenths % 10)%"
        }
        let isPFN = mode == .fsdax || mode == .devdax
        var head = "\(region): \(mode.rawValue) namespace"
        if isPFN { head += ", align \(ByteCount.compact(align)), struct page in \(map == .dev ? "pmem (map dev)" : map == .mem ? "host RAM (map mem)" : "nowhere (map none)")" }
        if mode == .sector, let s = sectorSize { head += ", \(s)-byte sectors (BTT \(btt.rawValue))" }
        if !name.isEmpty { head += ", named \"\(name)\"" }
        var lines = [head]
        if let want = requestedUsable {
            lines.append("\(f(want)) usable requested → \(f(c.usableSize)) usable, \(f(c.rawSize)) raw: the smallest size that gives it")
        } else {
            lines.append("\(f(c.rawSize)) raw → \(f(c.usableSize)) usable (\(pct(c.usableSize)))")
        }
        var costs: [String] = []
        if c.metadataBytes > 0 {
            costs.append("\(f(c.metadataBytes)) of \(mode == .sector ? "BTT metadata" : "struct pages stored in pmem") (\(pct(c.metadataBytes)))")
        }
        if c.infoblockBytes > 0 { costs.append("\(f(c.infoblockBytes)) of info block\(mode == .sector ? "s" : "")") }
        if c.paddingBytes > 0 {
            costs.append(isPFN ? "\(f(c.paddingBytes)) of padding to put the data on a \(ByteCount.compact(max(align, CapacityPlanner.memremapCompatAlign))) boundary"
                               : "\(f(c.paddingBytes)) lost to rounding")
        }
        if !costs.isEmpty { lines.append(costs.joined(separator: "; ")) }
        if isPFN && c.creatable {
            let ram = hostRAMBytes(compoundVmemmap: compoundVmemmap)
            let why = map == .dev ? "struct pages are in pmem; page tables only"
                : mode == .devdax && align > CapacityPlanner.pageSize && compoundVmemmap
                    ? "\(ByteCount.compact(align)) pages share their struct pages, Linux 5.17 and later"
                    : "64 bytes of struct page per 4 KiB page"
            lines.append("host RAM once enabled: \(f(ram)) (\(why))")
        }
        if region == RegionSnapshot.hypotheticalName {
            lines.append(c.refusal.map { "not creatable: \($0.message.rendered(by: vocabulary))" }
                ?? "no pmem region on this host: planned for a labelled region with the kernel's defaults (16 MiB region alignment, one interleave way); it needs \(f(c.rawSize)) free in one extent")
        } else {
            lines.append(c.refusal.map { "not creatable: \($0.message.rendered(by: vocabulary))" } ?? "creatable at \("0x" + String(start, radix: 16))")
        }
        return lines
    }
}
