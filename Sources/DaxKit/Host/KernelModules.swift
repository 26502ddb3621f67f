// The kernel modules behind pmem and device-DAX, through libkmod: whether one is built in,
// loaded, loadable or absent, and loading it. Every kmod_* call of daxkit is in this file.
import CKmod
import DaxCore
import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// The kernel modules daxkit needs, and their state on the running kernel (libkmod, which
/// reads `/lib/modules/<release>` and `/sys/module`).
public enum KernelModules {
    /// Where a module stands on the running kernel.
    public enum State: String, Sendable {
        /// Compiled into the kernel: always there, nothing to load.
        case builtin
        /// Loaded (live, or still initialising).
        case loaded
        /// Not loaded, but its `.ko` is installed for the running kernel.
        case available
        /// Neither built in, loaded nor installed for the running kernel.
        case missing
    }

    // MARK: - The modules daxkit cares about

    /// The device-DAX character-device driver (`/dev/daxX.Y`, devdax mode); `CONFIG_DEV_DAX`.
    public static let deviceDAX = "device_dax"
    /// Onlines a device-DAX device as hot-plugged system RAM (system-ram mode);
    /// `CONFIG_DEV_DAX_KMEM`.
    public static let kmem = "kmem"
    /// Device-DAX over soft-reserved / HMAT memory (`efi_fake_mem`, `memmap=nn!ss` with
    /// `EFI_MEMORY_SP`); `CONFIG_DEV_DAX_HMEM`.
    public static let daxHMEM = "dax_hmem"
    /// Device-DAX over a pmem namespace (devdax namespaces); `CONFIG_DEV_DAX_PMEM`.
    public static let daxPMEM = "dax_pmem"
    /// The pmem block driver (`/dev/pmemX`, raw and fsdax namespaces); `CONFIG_BLK_DEV_PMEM`.
    public static let ndPMEM = "nd_pmem"
    /// The Block Translation Table (sector-mode namespaces, `/dev/pmemXs`); `CONFIG_ND_BTT`.
    public static let ndBTT = "nd_btt"
    /// The legacy e820 type-12 pmem bus (`memmap=nn!ss`); `CONFIG_X86_PMEM_LEGACY`.
    public static let ndE820 = "nd_e820"
    /// The ACPI NFIT bus (real NVDIMMs, and QEMU's `nvdimm` devices); `CONFIG_ACPI_NFIT`.
    public static let nfit = "nfit"

    /// The Kconfig option that builds each of the modules above.
    static let configOption: [String: String] = [
        deviceDAX: "CONFIG_DEV_DAX", kmem: "CONFIG_DEV_DAX_KMEM", daxHMEM: "CONFIG_DEV_DAX_HMEM",
        daxPMEM: "CONFIG_DEV_DAX_PMEM", ndPMEM: "CONFIG_BLK_DEV_PMEM", ndBTT: "CONFIG_ND_BTT",
        ndE820: "CONFIG_X86_PMEM_LEGACY", nfit: "CONFIG_ACPI_NFIT",
    ]

    // MARK: - State and loading

    /// Where the module `name` (or the module an alias of that name resolves to) stands on
    /// the running kernel.
    ///
    /// - Parameter name: a module name (`"device_dax"`; `-` and `_` are the same) or alias.
    /// - Returns: ``State/builtin`` or ``State/loaded`` from `/sys/module` and
    ///   `modules.builtin` (or, for the modules above, their registered driver);
    ///   ``State/available`` when a `.ko` for the running kernel is listed in its
    ///   `modules.dep`; ``State/missing`` otherwise (also when libkmod cannot start, and
    ///   for a module that is being unloaded and has no `.ko`).
    ///
    /// Wraps `kmod_module_new_from_lookup` (falling back to `kmod_module_new_from_name`),
    /// `kmod_module_get_initstate` and `kmod_module_get_path`.
    public static func state(_ name: String) -> State {
        (try? withModule(name) { _, state in state }) ?? .missing
    }

    /// Loads the module `name`, with the modules it depends on, unless it is built in or
    /// already loaded (then it does nothing).
    ///
    /// - Parameters:
    ///   - name: a module name (one of the constants above) or alias.
    ///   - purpose: what the caller needs it for, said in the error (`"system-ram mode"`).
    /// - Throws: `DaxError` `.notFound` naming the module, `purpose` and the Debian package
    ///   of the running kernel's modules when it is ``State/missing``; `.kernelRefused` with
    ///   the errno (and the kernel's log lines, where it logged any) when the insertion
    ///   fails (`EPERM` without `CAP_SYS_MODULE`); `.contextCreation` when libkmod cannot
    ///   start.
    ///
    /// Wraps `kmod_module_probe_insert_module` (no flags: blacklists do not apply to an
    /// explicit request, as with `modprobe NAME`).
    public static func load(_ name: String, neededFor purpose: String) throws {
        try withModule(name) { mod, state in
            switch state {
            case .builtin, .loaded: return
            case .missing: throw missingError(name, purpose)
            case .available: break
            }
            let log = KernelLog()
            let rc = kmod_module_probe_insert_module(mod, 0, nil, nil, nil, nil)
            guard rc < 0, rc != -EEXIST else { return }   // EEXIST: another loader won the race
            let e = Errno(negated: rc)
            let denied = e == .notPermitted || e == .permissionDenied
            throw DaxError(.kernelRefused, object: "module \(name)",
                           problem: "the kernel refused to load it, needed for \(purpose)",
                           rule: Phrase(log?.reason(for: [name]) ?? ""),
                           fix: denied ? "run as root (loading modules needs CAP_SYS_MODULE)" : "",
                           underlyingError: e)
        }
    }

