import DaxCore

/// What `daxkit doctor` judges, as plain values: the kernel command line, the firmware
/// memory map, `/proc/iomem`, modules, regions, dax regions, hotplug policy, device nodes
/// and versions. ``read()`` takes it from the running host; tests build one by hand.
/// Sizes and addresses are in bytes.
public struct DoctorSnapshot: Sendable, Hashable {
    /// Whether the reader ran as root (`geteuid() == 0`): `/proc/iomem` shows real
    /// addresses and label areas can be read only then.
    public var isRoot = true
    /// `uname -r`.
    public var kernelRelease = "6.1.0-57-amd64"
    /// `/proc/cmdline`.
    public var commandLine = ""
    /// Each module of ``ModulesCheck/modules`` and its state (libkmod); absent: missing.
    public var modules: [String: KernelModules.State] = [:]
    /// `/sys/firmware/memmap/N/{start,end,type}` (the firmware's e820 table, before any
    /// `memmap=`): nil when the kernel has no `CONFIG_FIRMWARE_MEMMAP`.
    public var firmwareMemmap: [FirmwareEntry]?
    /// The lines of `/proc/iomem`; addresses are zero when not read as root.
    public var iomem: [IomemEntry] = []
    /// Whether an ACPI NFIT table exists (`/sys/firmware/acpi/tables/NFIT`): NVDIMMs.
    public var hasNFIT = false
    /// Whether a CXL bus exists (`/sys/bus/cxl/devices` has entries).
    public var hasCXL = false
    /// The libnvdimm regions (libndctl).
    public var regions: [Region] = []
    /// The device-DAX regions (libdaxctl).
    public var daxRegions: [DaxRegion] = []
    /// `/sys/kernel/mm/transparent_hugepage/enabled`, nil without THP support.
    public var transparentHugepage: String?
    /// Whether the CPU has 1 GiB pages (`pdpe1gb` in `/proc/cpuinfo`).
    public var cpuHas1GPages = true
    /// `/sys/devices/system/memory/block_size_bytes`, nil without memory hotplug.
    public var memoryBlockSize: UInt64?
    /// `/sys/devices/system/memory/auto_online_blocks`.
    public var autoOnlineBlocks: String?
    /// `/sys/module/memory_hotplug/parameters/memmap_on_memory` (Y/N), nil when absent.
    public var memmapOnMemory: String?
    /// Whether `/proc/zoneinfo` has a populated Movable zone.
    public var hasMovableZone = false
    /// `/dev/daxX.Y` and `/dev/pmemN*` nodes.
    public var deviceNodes: [DeviceNode] = []
    /// The enabled dax devices and pmem block devices the kernel has (sysfs names).
    public var expectedNodes: [String] = []
    /// The provisioning plan the boot unit applies (`/etc/daxkit/vms.yaml`), its VMs'
    /// planned node ownership; nil when there is no plan.
    public var planNodes: [PlannedNode]?
    /// Why the plan could not be read, when it exists and cannot.
    public var planError: String?
    /// Who else than root could change the plan file (``PlanFileRights``), as apply and
    /// destroy run as root refuse it; nil when only root can.
    public var planRights: String?
    /// The provisioning plan file judged against (``planPath`` unless one was named).
    public var planFile = DoctorSnapshot.planPath
    /// udev rule files that mention dax or pmem devices (path).
    public var udevRules: [String] = []
    /// The installed libndctl and libdaxctl package versions (dpkg), when known.
    public var libndctlVersion: String?
    /// The installed libdaxctl package version (dpkg), when known.
    public var libdaxctlVersion: String?

    /// An empty snapshot (root, kernel 6.1): tests fill in what they judge.
    public init() {}

    /// One entry of `/sys/firmware/memmap`.
    public struct FirmwareEntry: Sendable, Hashable {
        /// The range (the file's `end` is inclusive; this is one past it).
        public var range: PhysicalRange
        /// `type`: `System RAM`, `Reserved`, `Persistent Memory`, `Soft Reserved`, …
        public var type: String
        /// An entry.
        public init(_ range: PhysicalRange, _ type: String) { self.range = range; self.type = type }
    }

