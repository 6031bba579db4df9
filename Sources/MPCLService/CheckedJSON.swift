import JSON

/// Reads parts of a JSON document by byte offset, after `TopLevelIndex` has checked the grammar
/// of all of it: a decoder can then visit members in the order its contract checks them, not the
/// order the client wrote them, and never needs a tree. A grammar error cannot happen here; were
/// one to, it would still be reported as malformed JSON (`PredictRequestDecoder.validated`).
struct CheckedJSON {
    let bytes: UnsafeBufferPointer<UInt8>

    /// Where a member's value starts, and its kind.
    struct Member {
        let kind: JSONKind
        let offset: Int
    }

    private func reader(at offset: Int) -> JSONReader {
        var reader = JSONReader(bytes: bytes)
        reader.offset = offset
        return reader
    }

    func kind(at offset: Int) throws(ServiceError) -> JSONKind {
        var reader = reader(at: offset)
        return try PredictRequestDecoder.validated { () throws(JSONParseError) in try reader.peekKind() }
    }

    func string(at offset: Int) throws(ServiceError) -> String {
        var reader = reader(at: offset)
        return try PredictRequestDecoder.validated { () throws(JSONParseError) in try reader.readString() }
    }

    func bool(at offset: Int) throws(ServiceError) -> Bool {
        var reader = reader(at: offset)
        return try PredictRequestDecoder.validated { () throws(JSONParseError) in try reader.readBool() }
    }

    func number(at offset: Int) throws(ServiceError) -> Double {
        var reader = reader(at: offset)
        return try PredictRequestDecoder.validated { () throws(JSONParseError) in try reader.readNumber() }
    }

    /// The members named in `wanted` of the object at `offset` (names are unique: the grammar
    /// check refused duplicates); the others are skipped, not kept.
    func members(at offset: Int, _ wanted: Set<String>) throws(ServiceError) -> [String: Member] {
        var reader = reader(at: offset)
        return try PredictRequestDecoder.validated { () throws(JSONParseError) in
            var found: [String: Member] = [:]
            try reader.beginObject()
            var names = JSONMemberNames()
            var first = true
            while let name = try reader.nextMember(first: first, names: &names) {
                first = false
                let kind = try reader.peekKind()
                if wanted.contains(name) { found[name] = Member(kind: kind, offset: reader.offset) }
                reader.offset = end(ofValueAt: reader.offset)
            }
            return found
        }
    }

    /// The offset just after the value that starts at `offset`. The grammar is known to be valid,
    /// so this only matches brackets outside strings: much cheaper than `JSONReader.skipValue`,
    /// which checks the grammar and converts every number again.
    func end(ofValueAt offset: Int) -> Int {
        var index = offset
        var depth = 0
        repeat {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                index += 1
                while bytes[index] != UInt8(ascii: "\"") { index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1 }
            case UInt8(ascii: "["), UInt8(ascii: "{"): depth += 1
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default:
                // A number or literal ends at the first byte that cannot continue it.
                if depth == 0 {
                    while index + 1 < bytes.count, Self.continuesScalar(bytes[index + 1]) { index += 1 }
                }
            }
            index += 1
        } while depth > 0
        return index
    }

    private static func continuesScalar(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "."), UInt8(ascii: "+"),
            UInt8(ascii: "-"), UInt8(ascii: "E"):
            return true
        default: return false
        }
    }

    /// The elements of the array at `offset`, one at a time (a long array costs no memory).
    func elements(at offset: Int) throws(ServiceError) -> Elements {
        var elements = Elements(reader: reader(at: offset))
        try PredictRequestDecoder.validated { () throws(JSONParseError) in try elements.reader.beginArray() }
        return elements
    }

    struct Elements {
        fileprivate var reader: JSONReader
        private var first = true

        fileprivate init(reader: JSONReader) { self.reader = reader }

        /// The offset of the next element, or nil after the last.
        mutating func next() throws(ServiceError) -> Int? {
            try PredictRequestDecoder.validated { () throws(JSONParseError) -> Int? in
                guard try reader.nextElement(first: first) else { return nil }
                first = false
                _ = try reader.peekKind()
                let offset = reader.offset
                reader.offset = CheckedJSON(bytes: reader.bytes).end(ofValueAt: offset)
                return offset
            }
        }
    }
}
