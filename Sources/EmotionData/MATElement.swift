/// One data element: its type and where its data lies in the reader's bytes.
struct MATElement {
    var type: UInt32
    var data: Range<Int>
    var dataType: MATFormat.DataType? { MATFormat.DataType(rawValue: type) }
}

extension ByteReader {
    /// Reads a data element's tag and skips its data (and padding to 8 bytes).
    ///
    /// Handles the small-element format, where a nonzero upper half of the first tag word holds the
    /// byte count and the data (≤ 4 bytes) sits in the tag's second word. `padded` is false for
    /// top-level `miCOMPRESSED` elements, which MATLAB writes back to back without padding.
    mutating func readMATElement(padded: Bool = true) throws -> MATElement {
        let first = try readUInt32(for: "a data element tag")
        if first >> 16 != 0 {
            let size = Int(first >> 16)
            guard size <= 4 else { throw malformed("small data element claims \(size) bytes (at most 4 fit)") }
            let start = position
            try skip(4, for: "a small data element")
            return MATElement(type: first & 0xFFFF, data: start..<(start + size))
        }
        let size = Int(try readUInt32(for: "a data element tag"))
        let start = position
        try require(size, for: "a data element of \(size) bytes")
        position += size
        if padded {
            // Writers pad to 8 bytes; tolerate a file that omits the final padding.
            position += min((8 - size % 8) % 8, remaining)
        }
        return MATElement(type: first, data: start..<(start + size))
    }
}
