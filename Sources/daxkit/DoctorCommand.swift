import ArgumentParser
import DaxCore
import DaxKit
#if canImport(Glibc)
import Glibc
#endif

struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check what this host can do with pmem and device-DAX, and what will bite.",
        discussion: """
        Runs every check and prints one line each: its status (ok, warn, fail or skip), \
        its id, what was found and, for warn and fail, why it matters and the fix. \
        Checks: module.NAME (nfit, nd_e820, nd_pmem, nd_btt, dax_pmem, device_dax, kmem, \
        dax_hmem, cxl_*: built in, loaded, available or missing, and which features need \
        each), memmap.ranges (each memmap= range of the kernel command line against the \
        firmware memory map and /proc/iomem: a memmap=nn!ss range outside RAM enables, \
        maps and takes writes, and every read-back is wrong; also overlaps and ranges not \
        aligned for 2M/1G devdax), soft-reserved (soft-reserved memory without a dax_hmem \
        region, dax regions without devices), page-sizes (2M and 1G device-dax pages, THP), \
        vmemmap-dedup (what map=mem costs in host RAM on this kernel), map-none (this \
        kernel's answer and the alternative), hotplug (memory block size, \
        auto_online_blocks, memmap_on_memory, movable zone), device-nodes (/dev/dax* and \
        /dev/pmem* against the kernel's devices and /etc/daxkit/vms.yaml, udev rules found \
        in the rule directories), versions (kernel, libndctl, libdaxctl, known-bad \
        combinations), regions (read-only or disabled) and labels (label-less regions, \
        label areas not initialised).

        Run as root for everything: as another user, checks that need root (reading label \
        areas; /proc/iomem addresses) are skipped or say what they could not compare. \
        Changes nothing. Exit status 1 when a check fails, 0 otherwise (warnings included). \
        --json prints an array of objects with the keys check, status, found, why and fix \
        (why and fix are null when the check is ok or skipped).

        Examples:
          daxkit doctor
          daxkit doctor --json | jq -r '.[] | select(.status != "ok") | .check'
          daxkit doctor --plan vms.yaml
        """
    )

    @Flag(help: "Print the findings as a JSON array on stdout.") var json = false
    @Option(help: ArgumentHelp("The provisioning plan whose owners and modes the device nodes are judged against (default: /etc/daxkit/vms.yaml, the boot unit's).",
                               valueName: "file"), completion: .file(extensions: ["yaml", "yml", "json"]))
    var plan: String = DoctorSnapshot.planPath

    func run() throws {
        let findings = Doctor.evaluate(DoctorSnapshot.read(plan: plan))
        CLI.writeAll(1, json ? Doctor.json(findings).rendered() + "\n" : Doctor.text(findings))
        if Doctor.anyFailed(findings) { throw ExitCode(1) }
    }
}
