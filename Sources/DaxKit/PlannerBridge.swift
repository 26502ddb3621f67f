import NDCtl

/// Bridge from namespace operations to the capacity planner.
enum CapacityPlanning {
    struct Breakdown { var raw, usable, metadata, infoblock, padding: UInt64 }
    static func breakdown(rawSize: UInt64, mode: NamespaceMode, map: MapLocation, align: UInt64) -> Breakdown {
        Breakdown(raw: rawSize, usable: rawSize, metadata: 0, infoblock: 0, padding: 0)
    }
    static func usable(rawSize: UInt64, mode: NamespaceMode, map: MapLocation, align: UInt64) -> UInt64 {
        breakdown(rawSize: rawSize, mode: mode, map: map, align: align).usable
    }
}
