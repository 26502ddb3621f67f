/// A sentence of an error (its object, problem, rule or fix) that names request
/// parameters and operations symbolically, so that each front end says them in its own
/// terms: the library says "set force" and "size 112M", the CLI "pass --force" and
/// "--size 112M".
///
/// Written as a string literal with interpolations:
/// `"use \(.size, "112M") or \(.size, "96M")"`, `"\(enable: .force) to destroy it"`,
/// `"list them with \(.listNamespaces)"`. Any other interpolated value is text.
public struct Phrase: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringInterpolation {
    /// One piece of a phrase.
    public enum Part: Sendable, Hashable {
        /// Plain text.
        case text(String)
        /// A request parameter, with the value given or suggested (`size 112M`).
        case parameter(Parameter, value: String?)
        /// Turning a boolean parameter on (`set force` / `pass --force`).
        case enabling(Parameter)
        /// Another operation that would help (`list the namespaces` / `daxkit list -N -i`).
        case operation(Operation)
    }

    /// The pieces, in order.
    public var parts: [Part]

    /// A phrase of these parts.
    public init(parts: [Part]) { self.parts = parts }
    /// Plain text.
    public init(_ text: String) { parts = text.isEmpty ? [] : [.text(text)] }
    public init(stringLiteral value: String) { self.init(value) }
    public init(stringInterpolation: StringInterpolation) { parts = stringInterpolation.parts }

    /// Whether there is nothing to say.
    public var isEmpty: Bool {
        parts.allSatisfy { if case .text(let t) = $0 { return t.isEmpty } else { return false } }
    }

    /// The phrase in the given vocabulary.
    public func rendered(by vocabulary: some Vocabulary) -> String {
        var out = ""
        for part in parts {
            switch part {
            case .text(let t): out += t
            case let .parameter(p, value): out += vocabulary.parameter(p, value: value)
            case .enabling(let p): out += vocabulary.enabling(p)
            case .operation(let o): out += vocabulary.operation(o)
            }
        }
        return out
    }

    /// The phrase in library terms.
    public var description: String { rendered(by: LibraryVocabulary()) }

    /// Joins phrases with a separator (`"; "`, `" or "`).
    public static func joined(_ phrases: [Phrase], separator: String) -> Phrase {
        var parts: [Part] = []
        for (i, p) in phrases.enumerated() {
            if i > 0 { parts.append(.text(separator)) }
            parts += p.parts
        }
        return Phrase(parts: parts)
    }

    /// `a` followed by `b`.
    public static func + (a: Phrase, b: Phrase) -> Phrase { Phrase(parts: a.parts + b.parts) }

    /// Builds a phrase from a string literal with interpolations (see the type's summary).
    public struct StringInterpolation: StringInterpolationProtocol {
        var parts: [Part] = []
        public init(literalCapacity: Int, interpolationCount: Int) {}
        public mutating func appendLiteral(_ literal: String) { if !literal.isEmpty { parts.append(.text(literal)) } }
        public mutating func appendInterpolation(_ phrase: Phrase) { parts += phrase.parts }
        /// A parameter's name (`--size` / `size`).
        public mutating func appendInterpolation(_ parameter: Parameter) {
            parts.append(.parameter(parameter, value: nil))
        }
        /// A parameter with a value (`--size 112M` / `size 112M`).
        public mutating func appendInterpolation(_ parameter: Parameter, _ value: String) {
            parts.append(.parameter(parameter, value: value))
        }
        /// Turning a boolean parameter on (`pass --force` / `set force`).
        public mutating func appendInterpolation(enable parameter: Parameter) { parts.append(.enabling(parameter)) }
        /// An operation (`daxkit enable-region region1` / `enable region1`).
        public mutating func appendInterpolation(_ operation: Operation) { parts.append(.operation(operation)) }
        /// Any other value, as text.
        public mutating func appendInterpolation<T>(_ value: T) { parts.append(.text("\(value)")) }
    }
}

/// A parameter of a request (a field of `NamespaceRequest`, an argument of a DAXMemory
/// call). Its raw value is the library's name for it (the Swift field name); the CLI maps
/// it to a flag. Growable: new parameters are new static members.
public struct Parameter: RawRepresentable, Hashable, Sendable {
    /// The library's name for the parameter (a Swift field or argument name).
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    /// A parameter named `rawValue`.
    public init(_ rawValue: String) { self.rawValue = rawValue }

