/// `module.NAME`: the kernel modules behind pmem and device-DAX (libkmod, see
/// ``KernelModules``): built in, loaded, available or missing, and which daxkit features
/// need each. A module missing that this host needs now (NVDIMMs without nfit, a
/// `memmap=nn!ss` range without nd_e820, pmem regions without nd_pmem, dax_pmem or
/// device_dax) fails; one loadable but not loaded where it is needed now (soft-reserved
/// memory without dax_hmem) warns; any other missing one warns with the feature it
/// takes away, except a hardware driver (nfit, cxl_*) on a host without that hardware.
public enum ModulesCheck {
    /// A module daxkit cares about, what needs it, and when this host needs it now.
    struct Module: Sendable {
        var name: String
        var neededFor: String
        var neededNow: @Sendable (DoctorSnapshot) -> Bool
        /// A driver for hardware (ACPI NFIT, CXL): missing where the hardware is absent
        /// takes nothing away here.
        var forHardware = false
    }

    /// The modules judged, in report order; `cxl` stands for cxl_acpi, cxl_pci, cxl_mem.
    static let modules: [Module] = [
        Module(name: KernelModules.nfit, neededFor: "NVDIMM regions (ACPI NFIT)", neededNow: { $0.hasNFIT }, forHardware: true),
        Module(name: KernelModules.ndE820, neededFor: "memmap=nn!ss legacy pmem",
               neededNow: { s in MemmapRange.parse(commandLine: s.commandLine).ranges.contains { $0.kind == .pmem } }),
        Module(name: KernelModules.ndPMEM, neededFor: "raw and fsdax namespaces (/dev/pmemN)", neededNow: { !$0.regions.isEmpty }),
        Module(name: KernelModules.ndBTT, neededFor: "sector-mode namespaces", neededNow: { _ in false }),
        Module(name: KernelModules.daxPMEM, neededFor: "devdax namespaces", neededNow: { !$0.regions.isEmpty }),
        Module(name: KernelModules.deviceDAX, neededFor: "every /dev/daxX.Y (devdax mode, touch, provision)",
               neededNow: { !$0.regions.isEmpty || !$0.daxRegions.isEmpty }),
        Module(name: KernelModules.kmem, neededFor: "dax reconfigure-device -m system-ram", neededNow: { _ in false }),
        Module(name: KernelModules.daxHMEM, neededFor: "soft-reserved memory as dynamic dax regions (dax create-device)",
               neededNow: { s in s.iomem.contains { $0.name == "Soft Reserved" } }),
        Module(name: "cxl_acpi", neededFor: "CXL memory regions", neededNow: { $0.hasCXL }, forHardware: true),
        Module(name: "cxl_pci", neededFor: "CXL memory devices", neededNow: { $0.hasCXL }, forHardware: true),
        Module(name: "cxl_mem", neededFor: "CXL memory devices", neededNow: { $0.hasCXL }, forHardware: true),
    ]

    /// One finding per module, `module.NAME`.
    public static func evaluate(_ s: DoctorSnapshot) -> [DoctorFinding] {
        let release = s.kernelRelease
        return modules.map { m in
            let id = "module.\(m.name)"
            let state = s.modules[m.name] ?? .missing
            let now = m.neededNow(s)
            switch state {
            case .builtin, .loaded:
                return DoctorFinding(id, .ok, "\(state.rawValue); for \(m.neededFor)")
            case .available where now:
                return DoctorFinding(id, .warn, "available but not loaded, and this host needs it for \(m.neededFor)",
                                     why: "until it is loaded the kernel does not create the devices that need it",
                                     fix: "modprobe \(m.name) (and add it to /etc/modules-load.d/ to load it at boot)")
            case .available:
                return DoctorFinding(id, .ok, "available (loads on demand or with modprobe \(m.name)); for \(m.neededFor)")
            case .missing where m.forHardware && !now:
                return DoctorFinding(id, .ok, "missing, and not needed here: this host has no \(m.name == KernelModules.nfit ? "ACPI NFIT (NVDIMMs)" : "CXL devices"); for \(m.neededFor)")
            case .missing:
                let config = KernelModules.configOption[m.name].map { " (\($0))" } ?? ""
                return DoctorFinding(id, now ? .fail : .warn,
                                     "missing: not built into \(release), not loaded, not installed in /lib/modules/\(release)",
                                     why: "\(m.neededFor) cannot work without it" + (now ? ", and this host has them" : ""),
                                     fix: "install the running kernel's modules (on Debian: linux-image-\(release)) or boot a kernel built with it\(config)")
            }
        }
    }
}
