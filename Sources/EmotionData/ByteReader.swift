/// Bounds-checked reading of fixed-width integers and floats from file bytes, in either byte order.
///
/// Every read checks the remaining length first and throws `DataError.truncated` naming the file
/// and the variable being read, so no reader indexes raw bytes directly.
struct ByteReader {
    let bytes: [UInt8]
    var position: Int
    let end: Int
    var bigEndian: Bool
    let file: String
    var variable: String?

    init(_ bytes: [UInt8], range: Range<Int>? = nil, bigEndian: Bool = false, file: String, variable: String? = nil) {
        self.bytes = bytes
        let range = range ?? 0..<bytes.count
        position = range.lowerBound
        end = range.upperBound
        self.bigEndian = bigEndian
        self.file = file
        self.variable = variable
    }

    var remaining: Int { end - position }
    var isAtEnd: Bool { position >= end }

    func truncated(_ what: String) -> DataError {
        DataError(.truncated, file: file, variable: variable, "file ends inside \(what) (at byte \(position))")
    }

    func malformed(_ problem: String) -> DataError {
        DataError(.malformed, file: file, variable: variable, problem)
    }

    /// Checks that `count` bytes remain, for a structure described by `what`.
    func require(_ count: Int, for what: String) throws {
        guard count >= 0, count <= remaining else { throw truncated(what) }
    }

    mutating func skip(_ count: Int, for what: String) throws {
        try require(count, for: what)
        position += count
    }

    mutating func readBytes(_ count: Int, for what: String) throws -> ArraySlice<UInt8> {
        try require(count, for: what)
        defer { position += count }
        return bytes[position..<(position + count)]
    }

    /// An unsigned integer of `width` bytes in the reader's byte order.
    mutating func readUnsigned(width: Int, for what: String) throws -> UInt64 {
        try require(width, for: what)
        var value: UInt64 = 0
        for offset in 0..<width {
            let byte = UInt64(bytes[position + (bigEndian ? offset : width - 1 - offset)])
            value = value << 8 | byte
        }
        position += width
        return value
    }

    mutating func readUInt16(for what: String) throws -> UInt16 {
        UInt16(truncatingIfNeeded: try readUnsigned(width: 2, for: what))
    }

    mutating func readUInt32(for what: String) throws -> UInt32 {
        UInt32(truncatingIfNeeded: try readUnsigned(width: 4, for: what))
    }

    mutating func readUInt64(for what: String) throws -> UInt64 {
        try readUnsigned(width: 8, for: what)
    }

    mutating func readInt32(for what: String) throws -> Int32 {
        Int32(bitPattern: try readUInt32(for: what))
    }
}
