/// A JSON value (RFC 8259). The project's one JSON representation: request bodies, responses,
/// checkpoint metadata, layouts and reports all go through this type, its parser and its writer.
///
/// Objects keep their members in document order so that written JSON reads in a stable, intended
/// order; member lookup is linear, which is faster than hashing for the small objects we handle.
public enum JSON: Sendable {
    case null
    case bool(Bool)
    /// Numbers are held as `Double`; a literal beyond Double's range parses to ±infinity so that
    /// callers can say "not a finite value" instead of "malformed JSON".
    case number(Double)
    case string(String)
    case array([JSON])
    case object([(key: String, value: JSON)])
}

extension JSON {
    /// The member named `key` of an object, or nil (parsed objects never repeat a name).
    public subscript(key: String) -> JSON? {
        guard case .object(let members) = self else { return nil }
        for member in members where member.key == key { return member.value }
        return nil
    }

    /// The elements of an array, or nil.
    public var arrayValue: [JSON]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// The members of an object, or nil.
    public var objectValue: [(key: String, value: JSON)]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// The value of a number, or nil.
    public var doubleValue: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// The value of an integral number that fits `Int`, or nil.
    public var intValue: Int? {
        guard case .number(let value) = self, value.rounded() == value, abs(value) < 9.0e15 else { return nil }
        return Int(value)
    }

    /// The value of a string, or nil.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The value of a boolean, or nil.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The kind of the value.
    public var kind: JSONKind {
        switch self {
        case .null: return .null
        case .bool: return .bool
        case .number: return .number
        case .string: return .string
        case .array: return .array
        case .object: return .object
        }
    }

    /// A short name of the value's kind, for error messages ("expected an array, found a string").
    public var kindName: String { kind.name }
}

extension JSON: Equatable {
    public static func == (lhs: JSON, rhs: JSON) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }
}

extension JSON: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByFloatLiteral,
    ExpressibleByIntegerLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSON)...) {
        self = .object(elements.map { (key: $0.0, value: $0.1) })
    }
}

extension JSON {
    /// An array of numbers.
    public init<S: Sequence>(numbers: S) where S.Element: BinaryFloatingPoint {
        self = .array(numbers.map { .number(Double($0)) })
    }

    /// An array of strings.
    public init(strings: [String]) {
        self = .array(strings.map { .string($0) })
    }
}
