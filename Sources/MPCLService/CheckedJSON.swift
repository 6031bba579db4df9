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
                if wanted.contains(name) { found[name] = Member(kind: try reader.peekKind(), offset: reader.offset) }
                try reader.skipValue()
            }
            return found
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
                try reader.skipValue()
                return offset
            }
        }
    }
}
