/// Constants of the MAT-file v5 format (MathWorks, "MAT-File Format", R2024a, chapter 1).
enum MATFormat {
    /// The header: 116 bytes of text, 8 of subsystem offset, 2 of version, 2 of endian indicator.
    static let headerSize = 128
    /// Version 0x0100 in the file's byte order; v7.3 (HDF5) writes 0x0200.
    static let version: UInt16 = 0x0100
    /// The 8-byte signature of an HDF5 file, found at offset 512 in MAT v7.3 files.
    static let hdf5Signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]
    /// DEFLATE cannot expand data by more than about 1032:1; a compressed element whose inner
    /// size claims more than that is lying, and is refused before anything is allocated.
    static let maximumInflationRatio = 1032

    /// Data element types (`mi*`).
    enum DataType: UInt32 {
        case int8 = 1, uint8 = 2, int16 = 3, uint16 = 4, int32 = 5, uint32 = 6, single = 7, double = 9
        case int64 = 12, uint64 = 13, matrix = 14, compressed = 15, utf8 = 16, utf16 = 17, utf32 = 18

        /// How a numeric data element's bytes decode; nil for containers and text encodings.
        var elementType: ElementType? {
            switch self {
            case .int8: return .int8
            case .uint8: return .uint8
            case .int16: return .int16
            case .uint16, .utf16: return .uint16
            case .int32: return .int32
            case .uint32, .utf32: return .uint32
            case .single: return .float32
            case .double: return .float64
            case .int64: return .int64
            case .uint64: return .uint64
            case .utf8: return .uint8
            case .matrix, .compressed: return nil
            }
        }
    }

    /// Array classes (`mx*_CLASS`) in the array-flags sub-element.
    enum ArrayClass: UInt32 {
        case cell = 1, structure = 2, object = 3, char = 4, sparse = 5, double = 6, single = 7
        case int8 = 8, uint8 = 9, int16 = 10, uint16 = 11, int32 = 12, uint32 = 13, int64 = 14, uint64 = 15
        case function = 16, opaque = 17

        /// The element type a variable of this class reports; nil when we do not read the class.
        var elementType: ElementType? {
            switch self {
            case .double: return .float64
            case .single: return .float32
            case .int8: return .int8
            case .uint8: return .uint8
            case .int16: return .int16
            case .uint16: return .uint16
            case .int32: return .int32
            case .uint32: return .uint32
            case .int64: return .int64
            case .uint64: return .uint64
            case .char: return .char
            case .cell, .structure, .object, .sparse, .function, .opaque: return nil
            }
        }

        var name: String {
            switch self {
            case .cell: return "cell array"
            case .structure: return "struct"
            case .object: return "object"
            case .sparse: return "sparse matrix"
            case .function: return "function handle"
            case .opaque: return "opaque object"
            default: return "\(self)"
            }
        }
    }

    /// Array-flag bits (second byte of the first flags word).
    static let complexFlag: UInt32 = 0x0800
    static let logicalFlag: UInt32 = 0x0200
}
