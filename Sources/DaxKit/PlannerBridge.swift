import NDCtl

/// What a namespace of a given raw size will really give, computed as the kernel does
/// (Linux 6.1: drivers/nvdimm/pfn_devs.c nd_pfn_init() for fsdax/devdax, and
/// drivers/nvdimm/btt.c btt_init()/alloc_arena() for sector mode).
enum CapacityPlanning {
    struct Breakdown { var raw, usable, metadata, infoblock, padding: UInt64 }

    static let infoBlock: UInt64 = 8 << 10          // SZ_8K reserved for the pfn info block
    static let structPage: UInt64 = 64              // MAX_STRUCT_PAGE_SIZE
    static let page: UInt64 = 4096
    static let compatAlign: UInt64 = 2 << 20        // memremap_compat_align() = SUBSECTION_SIZE on x86_64

    static func alignUp(_ v: UInt64, _ a: UInt64) -> UInt64 { (v + a - 1) / a * a }
    static func alignDown(_ v: UInt64, _ a: UInt64) -> UInt64 { v / a * a }

    /// - Parameters:
    ///   - start: the namespace's physical start (only its offset within `align` matters;
    ///     the default assumes a start aligned to `align`).
    ///   - bttInitialOffset: 4096 with v1.1 labels or label-less namespaces, 0 with v1.2.
    static func breakdown(rawSize size: UInt64, mode: NamespaceMode, map: MapLocation, align: UInt64,
                          start: UInt64 = 0, sectorSize: UInt32 = 4096, bttInitialOffset: UInt64 = 4096) -> Breakdown {
        switch mode {
        case .fsdax, .devdax:
            guard size > infoBlock else { return Breakdown(raw: size, usable: 0, metadata: 0, infoblock: size, padding: 0) }
            let a = max(align, compatAlign)
            let endTrunc = (start + size) - alignDown(start + size, a)
            var metadata: UInt64 = 0
            let offset: UInt64
            switch map {
            case .dev:
                let npfns = (size - infoBlock) / page
                metadata = structPage * npfns
                offset = alignUp(start + infoBlock + metadata, a) - start
            case .mem:
                offset = alignUp(start + infoBlock, a) - start
            case .none:
                // No struct page: the unmerged RFC; mainline kernels refuse it.
                offset = alignUp(start + infoBlock, a) - start
            }
            guard offset < size - endTrunc else {
                // "unable to satisfy requested alignment": the kernel refuses to enable it.
                return Breakdown(raw: size, usable: 0, metadata: min(metadata, size), infoblock: min(infoBlock, size),
                                 padding: size - min(metadata, size) - min(infoBlock, size))
            }
            let usable = size - offset - endTrunc
            let padding = offset - infoBlock - metadata + endTrunc
            return Breakdown(raw: size, usable: usable, metadata: metadata, infoblock: infoBlock, padding: padding)
        case .sector:
            return btt(rawSize: size, sectorSize: sectorSize, initialOffset: bttInitialOffset)
        case .raw, .unknown:
            return Breakdown(raw: size, usable: size, metadata: 0, infoblock: 0, padding: 0)
        }
    }

    /// BTT layout: arenas of up to 512 GiB, each with two 4 KiB info blocks, a 16 KiB
    /// log (256 lanes x 64 bytes), a map of 4-byte entries and the data area.
    static func btt(rawSize: UInt64, sectorSize: UInt32, initialOffset: UInt64) -> Breakdown {
        let arenaMax: UInt64 = 512 << 30, arenaMin: UInt64 = 16 << 20
        let nfree: UInt64 = 256, logGroup: UInt64 = 64, mapEntry: UInt64 = 4, pg: UInt64 = 4096
        let internalLBA = alignUp(UInt64(sectorSize), 64)
        guard rawSize > initialOffset else { return Breakdown(raw: rawSize, usable: 0, metadata: 0, infoblock: rawSize, padding: 0) }
        var remaining = rawSize - initialOffset
        var nlba: UInt64 = 0, infoblocks: UInt64 = initialOffset, metadata: UInt64 = 0
        while remaining > 0 {
            let arena = min(arenaMax, remaining)
            remaining -= arena
            if arena < arenaMin { break }
            var available = arena - 2 * pg
            infoblocks += 2 * pg
            let logsize = alignUp(nfree * logGroup, pg)
            available -= logsize
            let internalNLBA = (available - pg) / (internalLBA + mapEntry)
            let externalNLBA = internalNLBA - nfree
            let mapsize = alignUp(externalNLBA * mapEntry, pg)
            metadata += logsize + mapsize
            nlba += externalNLBA
        }
        let usable = nlba * UInt64(sectorSize)
        let padding = rawSize - usable - metadata - infoblocks
        return Breakdown(raw: rawSize, usable: usable, metadata: metadata, infoblock: infoblocks, padding: padding)
    }

    static func usable(rawSize: UInt64, mode: NamespaceMode, map: MapLocation, align: UInt64) -> UInt64 {
        breakdown(rawSize: rawSize, mode: mode, map: map, align: align).usable
    }
}
