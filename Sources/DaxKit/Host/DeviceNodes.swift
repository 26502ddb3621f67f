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
/// or mode set afterwards is not overwritten by them); without udevd (a minimal system,
/// the lab), once devtmpfs shows it as a character device. The wait listens on a udev
/// monitor (`udev_monitor_new_from_netlink()`, source `udev`, or `kernel` without
/// udevd) for the device's subsystem, set up before the first look, so no event is
/// missed between the look and the wait.
public enum DeviceNodes {
    /// Waits until `/dev/NAME` of a device (`daxX.Y`) is ready.
    ///
    /// - Parameters:
    ///   - name: the device's kernel name (`daxX.Y`).
    ///   - subsystem: its subsystem (`dax`).
    ///   - timeout: seconds to wait at most (default 30, or `$DAXKIT_NODE_TIMEOUT`).
    /// - Throws: `DaxError` `.timedOut` naming the node when it is not ready in time,
    ///   `.contextCreation` when libudev cannot start.
    public static func wait(for name: String, subsystem: String = "dax", timeout: Double? = nil) throws {
        let limit = timeout ?? getenv("DAXKIT_NODE_TIMEOUT").flatMap { Double(String(cString: $0)) } ?? 30
        guard let udev = udev_new() else {
            throw DaxError(.contextCreation, object: "libudev", problem: "udev_new() failed", underlyingError: Errno.current)
        }
        defer { udev_unref(udev) }
        let udevd = access("/run/udev/control", F_OK) == 0
        let monitor = udev_monitor_new_from_netlink(udev, udevd ? "udev" : "kernel")
        defer { if let monitor { udev_monitor_unref(monitor) } }
        if let monitor {
            udev_monitor_filter_add_match_subsystem_devtype(monitor, subsystem, nil)
            udev_monitor_enable_receiving(monitor)
        }
        let deadline = HostLock.now() + limit
        while !isReady(name, subsystem: subsystem, udev: udev, udevd: udevd) {
            let left = deadline - HostLock.now()
            guard left > 0, let monitor else {
                throw DaxError(.timedOut, object: Phrase("/dev/\(name)"),
                               problem: Phrase("not ready \(Int(limit)) s after its device was made\(udevd ? " (udev has not processed it)" : "")"),
                               fix: udevd ? "check udevd (udevadm monitor; journalctl -u systemd-udevd)" : "check that devtmpfs is mounted on /dev")
            }
            var pfd = pollfd(fd: udev_monitor_get_fd(monitor), events: Int16(POLLIN), revents: 0)
            if poll(&pfd, 1, Int32(min(left, 1) * 1000)) > 0, let dev = udev_monitor_receive_device(monitor) {
                udev_device_unref(dev)
            }
        }
    }

    /// Whether the node is a character device and, with udevd, udev has processed it.
    static func isReady(_ name: String, subsystem: String, udev: OpaquePointer, udevd: Bool) -> Bool {
        var st = stat()
        guard stat("/dev/" + name, &st) == 0, (st.st_mode & S_IFMT) == S_IFCHR else { return false }
        guard udevd else { return true }
        guard let dev = udev_device_new_from_subsystem_sysname(udev, subsystem, name) else { return false }
        defer { udev_device_unref(dev) }
        return udev_device_get_is_initialized(dev) != 0
    }
}
