import DaxCore
import NDCtl
import Yams

/// A provisioning plan: the guest memory each VM gets, as one `/dev/daxX.Y` per VM.
///
/// Read from YAML or JSON (one schema; JSON is read as YAML's flow style) by
/// ``parse(_:file:)``:
/// ```yaml
/// vms:
///   - name: db1            # 1-63 bytes of [A-Za-z0-9_.-]: the namespace name / record key
///     size: 2G             # guest-usable bytes (ndctl's size grammar, or an integer)
///     align: 1G            # 4K | 2M | 1G (default 2M)
///     source: namespace    # namespace: labelled pmem | dax: dynamic dax region (default namespace)
///     map: mem             # dev | mem | none, namespace source only (default dev)
///     region: region1      # optional: regionN (namespace), a dax region id or regionN (dax)
///     owner: libvirt-qemu  # optional owner, group and mode of the device node
///     group: kvm
///     mode: "0660"
/// ```
public struct ProvisionPlan: Sendable, Hashable {
    /// Where a VM's memory comes from.
    public enum Source: String, Sendable, Hashable, CaseIterable {
        /// A devdax namespace in a labelled pmem region; its name is the VM's name.
        case namespace
        /// A device in a dynamic dax region (soft-reserved memory, CXL RAM).
        case dax
    }

    /// One VM's memory.
    public struct VM: Sendable, Hashable {
        /// The VM's name: the namespace's label name, the key of its record.
        public var name: String
        /// Guest-usable bytes wanted (the planner picks the raw size that gives them).
        public var size: UInt64
        /// The device's alignment, in bytes: its page size (4 KiB, 2 MiB or 1 GiB).
        public var align: UInt64
        /// Where the memory comes from.
        public var source: Source
        /// Where struct pages live (namespace source; `.dev` for dax sources, which have
        /// no choice: their struct pages are always in host RAM).
        public var map: MapLocation
        /// The region asked for (`regionN`, or a dax region id); nil: the best fit.
        public var region: String?
        /// Owner of the device node (user name or uid); nil: left as udev makes it.
        public var owner: String?
        /// Group of the device node (group name or gid).
        public var group: String?
        /// Permission bits of the device node (e.g. 0o660).
        public var mode: UInt16?
        /// Line of the VM's entry in the plan file (1-based; 0 when built in code).
        public var line: Int

        /// A VM described in code; sizes in bytes.
        public init(name: String, size: UInt64, align: UInt64 = 2 << 20, source: Source = .namespace,
                    map: MapLocation = .dev, region: String? = nil, owner: String? = nil, group: String? = nil,
                    mode: UInt16? = nil, line: Int = 0) {
            self.name = name
            self.size = size
            self.align = align
            self.source = source
            self.map = map
            self.region = region
            self.owner = owner
            self.group = group
            self.mode = mode
            self.line = line
        }
    }

    /// The plan file's path, as given (for messages); empty when built in code.
    public var file: String
    /// The VMs, in the file's order.
    public var vms: [VM]

    /// A plan built in code.
    public init(file: String = "", vms: [VM]) {
        self.file = file
        self.vms = vms
    }

    /// The keys a VM entry may have.
    public static let keys = ["name", "size", "align", "source", "map", "region", "owner", "group", "mode"]
    /// Alignments a VM can ask for: x86-64's page sizes.
    public static let alignments: [UInt64] = [4 << 10, 2 << 20, 1 << 30]
    /// Longest VM name: a namespace label's name field holds 63 bytes and a NUL.
    public static let maxNameBytes = 63

    /// Reads a plan from YAML or JSON text and checks everything the text alone decides.
    ///
    /// - Parameters:
    ///   - text: the file's contents.
    ///   - file: its path, named in every problem.
    /// - Returns: the plan, when it has no problem.
    /// - Throws: `DaxError` `.invalidPlan` listing every problem in `details` (each one
    ///   naming the file, line, VM, key and value, the rule and the fix): unreadable
    ///   YAML/JSON, unknown or missing keys, duplicate or too long names, sizes and
    ///   alignments that cannot be, `map` on a dax source, a mode that is not octal.
    ///
    /// Wraps Yams' `compose(yaml:)` (libyaml) with its basic resolver (no implicit
    /// types: scalars are text).
    /// The size parser's phrases said in the plan's terms: its parameters are keys of
    /// the file (`size "3X"`), not the command line's options (`--size "3X"`).
    static func asKey(_ object: Phrase, _ problem: Phrase) -> Phrase {
        Phrase(object.description + ": " + problem.description)
    }
    static func asKey(_ phrase: Phrase) -> Phrase { Phrase(phrase.description) }

