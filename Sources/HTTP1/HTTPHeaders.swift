/// Header fields in arrival order with case-insensitive lookup.
///
/// Why ordered pairs instead of a dictionary: field order and duplicates carry meaning
/// (RFC 9110 §5.3) and the smuggling checks must see every Content-Length / Transfer-Encoding line.
public struct HTTPHeaders: Sendable, Sequence, ExpressibleByDictionaryLiteral, Equatable, CustomStringConvertible {
    public typealias Field = (name: String, value: String)
    public private(set) var fields: [Field]

    public init(_ fields: [(String, String)] = []) {
        self.fields = fields.map { (name: $0.0, value: $0.1) }
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    public var count: Int { fields.count }
    public var isEmpty: Bool { fields.isEmpty }

    /// The first value of `name`, compared case-insensitively.
    public subscript(name: String) -> String? {
        for field in fields where HTTPHeaders.equalsIgnoringCase(field.name, name) {
            return field.value
        }
        return nil
    }

    /// All values of `name` in arrival order.
    public func values(for name: String) -> [String] {
        fields.lazy.filter { HTTPHeaders.equalsIgnoringCase($0.name, name) }.map(\.value)
    }

    public func contains(_ name: String) -> Bool { self[name] != nil }

    public mutating func add(name: String, value: String) {
        fields.append((name: name, value: value))
    }

    public func makeIterator() -> IndexingIterator<[Field]> { fields.makeIterator() }

    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.fields.count == rhs.fields.count
            && zip(lhs.fields, rhs.fields).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }

    public var description: String { fields.map { "\($0.name): \($0.value)" }.joined(separator: ", ") }

    /// ASCII case-insensitive comparison without allocating (field names are ASCII tokens).
    @inlinable
    public static func equalsIgnoringCase(_ a: String, _ b: String) -> Bool {
        var a = a, b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                guard x.count == y.count else { return false }
                for i in 0..<x.count where x[i] != y[i] {
                    let l = x[i] | 0x20, r = y[i] | 0x20
                    if l != r || l < 0x61 || l > 0x7A { return false }
                }
                return true
            }
        }
    }
}
