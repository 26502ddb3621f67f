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

    public init(parts: [Part]) { self.parts = parts }
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

    public static func + (a: Phrase, b: Phrase) -> Phrase { Phrase(parts: a.parts + b.parts) }

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
        public mutating func appendInterpolation<T>(_ value: T) { parts.append(.text("\(value)")) }
    }
}

/// A parameter of a request (a field of `NamespaceRequest`, an argument of a DAXMemory
/// call). Its raw value is the library's name for it (the Swift field name); the CLI maps
/// it to a flag. Growable: new parameters are new static members.
public struct Parameter: RawRepresentable, Hashable, Sendable {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }

    public static let region = Parameter("region")
    public static let bus = Parameter("bus")
    public static let mode = Parameter("mode")
    public static let map = Parameter("map")
    public static let size = Parameter("size")
    public static let usableSize = Parameter("usableSize")
    public static let align = Parameter("align")
    public static let name = Parameter("name")
    public static let uuid = Parameter("uuid")
    public static let sectorSize = Parameter("sectorSize")
    /// The existing namespace to reconfigure (ndctl's `-e`).
    public static let reconfigure = Parameter("reconfigure")
    /// Consent to act on active objects (ndctl's `--force`).
    public static let force = Parameter("force")
    public static let labelVersion = Parameter("labelVersion")
    public static let offset = Parameter("offset")
    public static let length = Parameter("length")
    public static let threads = Parameter("threads")
    public static let expectedPageSize = Parameter("expectedPageSize")
    public static let createSize = Parameter("createSize")
}

/// An operation an error suggests, with the object it applies to.
public struct Operation: Hashable, Sendable {
    /// Which operation; its raw value is daxkit's (= ndctl's/daxctl's) command name.
    public struct Name: RawRepresentable, Hashable, Sendable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public static let listRegions = Name("list-regions")
        public static let listNamespaces = Name("list-namespaces")
        public static let listDIMMs = Name("list-dimms")
        public static let listDAXDevices = Name("list-dax-devices")
        public static let enableRegion = Name("enable-region")
        public static let disableRegion = Name("disable-region")
        public static let initLabels = Name("init-labels")
        public static let createNamespace = Name("create-namespace")
        public static let reconfigureDevice = Name("reconfigure-device")
    }
    public var name: Name
    /// The object (a region, namespace, DIMM or device name), if any.
    public var object: String?
    /// Extra words for the front end (e.g. a mode for reconfigure-device).
    public var arguments: [String]

    public init(_ name: Name, _ object: String? = nil, arguments: [String] = []) {
        self.name = name
        self.object = object
        self.arguments = arguments
    }

    public static let listRegions = Operation(.listRegions)
    public static let listNamespaces = Operation(.listNamespaces)
    public static let listDIMMs = Operation(.listDIMMs)
    public static let listDAXDevices = Operation(.listDAXDevices)
    public static func enableRegion(_ region: String) -> Operation { Operation(.enableRegion, region) }
    public static func disableRegion(_ region: String) -> Operation { Operation(.disableRegion, region) }
    public static func initLabels(_ dimm: String? = nil) -> Operation { Operation(.initLabels, dimm) }
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
        let words = operation.name.rawValue.split(separator: "-").joined(separator: " ")
        return ([words] + [operation.object].compactMap { $0 } + operation.arguments).joined(separator: " ")
    }
}
