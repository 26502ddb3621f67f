@testable import DaxKit
import Testing

/// Who may change the plan root applies: the file and every directory above it root's
/// alone, as sshd's StrictModes, sticky directories allowed.
@Suite("plan file rights (root applies it)")
struct PlanFileRightsTests {
    typealias E = PlanFileRights.Entry
    static func chain(file: (UInt32, UInt16) = (0, 0o644), dir: (UInt32, UInt16) = (0, 0o755)) -> [E] {
        [E(path: "/etc/daxkit/vms.yaml", uid: file.0, mode: file.1, isDirectory: false),
         E(path: "/etc/daxkit", uid: dir.0, mode: dir.1, isDirectory: true),
         E(path: "/etc", uid: 0, mode: 0o755, isDirectory: true),
         E(path: "/", uid: 0, mode: 0o755, isDirectory: true)]
    }

    @Test("root's alone: accepted; a sticky world-writable directory too")
    func accepted() {
        #expect(PlanFileRights.problem(Self.chain()) == nil)
        #expect(PlanFileRights.problem(Self.chain(file: (0, 0o600), dir: (0, 0o1777))) == nil)
    }

    @Test("each way another user could change it: the path, the rights found and the fix")
    func refused() {
        #expect(PlanFileRights.problem(Self.chain(file: (1000, 0o644)))?.description
                == "/etc/daxkit/vms.yaml: owned by uid 1000, not root, mode 0644; root applies this plan, so whoever can change it decides which memory every VM gets and who may open it (as sshd's StrictModes); chown root /etc/daxkit/vms.yaml")
        #expect(PlanFileRights.problem(Self.chain(file: (0, 0o666)))?.description
                == "/etc/daxkit/vms.yaml: group- and world-writable, mode 0666; root applies this plan, so whoever can change it decides which memory every VM gets and who may open it (as sshd's StrictModes); chmod go-w /etc/daxkit/vms.yaml")
        #expect(PlanFileRights.problem(Self.chain(file: (0, 0o664)))?.description.hasPrefix("/etc/daxkit/vms.yaml: group-writable, mode 0664;") == true)
        #expect(PlanFileRights.problem(Self.chain(dir: (1000, 0o777)))?.description
                == "/etc/daxkit: owned by uid 1000, not root and group- and world-writable, mode 0777 (a directory above the plan /etc/daxkit/vms.yaml); root applies this plan, so whoever can change it decides which memory every VM gets and who may open it (as sshd's StrictModes); chown root /etc/daxkit && chmod go-w /etc/daxkit")
    }
}