    public static func parse(_ text: String, file: String) throws -> ProvisionPlan {
        var problems: [DaxError] = []
        func problem(_ line: Int?, _ what: String, _ p: Phrase, rule: Phrase = "", fix: Phrase = "",
                     code: DaxError.Code = .invalidPlan) {
            let at = line.map { "\(file):\($0)" } ?? file
            problems.append(DaxError(code, object: Phrase(what.isEmpty ? at : "\(at): \(what)"), problem: p, rule: rule, fix: fix))
        }
        let root: Yams.Node?
        do {
            // The basic resolver: every value is read as text and judged here (sizes,
            // modes, names), so YAML 1.1's implicit types are not needed; the default
            // resolver compiles seven ICU regular expressions (NSRegularExpression) at
            // each start: 9M of the 61M instructions a 16-VM re-apply ran. No
            // constructor maps (nodes are read as text, never constructed as Swift
            // values) and UTF-8 named: the defaults build six tag dictionaries and read
            // the whole environment (YAMS_DEFAULT_ENCODING), 1M instructions at each start.
            root = try Yams.compose(yaml: text, .basic, Constructor([:], [:], [:]), .utf8)
        } catch let error as YamlError {
            if case .duplicatedKeysInMapping(let keys, let context) = error {
                throw DaxError(.invalidPlan, object: Phrase("\(file):\(context.mark.line)"),
                               problem: Phrase("key \(keys.joined(separator: ", ")) given twice in one mapping"), fix: "keep one")
            }
            throw DaxError(.invalidPlan, object: Phrase(file), problem: Phrase("not YAML or JSON: \(Self.describe(error))"),
                           fix: "fix the syntax at the line named")
        }
        guard let root, case .mapping(let top) = root else {
            throw DaxError(.invalidPlan, object: Phrase(file), problem: "not a plan: expected a mapping with the key vms",
                           fix: "start the file with \"vms:\" and a list of VMs")
        }
        var vmNodes: [Yams.Node] = []
        for (key, value) in top {
            guard let k = key.string, k == "vms" else {
                problem(key.mark.map { $0.line }, "", Phrase("unknown key \"\(key.string ?? "?")\""),
                        rule: "a plan has one key, vms", fix: "remove it")
                continue
            }
            guard case .sequence(let seq) = value else {
                problem(value.mark.map { $0.line }, "vms", "not a list", fix: "list the VMs under vms, each starting with \"- name:\"")
                continue
            }
            vmNodes = Array(seq)
        }
        if top.first(where: { $0.key.string == "vms" }) == nil {
            problem(nil, "", "no key vms", fix: "list the VMs under vms")
        }

        var vms: [VM] = []
        var seen: [String: Int] = [:]
        for (index, node) in vmNodes.enumerated() {
            let line = node.mark?.line ?? 0
            guard case .mapping(let entry) = node else {
                problem(line, "vms[\(index)]", "not a mapping", fix: "give each VM as keys (name, size, ...)")
                continue
            }
            var fields: [String: (String, Yams.Node)] = [:]
            for (key, value) in entry {
                let k = key.string ?? ""
                guard Self.keys.contains(k) else {
                    let near = Nearest.word(to: k, among: Self.keys)
                    problem(key.mark?.line ?? line, "vms[\(index)]", Phrase("unknown key \"\(k)\""),
                            rule: Phrase("known: \(Self.keys.joined(separator: ", "))"),
                            fix: Phrase(near.map { "did you mean \($0)?" } ?? "remove it"))
                    continue
                }
                if fields[k] != nil {
                    problem(key.mark?.line ?? line, "vms[\(index)]", Phrase("key \(k) given twice"), fix: "keep one")
                    continue
                }
                guard case .scalar(let scalar) = value else {
                    problem(value.mark?.line ?? line, "vms[\(index)] \(k)", "not a single value", fix: "give one value")
                    continue
                }
                fields[k] = (scalar.string, value)
            }
            let name = fields["name"]?.0
            let who = name.map { "vm \($0)" } ?? "vms[\(index)]"
            func at(_ key: String) -> Int { fields[key]?.1.mark?.line ?? line }

            guard let name else {
                problem(line, who, "no name", fix: "give every VM a name")
                continue
            }
            if name.isEmpty || name.utf8.count > Self.maxNameBytes
                || !name.utf8.allSatisfy({ isNameByte($0) }) || name.first == "." || name.first == "-" {
                problem(at("name"), who, Phrase("name \"\(name)\" is not a VM name\(name.utf8.count > Self.maxNameBytes ? " (\(name.utf8.count) bytes long)" : "")"),
                        rule: "1 to 63 bytes of letters, digits, _ . and -, not starting with . or - (it names the namespace, the stable device path and the VMM's memory object)",
                        fix: "rename it")
            }
            if let first = seen[name] {
                problem(at("name"), who, Phrase("name \(name) given twice (first at line \(first))"),
                        rule: "a name is one VM's record", fix: "rename one of them")
            }
            seen[name] = seen[name] ?? at("name")

            var vm = VM(name: name, size: 0, line: line)
            if let (text, _) = fields["size"] {
                do {
                    let size = try ByteCount(parsing: text, parameter: .size)
                    if size.bytes == 0 {
                        problem(at("size"), who, "size 0: zero bytes", rule: "a VM needs memory", fix: "give its memory size, e.g. 2G")
                    }
                    vm.size = size.bytes
                } catch let e as DaxError {
                    problem(at("size"), who, Self.asKey(e.object, e.problem), rule: Self.asKey(e.rule), fix: Self.asKey(e.fix), code: e.code)
                }
            } else {
                problem(line, who, "no size", fix: "give the guest memory size, e.g. size: 2G")
            }
            if let (text, _) = fields["align"] {
                do {
                    let a = try ByteCount(parsing: text, parameter: .align)
                    if Self.alignments.contains(a.bytes) {
                        vm.align = a.bytes
                    } else {
                        problem(at("align"), who, Phrase("align \(text) is not a page size"),
                                rule: "a VM's memory maps with 4K, 2M or 1G pages", fix: "use 4K, 2M or 1G")
                    }
                } catch let e as DaxError {
                    problem(at("align"), who, Self.asKey(e.object, e.problem), rule: Self.asKey(e.rule), fix: Self.asKey(e.fix), code: e.code)
                }
            }
            if let (text, _) = fields["source"] {
                if let s = Source(rawValue: text) { vm.source = s } else {
                    problem(at("source"), who, Phrase("source \"\(text)\" is not a source"),
                            fix: "use namespace (labelled pmem) or dax (a dynamic dax region)")
                }
            }
            if let (text, _) = fields["map"] {
                if vm.source == .dax {
                    problem(at("map"), who, Phrase("map \(text) with source dax"),
                            rule: "a dax source's struct pages are always in host RAM; map chooses for namespaces only",
                            fix: "remove map, or use source namespace")
                } else if let m = MapLocation(rawValue: text), m == .dev || m == .mem || m == MapLocation.none {
                    vm.map = m
                } else {
                    problem(at("map"), who, Phrase("map \"\(text)\" is not a map"), fix: "use dev, mem or none")
                }
            }
            if let (text, _) = fields["region"] {
                if text.isEmpty { problem(at("region"), who, "region is empty", fix: "name a region or remove the key") }
                vm.region = text
            }
            vm.owner = fields["owner"]?.0
            vm.group = fields["group"]?.0
            for key in ["owner", "group"] where fields[key]?.0.isEmpty == true {
                problem(at(key), who, Phrase("\(key) is empty"), fix: "name one or remove the key")
            }
            if let (text, node) = fields["mode"] {
                let quoted = node.scalar.map { $0.style == .singleQuoted || $0.style == .doubleQuoted } ?? false
                if !quoted && node.isInt {
                    problem(at("mode"), who, Phrase("mode \(text) is a number, not octal text"),
                            rule: "YAML reads 0660 unquoted as a decimal or octal number depending on the version",
                            fix: "quote it: mode: \"0660\"")
                } else if text.count >= 3, text.count <= 4, let bits = UInt16(text, radix: 8), bits <= 0o777 {
                    vm.mode = bits
                } else {
                    problem(at("mode"), who, Phrase("mode \"\(text)\" is not permission bits"),
                            fix: "give octal permissions such as \"0660\"")
                }
            }
            vms.append(vm)
        }
        if problems.isEmpty, vms.isEmpty {
            problem(nil, "vms", "no VM", fix: "list at least one VM")
        }
        guard problems.isEmpty else {
            throw DaxError(.invalidPlan, object: Phrase(file),
                           problem: Phrase("\(problems.count) problem\(problems.count == 1 ? "" : "s"); the plan is refused as a whole"),
                           details: problems)
        }
        return ProvisionPlan(file: file, vms: vms)
    }

