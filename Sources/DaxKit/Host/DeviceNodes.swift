import CUdev
import DaxCore
import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// Device nodes under `/dev`, through libudev: waiting for one to be ready after the
/// kernel made its device, without sleeping.
///
/// With udevd running (`/run/udev/control` exists), a node is ready once udev has
/// processed the device (`udev_device_get_is_initialized()`: its rules ran, so an owner
/// or mode set afterwards is not overwritten by them) and, for a device the caller made
/// or remade, once udev has announced it since the watcher started (an `add` or `bind`
/// event on the monitor): udev's database may still describe an older device of the
/// same name. Without udevd (a minimal system, the lab), a node is ready once devtmpfs
/// shows it as a character device. The monitor (`udev_monitor_new_from_netlink()`,
/// source `udev`, or `kernel` without udevd, filtered to the subsystem) is set up when
/// the watcher is made, before the kernel is asked for anything, so no event is missed.
public final class DeviceNodeWatcher {
    let udev: OpaquePointer
    let monitor: OpaquePointer?
    let subsystem: String
    /// Whether udevd runs (udev, not devtmpfs alone, makes the node final).
    public let udevd: Bool
    var announced: Set<String> = []

    /// Starts listening for the subsystem's uevents.
    ///
    /// - Parameter subsystem: the devices' subsystem (`dax`).
    /// - Throws: `DaxError` `.contextCreation` when libudev cannot start.
    public init(subsystem: String = "dax") throws {
        guard let udev = udev_new() else {
            throw DaxError(.contextCreation, object: "libudev", problem: "udev_new() failed", underlyingError: Errno.current)
        }
        self.udev = udev
        self.subsystem = subsystem
        udevd = access("/run/udev/control", F_OK) == 0
        var monitor = udev_monitor_new_from_netlink(udev, udevd ? "udev" : "kernel")
        if let m = monitor {
            if udev_monitor_filter_add_match_subsystem_devtype(m, subsystem, nil) < 0 || udev_monitor_enable_receiving(m) < 0 {
                udev_monitor_unref(m)
                monitor = nil
            }
        }
        self.monitor = monitor
    }

    deinit {
        if let monitor { udev_monitor_unref(monitor) }
        udev_unref(udev)
    }

    /// Waits until `/dev/NAME` is ready.
    ///
    /// - Parameters:
    ///   - name: the device's kernel name (`daxX.Y`).
    ///   - made: whether the caller made or remade the device since this watcher
    ///     started (then, with udevd, udev must have announced it since).
    ///   - timeout: seconds at most (default 30, or `$DAXKIT_NODE_TIMEOUT`).
    /// - Throws: `DaxError` `.timedOut` naming the node when it is not ready in time.
    public func wait(for name: String, made: Bool = false, timeout: Double? = nil) throws {
        let limit = timeout ?? getenv("DAXKIT_NODE_TIMEOUT").flatMap { Double(String(cString: $0)) } ?? 30
        let deadline = HostLock.now() + limit
        while true {
            drain(blockingFor: 0)
            if isReady(name, made: made) { return }
            let left = deadline - HostLock.now()
            guard left > 0 else {
                throw DaxError(.timedOut, object: Phrase("/dev/\(name)"),
                               problem: Phrase("not ready \(Int(limit)) s after its device was made\(udevd ? " (udev has not processed it)" : "")"),
                               fix: udevd ? "check udevd (udevadm monitor; journalctl -u systemd-udevd)" : "check that devtmpfs is mounted on /dev")
            }
            guard monitor != nil else {
                throw DaxError(.timedOut, object: Phrase("/dev/\(name)"), problem: "not there, and no udev monitor to wait on",
                               fix: "check that devtmpfs is mounted on /dev and that netlink uevents are readable")
            }
            drain(blockingFor: min(left, 1))
        }
    }

    /// Receives the uevents that have arrived (waiting up to `seconds` for the first),
    /// noting which devices were added or bound.
    func drain(blockingFor seconds: Double) {
        guard let monitor else { return }
        var pfd = pollfd(fd: udev_monitor_get_fd(monitor), events: Int16(POLLIN), revents: 0)
        var wait = Int32(seconds * 1000)
        while poll(&pfd, 1, wait) > 0, let dev = udev_monitor_receive_device(monitor) {
            let action = udev_device_get_action(dev).map { String(cString: $0) } ?? ""
            if action == "add" || action == "bind", let n = udev_device_get_sysname(dev) { announced.insert(String(cString: n)) }
            udev_device_unref(dev)
            wait = 0
        }
    }

    func isReady(_ name: String, made: Bool) -> Bool {
        var st = stat()
        guard stat("/dev/" + name, &st) == 0, (st.st_mode & S_IFMT) == S_IFCHR else { return false }
        guard udevd else { return true }
        if made && !announced.contains(name) { return false }
        guard let dev = udev_device_new_from_subsystem_sysname(udev, subsystem, name) else { return false }
        defer { udev_device_unref(dev) }
        return udev_device_get_is_initialized(dev) != 0
    }
}