    /// One line of `/proc/iomem`.
    public struct IomemEntry: Sendable, Hashable {
        /// The range (zero for non-root readers).
        public var range: PhysicalRange
        /// The resource's name (`System RAM`, `Persistent Memory (legacy)`, `Soft Reserved`).
        public var name: String
        /// Nesting depth (0: top level).
        public var depth: Int
        /// An entry.
        public init(_ range: PhysicalRange, _ name: String, depth: Int = 0) {
            self.range = range; self.name = name; self.depth = depth
        }
    }

    /// A libnvdimm region.
    public struct Region: Sendable, Hashable {
        /// `regionN`.
        public var name: String
        /// Label-less (namespace type io: one namespace spanning the region).
        public var isLabelless = false
        /// `read_only` is 1.
        public var isReadOnly = false
        /// Enabled (bound to its driver).
        public var isEnabled = true
        /// Whether it comes from `memmap=` (`nd_e820`'s bus).
        public var isLegacy = false
        /// Its dax seed's `supported_alignments` (bytes), nil when it has no seed.
        public var supportedAlignments: [UInt64]?
        /// Its DIMMs: name and whether their label area holds a valid index (nil:
        /// unreadable or not read, as for non-root).
        public var dimms: [DIMMLabels] = []
        /// A region.
        public init(name: String) { self.name = name }
    }

    /// A DIMM's label area state.
    public struct DIMMLabels: Sendable, Hashable {
        /// `nmemN`.
        public var name: String
        /// Whether it has a label area at all (label size > 0).
        public var hasLabelArea: Bool
        /// Whether the index is valid; nil when not read.
        public var labelsValid: Bool?
        /// A DIMM.
        public init(name: String, hasLabelArea: Bool, labelsValid: Bool?) {
            self.name = name; self.hasLabelArea = hasLabelArea; self.labelsValid = labelsValid
        }
    }

    /// A device-DAX region.
    public struct DaxRegion: Sendable, Hashable {
        /// `daxN` region id's device (`hmem.0`, `region1`, …: the parent device's name).
        public var name: String
        /// Whether it is dynamic (dax_hmem, CXL: devices can be created).
        public var isDynamic: Bool
        /// Its size in bytes.
        public var size: UInt64
        /// Devices with a non-zero size.
        public var sizedDevices: Int
        /// A dax region.
        public init(name: String, isDynamic: Bool, size: UInt64, sizedDevices: Int) {
            self.name = name; self.isDynamic = isDynamic; self.size = size; self.sizedDevices = sizedDevices
        }
    }

    /// A device node: path, owner, group and permission bits.
    public struct DeviceNode: Sendable, Hashable {
        /// `/dev/dax0.0`.
        public var path: String
        /// Owner uid.
        public var uid: UInt32
        /// Group gid.
        public var gid: UInt32
        /// Permission bits (`0o600`).
        public var mode: UInt16
        /// A node.
        public init(path: String, uid: UInt32 = 0, gid: UInt32 = 0, mode: UInt16 = 0o600) {
            self.path = path; self.uid = uid; self.gid = gid; self.mode = mode
        }
    }

    /// A VM's device node as the plan wants it, and as it is.
    public struct PlannedNode: Sendable, Hashable {
        /// The VM's name.
        public var vm: String
        /// The node its stable path (`/dev/dax/by-vm/NAME`) leads to; nil when absent.
        public var node: DeviceNode?
        /// Planned owner (uid, nil: not planned or unknown user).
        public var uid: UInt32?
        /// Planned group (gid).
        public var gid: UInt32?
        /// Planned mode.
        public var mode: UInt16?
        /// A planned node.
        public init(vm: String, node: DeviceNode?, uid: UInt32? = nil, gid: UInt32? = nil, mode: UInt16? = nil) {
            self.vm = vm; self.node = node; self.uid = uid; self.gid = gid; self.mode = mode
        }
    }
}
