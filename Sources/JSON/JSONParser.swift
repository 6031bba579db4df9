/// Why a byte sequence is not JSON, and where (byte offset from the start of the document).
public struct JSONParseError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public var offset: Int
    public var description: String { "\(message) at byte \(offset)" }
}

extension JSON {
    /// The deepest nesting accepted: deep enough for any document we exchange, shallow enough that a
    /// hostile `[[[[…` cannot exhaust the stack of a server thread.
    public static let maximumDepth = 64

    /// Parses one complete JSON document (RFC 8259). Strict: no comments, no trailing commas, no
    /// `NaN`/`Infinity` tokens, no unescaped control characters, no member name twice in one object
    /// (the error names it), valid UTF-8 only, nothing after the value but whitespace.
    public static func parse<Bytes: Collection>(_ bytes: Bytes) throws(JSONParseError) -> JSON
    where Bytes.Element == UInt8 {
        let result: Result<JSON, JSONParseError>? = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(JSONParseError) in try parse(buffer: buffer) }
        }
        if let result { return try result.get() }
        let copy = Array(bytes)
        return try copy.withUnsafeBufferPointer { buffer throws(JSONParseError) in try parse(buffer: buffer) }
    }

    /// Parses a JSON document held in a string.
    public static func parse(_ text: String) throws(JSONParseError) -> JSON {
        try parse(Array(text.utf8))
    }

    static func parse(buffer: UnsafeBufferPointer<UInt8>) throws(JSONParseError) -> JSON {
        var reader = JSONReader(bytes: buffer)
        let value = try reader.readTree()
        try reader.finish()
        return value
    }
}

extension JSONReader {
    /// Reads the next value whole, as a tree.
    public mutating func readTree() throws(JSONParseError) -> JSON {
        switch try peekKind() {
        case .object:
            try beginObject()
            var members: [(key: String, value: JSON)] = []
            var names = JSONMemberNames()
            while let name = try nextMember(first: members.isEmpty, names: &names) {
                members.append((key: name, value: try readTree()))
            }
            return .object(members)
        case .array:
            try beginArray()
            var elements: [JSON] = []
            while try nextElement(first: elements.isEmpty) { elements.append(try readTree()) }
            return .array(elements)
        case .string: return .string(try readString())
        case .number: return .number(try readNumber())
        case .bool: return .bool(try readBool())
        case .null:
            try readNull()
            return .null
        }
    }
}
