import DaxCore
import NDCtl

extension NamespacePlan {
    /// The plan as `create-namespace --dry-run` prints it: what would be created, with
    /// the capacity breakdown in bytes (`raw_size`, `usable_size`, `metadata_bytes`,
    /// `infoblock_bytes`, `padding_bytes`, `data_offset`) and whether it can be.
    ///
    /// - Parameter vocabulary: how a refusal names parameters.
    public func json(_ vocabulary: some Vocabulary = LibraryVocabulary()) -> JSON {
        let c = capacity
        var o = JSONObject()
        o.add("region", .string(region))
        if let namespace { o.add("dev", .string(namespace)) }
        o.add("mode", .string(mode.rawValue))
        if mode == .fsdax || mode == .devdax { o.add("map", .string(map.rawValue)) }
        o.add("align", .uint(align))
        if let s = sectorSize, s != UInt32.max { o.add("sector_size", .uint(UInt64(s))) }
        if !name.isEmpty { o.add("name", .string(name)) }
        o.add("start", .uint(start))
        o.add("raw_size", .uint(c.rawSize))
        o.add("usable_size", .uint(c.usableSize))
        o.add("metadata_bytes", .uint(c.metadataBytes))
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