    /// A region filter: `regionN`, `N` or `all`.
    public static let region = Parameter("region")
    /// A bus filter: an id, provider or `ndbusN`.
    public static let bus = Parameter("bus")
    /// A namespace personality (raw, sector, fsdax, devdax), or a touch mode.
    public static let mode = Parameter("mode")
    /// Where struct page lives: dev, mem or none.
    public static let map = Parameter("map")
    /// A raw size, in bytes.
    public static let size = Parameter("size")
    /// The usable bytes wanted of a namespace.
    public static let usableSize = Parameter("usableSize")
    /// A pfn/dax or mapping alignment, in bytes.
    public static let align = Parameter("align")
    /// A namespace label name (`alt_name`).
    public static let name = Parameter("name")
    /// A namespace label uuid.
    public static let uuid = Parameter("uuid")
    /// A logical sector (LBA) size, in bytes.
    public static let sectorSize = Parameter("sectorSize")
    /// The existing namespace to reconfigure (ndctl's `-e`).
    public static let reconfigure = Parameter("reconfigure")
    /// Consent to act on active objects (ndctl's `--force`); never overrides "in use".
    public static let force = Parameter("force")
    /// A label index version (1.1 or 1.2).
    public static let labelVersion = Parameter("labelVersion")
    /// The start of a range in a mapping target, in bytes.
    public static let offset = Parameter("offset")
    /// The length of a range in a mapping target, in bytes.
    public static let length = Parameter("length")
    /// A worker thread count.
    public static let threads = Parameter("threads")
    /// The kernel page size a mapping must have, in bytes.
    public static let expectedPageSize = Parameter("expectedPageSize")
    /// The size a regular file is created or extended to, in bytes.
    public static let createSize = Parameter("createSize")
}

/// An operation an error suggests, with the object it applies to.
public struct Operation: Hashable, Sendable {
    /// Which operation: daxkit's (= ndctl's/daxctl's) command name, e.g. `enable-region`.
    public var name: String
    /// The object (a region, namespace, DIMM or device name), if any.
    public var object: String?
    /// Further operands (e.g. the mode a device should get).
    public var arguments: [String]

    /// The operation `name` on `object`, with further operands.
    public init(_ name: String, _ object: String? = nil, arguments: [String] = []) {
        self.name = name
        self.object = object
        self.arguments = arguments
    }

    /// Listing the regions, with idle ones.
    public static let listRegions = Operation("list-regions")
    /// Listing the namespaces, with idle seeds.
    public static let listNamespaces = Operation("list-namespaces")
    /// Listing the DIMMs.
    public static let listDIMMs = Operation("list-dimms")
    /// Enabling a region.
    public static func enableRegion(_ region: String) -> Operation { Operation("enable-region", region) }
    /// Disabling a region (`all` for every one).
    public static func disableRegion(_ region: String) -> Operation { Operation("disable-region", region) }
    /// Listing the device-DAX devices.
    public static let listDAXDevices = Operation("list-dax-devices")
    /// Creating a namespace, in a region when one is named, of a mode when one is named.
    public static func createNamespace(in region: String? = nil, mode: String? = nil) -> Operation {
        Operation("create-namespace", region, arguments: mode.map { [$0] } ?? [])
    }
    /// Writing an empty label index on a DIMM (every DIMM when nil).
    public static func initLabels(_ dimm: String? = nil) -> Operation { Operation("init-labels", dimm) }
    /// Destroying a dax device (emptying it, for a region's first device), with consent.
    public static func destroyDevice(_ device: String) -> Operation { Operation("destroy-device", device) }
    /// Moving a dax device to a mode (`devdax`, `system-ram`).
    public static func reconfigureDevice(_ device: String, mode: String) -> Operation {
        Operation("reconfigure-device", device, arguments: [mode])
    }
}

/// How a front end says parameters and operations.
public protocol Vocabulary {
    /// A parameter, with a value when one is given.
    func parameter(_ parameter: Parameter, value: String?) -> String
    /// Turning a boolean parameter on.
    func enabling(_ parameter: Parameter) -> String
    /// An operation on its object.
    func operation(_ operation: Operation) -> String
}

/// The library's own terms: parameters by their Swift field names, operations as verbs.
public struct LibraryVocabulary: Vocabulary {
    public init() {}
    public func parameter(_ parameter: Parameter, value: String?) -> String {
        value.map { "\(parameter.rawValue) \($0)" } ?? parameter.rawValue
    }
    public func enabling(_ parameter: Parameter) -> String { "set \(parameter.rawValue)" }
    public func operation(_ operation: Operation) -> String {
        let words = operation.name.split(separator: "-").joined(separator: " ")
        return ([words] + [operation.object].compactMap { $0 } + operation.arguments).joined(separator: " ")
    }
}