    /// Reads and parses a plan file.
    ///
    /// - Throws: `DaxError` `.io` when the file cannot be read, else as ``parse(_:file:)``.
    ///
    /// Wraps DaxCore's `HostFile.read` (`open(2)`/`read(2)`).
    public static func load(_ path: String) throws -> ProvisionPlan {
        let text: String
        switch HostFile.bytes(path) {
        case .success(let bytes): text = String(decoding: bytes, as: UTF8.self)
        case .failure(let error):
            throw DaxError(.io, object: Phrase(path), problem: "cannot read the plan", underlyingError: error)
        }
        return try parse(text, file: path)
    }

    static func isNameByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b == 0x5f || b == 0x2e || b == 0x2d
    }

    static func describe(_ error: YamlError) -> String {
        // YamlError's description carries the line and column and a caret picture over
        // several lines; one line is kept.
        var line = "\(error)".split(separator: "\n").map(String.init).joined(separator: " ")
        while line.hasSuffix(".") || line.hasSuffix(" ") { line.removeLast() }
        return line
    }
}

extension DaxError.Code {
    /// A provisioning plan (file or in-code) cannot be carried out as written.
    public static let invalidPlan = DaxError.Code("invalidPlan")
}

extension Yams.Node {
    /// Whether libyaml's core schema resolves this plain scalar to an integer.
    var isInt: Bool { int != nil && scalar?.style == .plain }
}
