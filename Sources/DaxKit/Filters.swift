import DaxCore
import NDCtl

/// C `strtoul(s, &end, 0)` that must consume the whole string (as ndctl's filters use it):
/// decimal, `0x` hex or leading-`0` octal; `nil` when not entirely a number.
func cStrtoulWhole(_ s: String) -> UInt64? {
    var t = Substring(s)
    while let f = t.first, f == " " || f == "\t" || f == "\n" { t = t.dropFirst() }
    if t.first == "+" { t = t.dropFirst() }
    guard !t.isEmpty else { return nil }
    if t.hasPrefix("0x") || t.hasPrefix("0X") {
        let h = t.dropFirst(2)
        return h.isEmpty ? nil : UInt64(h, radix: 16)  // "0x" alone stops at the x: not whole
    }
    if t.count > 1 && t.hasPrefix("0") { return UInt64(t.dropFirst(), radix: 8) }
    return UInt64(t, radix: 10)
}

/// C `sscanf(s, "%ld.%ld")` == 2: two leading integers separated by a dot (trailing text allowed).
func scanDotted(_ s: String) -> (Int, Int)? {
    func scanInt(_ t: inout Substring) -> Int? {
        while let f = t.first, f == " " || f == "\t" { t = t.dropFirst() }
        var digits = ""
        if let f = t.first, f == "-" || f == "+" { digits.append(f); t = t.dropFirst() }
        while let f = t.first, f.isASCII, f.isNumber { digits.append(f); t = t.dropFirst() }
        return Int(digits)
    }
    var t = Substring(s)
    guard let a = scanInt(&t), t.first == "." else { return nil }
    t = t.dropFirst()
    guard let b = scanInt(&t) else { return nil }
    return (a, b)
}

/// ndctl's object filters (ndctl/filter.c), reproduced quirk for quirk: an identifier is a
/// space-separated list; `all` matches everything; numbers are parsed from the whole string.
enum NDFilter {
    private static func tokens(_ ident: String) -> [String] {
        ident.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
    }

    /// ndctl calls `strtoul(ident)` after `strtok_r` has cut the string at the first
    /// separator, so the number is the first token's (leading spaces kept): "0 1" -> 0.
    private static func number(_ ident: String) -> UInt64? {
        let lead = ident.prefix { $0 == " " }
        let rest = ident.dropFirst(lead.count).prefix { $0 != " " }
        return cStrtoulWhole(String(lead + rest))
    }

    /// The shared body of `util_bus_filter`, `util_region_filter` and `util_dimm_filter`:
    /// true when `ident` is nil, or one of its tokens is `all`, or its first token is the
    /// number `id`, or (when that token is not a number) a token satisfies `isName`.
    private static func matches(_ ident: String?, id: @autoclosure () -> UInt32, isName: (String) -> Bool) -> Bool {
        guard let ident else { return true }
        let wanted = number(ident)
        for name in tokens(ident) {
            if name == "all" { return true }
            if let wanted, wanted == UInt64(id()) { return true }
            if wanted == nil && isName(name) { return true }
        }
        return false
    }

    /// `util_bus_filter`: `ident` names the bus by id, provider (`ACPI.NFIT`) or device
    /// name (`ndbusN`).
    static func bus(_ bus: Bus, _ ident: String?) -> Bool {
        matches(ident, id: bus.id) { bus.provider == $0 || bus.devName == $0 }
    }

    /// `util_region_filter`: `ident` names the region by id or device name (`regionN`).
    static func region(_ region: Region, _ ident: String?) -> Bool {
        matches(ident, id: region.id) { region.devName == $0 }
    }

    /// `util_dimm_filter`: `ident` names the DIMM by id or device name (`nmemN`).
    static func dimm(_ dimm: DIMM, _ ident: String?) -> Bool {
        matches(ident, id: dimm.id) { dimm.devName == $0 }
    }

    /// `util_namespace_filter`: `ident` names the namespace by device name
    /// (`namespaceX.Y`) or as `X.Y` (region id, namespace id).
    static func namespace(_ ns: Namespace, _ ident: String?) -> Bool {
        guard let ident else { return true }
        for name in tokens(ident) {
            if name == "all" { return true }
            if name == ns.devName { return true }
            if let (r, n) = scanDotted(name), r == Int(ns.region.id), n == Int(ns.id) { return true }
        }
        return false
    }

