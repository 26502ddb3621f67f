import DaxKit
import Foundation
import NDCtl
import Testing

/// The region snapshots the host unit tests judge requests against
/// (Tests/DaxKitTests/Fixtures/TOPOLOGY.json) are what the lab's kernel reports: this
/// suite compares them with live snapshots of the same topology. With
/// DAXKIT_WRITE_FIXTURES=1 it writes them instead (on a freshly booted lab):
///   scripts/lab ARGS -e DAXKIT_TOPOLOGY=NAME -e DAXKIT_WRITE_FIXTURES=1 -- \
///     .build/debug/daxkitPackageTests.xctest --testing-library swift-testing --filter SnapshotLab
@Suite("region snapshot fixtures match the lab", .serialized)
struct SnapshotLab {
    static var fixture: URL {
        let topology = ProcessInfo.processInfo.environment["DAXKIT_TOPOLOGY"] ?? "default"
        return Lab.packageRoot.appendingPathComponent("Tests/DaxKitTests/Fixtures/\(topology).json")
    }

    /// What does not change while a topology's suites create and destroy namespaces.
    static func geometry(_ s: RegionSnapshot) -> [String] {
        [s.name, "\(s.isPMEM)", "\(s.size)", "\(s.align ?? 0)", "\(s.interleaveWays)", "\(s.resource ?? 0)",
         "\(s.isLabelless)", "\(s.pfnSeed?.supportedAlignments ?? [])", "\(s.daxSeed?.supportedAlignments ?? [])",
         "\(s.bttSectorSizes ?? [])", s.bttVersion.rawValue]
    }

    @Test("fixture geometry equals the live regions'")
    func fixturesMatch() throws {
        try Lab.require()
        let live = try NDContext().regions.map { RegionSnapshot($0, labelVersion: true) }
        try #require(!live.isEmpty, "no regions in the lab")
        if ProcessInfo.processInfo.environment["DAXKIT_WRITE_FIXTURES"] == "1" {
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            try enc.encode(live).write(to: Self.fixture)
            return
        }
        let data = try Data(contentsOf: Self.fixture)
        let saved = try JSONDecoder().decode([RegionSnapshot].self, from: data)
        #expect(saved.map(Self.geometry) == live.map(Self.geometry), "\(Self.fixture.lastPathComponent) is stale: re-capture it")
    }
}
