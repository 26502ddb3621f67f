import DaxCore
import SystemPackage
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// The provisioning state journal: what dax-source VMs own, kept across reboots.
///
/// Dynamic dax devices have no name and vanish at reboot (only each region's first
/// device comes back, and for soft-reserved memory it comes back spanning the whole
/// region). The journal records, per VM, the exact physical ranges of its device, so
/// that `provision apply` after a reboot creates the device on the same ranges (a VM's
/// memory does not move) and finds it again afterwards by those ranges; and the dax
/// regions the plan has taken over, whose boot-time whole-region device apply may
/// empty.
///
/// It lives in `$DAXKIT_STATE_DIR/provision.json` (default `/var/lib/daxkit`), JSON:
/// `{"version":1,"regions":[{"device":"hmem.0","start":N}],"vms":[{"name":…,
/// "region":"hmem.0","region_start":N,"size":N,"align":N,"ranges":[{"start":N,"end":N}],
/// "device":"dax0.1"}]}` (bytes and physical addresses as integers). Apply records a
/// VM's ranges before it asks the kernel for them (the intent), and replaces the file
/// atomically (``AtomicFile``), so a crash at any point leaves a journal from which a
/// re-run converges.
public struct ProvisionJournal: Sendable, Hashable, Codable {
    /// A dax region the plan has taken over (the first apply that placed a VM in it).
    public struct Region: Sendable, Hashable, Codable {
        /// Its resource name (`hmem.0`): the same after a reboot on the same firmware map.
        public var device: String
        /// Its first physical address: what identifies it across reboots.
        public var start: UInt64

        /// A region record.
        public init(device: String, start: UInt64) { self.device = device; self.start = start }
    }

    /// One dax-source VM's device.
    public struct Entry: Sendable, Hashable, Codable {
        /// The VM's name (the plan's key).
        public var name: String
        /// Its region's resource name (`hmem.0`).
        public var region: String
        /// Its region's first physical address.
        public var regionStart: UInt64
        /// The device's size in bytes (the sum of its ranges).
        public var size: UInt64
        /// The device's alignment in bytes.
        public var align: UInt64
        /// Its physical ranges in device order (page offset order), inclusive ends.
        public var ranges: [DaxRegionSnapshot.Range]
        /// The device name it had when last seen (`daxX.Y`; not stable across reboots).
        public var device: String?
        /// While a recreate is under way: the old device's ranges. A device holding
        /// exactly these is the VM's old one, which a re-run destroys (the recreate was
        /// consented to); cleared once the new device exists.
        public var replacing: [DaxRegionSnapshot.Range]?

        enum CodingKeys: String, CodingKey {
            case name, region, regionStart = "region_start", size, align, ranges, device, replacing
        }

        /// A journal entry.
        public init(name: String, region: String, regionStart: UInt64, size: UInt64, align: UInt64,
                    ranges: [DaxRegionSnapshot.Range], device: String? = nil) {
            self.name = name
            self.region = region
            self.regionStart = regionStart
            self.size = size
            self.align = align
            self.ranges = ranges
            self.device = device
        }
    }

    /// The format's version (1).
    public var version = 1
    /// The regions taken over.
    public var regions: [Region] = []
    /// The VMs' devices, by name.
    public var vms: [Entry] = []

    /// An empty journal (a host where nothing was provisioned from dax regions).
    public init() {}

    /// The entry of a VM, if any.
    public func entry(_ name: String) -> Entry? { vms.first { $0.name == name } }

    /// Whether the plan has taken over the dax region starting at `start`.
    public func owns(regionStart start: UInt64) -> Bool { regions.contains { $0.start == start } }

    /// Records (or replaces) a VM's entry, and takes its region over.
    public mutating func record(_ e: Entry) {
        vms.removeAll { $0.name == e.name }
        vms.append(e)
        if !owns(regionStart: e.regionStart) { regions.append(Region(device: e.region, start: e.regionStart)) }
    }

    /// Drops a VM's entry, and the regions no entry is in any more (given back: apply no
    /// longer empties their boot-time device).
    public mutating func remove(_ name: String) {
        vms.removeAll { $0.name == name }
        regions.removeAll { r in !vms.contains { $0.regionStart == r.start } }
    }

    /// The directory of daxkit's state: `$DAXKIT_STATE_DIR`, else `/var/lib/daxkit`.
    public static var directory: String {
        if let d = getenv("DAXKIT_STATE_DIR").map({ String(cString: $0) }), !d.isEmpty { return d }
        return "/var/lib/daxkit"
    }

    /// The journal's path: `<directory>/provision.json`.
    public static var path: String { directory + "/provision.json" }

    /// Reads the journal; a missing file is an empty journal.
    ///
    /// - Throws: `DaxError` `.io` (unreadable), `.invalidArgument` (not this JSON, or a
    ///   version this daxkit does not know), naming the file.
    public static func load(from path: String = ProvisionJournal.path) throws -> ProvisionJournal {
        guard let text = HostFile.read(path) else {
            if access(path, F_OK) != 0 && errno == ENOENT { return ProvisionJournal() }
            throw DaxError(.io, object: Phrase(path), problem: "cannot read it",
                           fix: "check its permissions (provisioning runs as root)", underlyingError: Errno.current)
        }
        let journal: ProvisionJournal
        do {
            journal = try JSONDecoder().decode(ProvisionJournal.self, from: Data(text.utf8))
        } catch {
            throw DaxError(.invalidArgument, object: Phrase(path), problem: "not a provisioning journal (\(error))",
                           rule: "it records the physical ranges of dax-source VMs; without it their devices cannot be found after a reboot",
                           fix: "restore it from a backup; removing it forgets every dax-source VM (their devices stay)")
        }
        guard journal.version == 1 else {
            throw DaxError(.invalidArgument, object: Phrase(path), problem: Phrase("version \(journal.version)"),
                           fix: "use the daxkit that wrote it")
        }
        return journal
    }

    /// Writes the journal atomically (creating its directory, mode 0755), fsynced.
    ///
    /// - Throws: `DaxError` `.io` naming the step that failed, with the errno.
    public func save(to path: String = ProvisionJournal.path) throws {
        let dir = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        if case .failure(let e) = Syscall.makeDirectories(dir) {
            throw DaxError(.io, object: Phrase(dir), problem: "cannot create it", underlyingError: e)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(self)
        try AtomicFile.write(String(decoding: data, as: UTF8.self) + "\n", to: path)
    }
}
