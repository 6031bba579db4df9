/// Reader of NumPy `.npy` arrays (format versions 1.0, 2.0 and 3.0; NEP 1).
///
/// Layout: magic `\x93NUMPY`, major and minor version bytes, a little-endian header length
/// (2 bytes in 1.0, 4 in 2.0/3.0), then a Python dict literal with `descr`, `fortran_order` and
/// `shape`, then the raw data. Object arrays (`|O`) are pickles and are refused: unpickling runs code.
public enum NPYFile {
    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    /// Parses a complete `.npy` file held in memory as the variable `variable`.
    public static func read<Bytes: Collection>(_ bytes: Bytes, file: String, variable: String) throws -> Variable
    where Bytes.Element == UInt8 {
        let bytes = Array(bytes)
        var reader = ByteReader(bytes, file: file, variable: variable)
        let fail = { (kind: DataError.Kind, problem: String) in
            DataError(kind, file: file, variable: variable, problem)
        }
        guard bytes.starts(with: magic) else { throw fail(.wrongFormat, "not a .npy array (no \\x93NUMPY magic)") }
        reader.position = magic.count
        let major = try reader.readUnsigned(width: 1, for: "the .npy version")
        _ = try reader.readUnsigned(width: 1, for: "the .npy version")
        let headerLength: Int
        switch major {
        case 1: headerLength = Int(try reader.readUInt16(for: "the .npy header length"))
        case 2, 3: headerLength = Int(try reader.readUInt32(for: "the .npy header length"))
        default: throw fail(.wrongFormat, "unsupported .npy format version \(major)")
        }
        let headerBytes = try reader.readBytes(headerLength, for: "the .npy header")
        let header = try NPYHeader(text: String(decoding: headerBytes, as: UTF8.self), fail: fail)

        var count = 1
        for dim in header.shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            guard !overflow else { throw fail(.malformed, "shape \(header.shape) is impossibly large") }
            count = product
        }
        let needed = count.multipliedReportingOverflow(by: header.type.byteWidth)
        guard !needed.overflow, needed.partialValue <= reader.remaining else {
            throw fail(
                .truncated, "data needs \(count) × \(header.type.byteWidth) bytes but only \(reader.remaining) remain")
        }
        let data = try reader.readBytes(needed.partialValue, for: "the array data")
        var values = decodeElements(data, type: header.type, count: count, bigEndian: header.bigEndian)
        if header.fortranOrder { values = rowMajor(fromColumnMajor: values, shape: header.shape) }
        return Variable(name: variable, shape: header.shape, values: values, elementType: header.type)
    }
}

/// The parsed `.npy` header dict.
struct NPYHeader {
    var type: ElementType
    var bigEndian: Bool
    var fortranOrder: Bool
    var shape: [Int]

    init(text: String, fail: (DataError.Kind, String) -> DataError) throws {
        let literal: PythonLiteral
        do { literal = try PythonLiteral.parse(text) } catch {
            throw fail(.malformed, "cannot parse the .npy header: \(error.message)")
        }
        guard case .string(let descr)? = literal["descr"] else {
            throw fail(.unsupported, "dtype is not a simple type (structured arrays are not supported)")
        }
        guard case .boolean(let fortran)? = literal["fortran_order"] else {
            throw fail(.malformed, ".npy header has no boolean 'fortran_order'")
        }
        guard case .sequence(let dims)? = literal["shape"] else {
            throw fail(.malformed, ".npy header has no 'shape' tuple")
        }
        var shape: [Int] = []
        for dim in dims {
            guard case .integer(let value) = dim, value >= 0 else {
                throw fail(.malformed, ".npy shape has an entry that is not a non-negative integer")
            }
            shape.append(value)
        }
        (type, bigEndian) = try NPYHeader.dtype(descr, fail: fail)
        fortranOrder = fortran
        self.shape = shape
    }

    /// Decodes a dtype string such as `<f8`, `>i4`, `|b1`: byte order, kind, item size.
    static func dtype(_ descr: String, fail: (DataError.Kind, String) -> DataError) throws -> (ElementType, Bool) {
        let characters = Array(descr)
        guard characters.count >= 2 else { throw fail(.unsupported, "unknown dtype '\(descr)'") }
        let hasOrder = "<>|=".contains(characters[0])
        let order = hasOrder ? characters[0] : "="
        let kind = characters[hasOrder ? 1 : 0]
        let size = Int(String(characters[(hasOrder ? 2 : 1)...]))
        if kind == "O" {
            throw fail(.unsupported, "object arrays (pickled Python objects) are refused: save a numeric array")
        }
        let types: [String: ElementType] = [
            "f8": .float64, "f4": .float32, "i1": .int8, "i2": .int16, "i4": .int32, "i8": .int64,
            "u1": .uint8, "u2": .uint16, "u4": .uint32, "u8": .uint64, "b1": .bool,
        ]
        guard let size, let type = types["\(kind)\(size)"] else {
            throw fail(.unsupported, "dtype '\(descr)' is not supported (numeric f4/f8/i1–i8/u1–u8/b1 only)")
        }
        // '=' is native order; NumPy writes '<'/'>' for multi-byte types, so native means little here.
        return (type, order == ">")
    }
}