    /// Regions on buses matching `bus` that match `region` (both optional), in bus order.
    static func regions(_ context: NDContext, region: String?, bus: String?) -> [Region] {
        context.buses.filter { NDFilter.bus($0, bus) }.flatMap(\.regions).filter { NDFilter.region($0, region) }
    }

    /// The shape of every `util_*_filter_by_*` in filter.c: no identifier, or exactly
    /// `all`, passes without looking further; otherwise one of the `related` objects
    /// (read only then) must pass `filter` with `ident`.
    private static func anyRelated<T>(_ related: @autoclosure () -> [T], _ ident: String?,
                                      _ filter: (T, String?) -> Bool) -> Bool {
        guard let ident, ident != "all" else { return true }
        return related().contains { filter($0, ident) }
    }

    /// `util_bus_filter_by_dimm`: the bus has a DIMM that `ident` selects.
    static func busByDIMM(_ bus: Bus, _ ident: String?) -> Bool { anyRelated(bus.dimms, ident, dimm) }

    /// `util_bus_filter_by_region`: the bus has a region that `ident` selects.
    static func busByRegion(_ bus: Bus, _ ident: String?) -> Bool { anyRelated(bus.regions, ident, region) }

    /// `util_bus_filter_by_namespace`: a region of the bus has a namespace that `ident` selects.
    static func busByNamespace(_ bus: Bus, _ ident: String?) -> Bool { anyRelated(bus.regions, ident, regionByNamespace) }

    /// `util_region_filter_by_dimm`: the region spans a DIMM that `ident` selects.
    static func regionByDIMM(_ r: Region, _ ident: String?) -> Bool { anyRelated(r.dimms, ident, dimm) }

    /// `util_region_filter_by_namespace`: the region holds a namespace that `ident` selects.
    static func regionByNamespace(_ r: Region, _ ident: String?) -> Bool { anyRelated(r.namespaces, ident, namespace) }

    /// `util_dimm_filter_by_region`: a region that `ident` selects, on the DIMM's bus, spans the DIMM.
    static func dimmByRegion(_ d: DIMM, _ ident: String?) -> Bool {
        anyRelated(d.bus.regions, ident) { region($0, $1) && $0.dimms.contains(d) }
    }

    /// `util_dimm_filter_by_namespace`: a region on the DIMM's bus spans the DIMM and holds a
    /// namespace that `ident` selects.
    static func dimmByNamespace(_ d: DIMM, _ ident: String?) -> Bool {
        anyRelated(d.bus.regions, ident) { regionByNamespace($0, $1) && $0.dimms.contains(d) }
    }

    /// `util_dimm_filter_by_numa_node`: a region on NUMA node `node` spans the DIMM;
    /// true when `node` is nil.
    static func dimmByNUMA(_ d: DIMM, _ node: Int?) -> Bool {
        guard let node else { return true }
        return d.bus.regions.contains { r in r.dimms.contains(d) && r.numaNodeRaw == node }
    }
}

/// daxctl's filters (daxctl/filter.c).
enum DAXFilter {
    /// `util_daxctl_dev_filter`: `ident` names the device as `daxX.Y` or `X.Y`.
    static func device(_ dev: DAXDevice, _ ident: String?) -> Bool {
        guard let ident, ident != "all" else { return true }
        if ident == dev.devName { return true }
        if let (r, d) = scanDotted(ident), r == dev.region.id, d == dev.id { return true }
        return false
    }

    /// `util_daxctl_region_filter`: `ident` is the region id as `N` or `regionN`.
    static func region(_ region: DAXRegion, _ ident: String?) -> Bool {
        guard let ident, ident != "all" else { return true }
        // sscanf("%d") accepts a leading integer; "region%d" the named form.
        var t = Substring(ident)
        if t.hasPrefix("region") { t = t.dropFirst(6) }
        var digits = ""
        var u = t
        if let f = u.first, f == "-" || f == "+" { digits.append(f); u = u.dropFirst() }
        while let f = u.first, f.isASCII, f.isNumber { digits.append(f); u = u.dropFirst() }
        guard let id = Int(digits) else { return false }
        return id == region.id
    }
}