    // MARK: - The C funnel

    /// Runs `body` on the module `name` (`nil` when libkmod has no object for the name:
    /// then the state is ``State/missing``) and its state, releasing everything afterwards.
    ///
    /// The libkmod context is created for this call (`kmod_new(NULL, NULL)`: the running
    /// kernel's `/lib/modules/<release>` and the default configuration) with its log
    /// silenced (a library does not write to stderr; `KMOD_LOG` still applies when set).
    ///
    /// - Throws: `DaxError` `.contextCreation` when `kmod_new` fails; whatever `body` throws.
    ///
    /// Wraps `kmod_new`, `kmod_module_new_from_lookup`, `kmod_module_new_from_name`,
    /// `kmod_module_get_initstate`, `kmod_module_get_path` and the matching
    /// `kmod_module_unref_list`, `kmod_module_unref` and `kmod_unref`.
    private static func withModule<T>(_ name: String, _ body: (OpaquePointer?, State) throws -> T) throws -> T {
        guard let ctx = kmod_new(nil, nil) else {
            throw DaxError(.contextCreation, object: "kmod context", problem: "cannot initialise libkmod")
        }
        defer { kmod_unref(ctx) }
        if getenv("KMOD_LOG") == nil { kmod_set_log_priority(ctx, LOG_EMERG) }

        var list: OpaquePointer?
        var mod: OpaquePointer?
        if kmod_module_new_from_lookup(ctx, name, &list) == 0, let first = list {
            mod = kmod_module_get_module(first)   // a new reference, independent of the list
        }
        if list != nil { kmod_module_unref_list(list) }
        if mod == nil, kmod_module_new_from_name(ctx, name, &mod) < 0 { mod = nil }
        guard let mod else { return try body(nil, .missing) }
        defer { kmod_module_unref(mod) }

        let state: State
        let initstate = kmod_module_get_initstate(mod)
        switch initstate {
        case Int32(KMOD_MODULE_BUILTIN.rawValue): state = .builtin
        case Int32(KMOD_MODULE_COMING.rawValue) where !hasInitstate(mod): state = .builtin
        case Int32(KMOD_MODULE_LIVE.rawValue), Int32(KMOD_MODULE_COMING.rawValue): state = .loaded
        default:
            if kmod_module_get_path(mod) != nil {
                state = .available
            } else if initstate < 0, hasRegisteredDriver(mod) {
                state = .builtin
            } else {
                state = .missing
            }
        }
        return try body(mod, state)
    }

    /// Whether the kernel shows the module's load state (`/sys/module/NAME/initstate`).
    ///
    /// A loadable module has that file from the moment it is in `/sys/module`; a built-in
    /// one never has it, but gets a `/sys/module` directory when it has parameters, and
    /// libkmod reports such a directory as `KMOD_MODULE_COMING` when it cannot tell the
    /// module is built in (no `modules.builtin` for the running kernel, as on a kernel
    /// without loadable-module support).
    ///
    /// Wraps `kmod_module_get_name` and `open(2)` of the file.
    private static func hasInitstate(_ mod: OpaquePointer) -> Bool {
        guard let name = kmod_module_get_name(mod) else { return false }
        switch Syscall.open("/sys/module/\(String(cString: name))/initstate", O_RDONLY) {
        case .success(let fd): Syscall.close(fd); return true
        case .failure(let e): return e != .noSuchFileOrDirectory
        }
    }

    /// Where each of the modules above registers its driver in sysfs (``ndBTT`` has none).
    static let driverPath: [String: String] = [
        deviceDAX: "/sys/bus/dax/drivers/device_dax", kmem: "/sys/bus/dax/drivers/kmem",
        daxHMEM: "/sys/bus/platform/drivers/hmem", daxPMEM: "/sys/bus/nd/drivers/dax_pmem",
        ndPMEM: "/sys/bus/nd/drivers/nd_pmem", ndE820: "/sys/bus/platform/drivers/e820_pmem",
        nfit: "/sys/bus/acpi/drivers/nfit",
    ]

    /// Whether the module, absent from `/sys/module`, has its driver registered (see
    /// ``driverPath``): then it is built in. A built-in module without parameters has no
    /// `/sys/module` directory, and libkmod knows it only from `modules.builtin`, which a
    /// kernel without loadable-module support does not install; a loaded module always
    /// has the directory.
    ///
    /// Wraps `kmod_module_get_name` and `open(2)` of the driver's directory.
    private static func hasRegisteredDriver(_ mod: OpaquePointer) -> Bool {
        guard let name = kmod_module_get_name(mod), let path = driverPath[String(cString: name)],
              case .success(let fd) = Syscall.open(path, O_RDONLY | O_DIRECTORY) else { return false }
        Syscall.close(fd)
        return true
    }

    /// The error for a module that is neither built in, loaded nor installed.
    static func missingError(_ name: String, _ purpose: String) -> DaxError {
        let release = kernelRelease()
        let config = configOption[name].map { " (\($0))" } ?? ""
        return DaxError(.notFound, object: "module \(name)",
                        problem: "not built into kernel \(release), not loaded, and not installed in /lib/modules/\(release); \(purpose) needs it",
                        rule: "the kernel must be built with it\(config), as a module or built in",
                        fix: "install linux-image-\(release), the Debian package that ships the running kernel's modules, or boot a kernel that has it")
    }

    /// The running kernel's release (`uname -r`), `"unknown"` when `uname(2)` fails.
    ///
    /// Wraps `uname(2)`.
    static func kernelRelease() -> String {
        var u = utsname()
        guard uname(&u) == 0 else { return "unknown" }
        return withUnsafeBytes(of: &u.release) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}
