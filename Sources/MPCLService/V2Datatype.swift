/// The Open Inference Protocol's tensor datatypes, as far as an MPCL model can take them.
///
/// The model computes in FP32. Every numeric datatype converts to it: integers and FP64 by
/// rounding to the nearest Float (values beyond ±1e9 are refused as for `/predict`), FP16 and BF16
/// exactly. BOOL and BYTES carry no feature values and are refused with a 400 that says so.
enum V2Datatype: String, CaseIterable, Sendable {
    case fp32 = "FP32"
    case fp64 = "FP64"
    case fp16 = "FP16"
    case bf16 = "BF16"
    case int8 = "INT8"
    case int16 = "INT16"
    case int32 = "INT32"
    case int64 = "INT64"
    case uint8 = "UINT8"
    case uint16 = "UINT16"
    case uint32 = "UINT32"
    case uint64 = "UINT64"

    /// Datatypes of the protocol that hold no numbers.
    static let nonNumeric: Set<String> = ["BOOL", "BYTES"]

    /// Bytes per element in the binary tensor data extension (native size, little-endian).
    var byteWidth: Int {
        switch self {
        case .int8, .uint8: return 1
        case .fp16, .bf16, .int16, .uint16: return 2
        case .fp32, .int32, .uint32: return 4
        case .fp64, .int64, .uint64: return 8
        }
    }

    var isInteger: Bool {
        switch self {
        case .fp32, .fp64, .fp16, .bf16: return false
        default: return true
        }
    }

    /// Element `index` of little-endian `bytes` (already checked to hold it), widened to Double.
    func element(_ bytes: UnsafeRawBufferPointer, _ index: Int) -> Double {
        let offset = index * byteWidth
        func load<T: FixedWidthInteger>(_: T.Type) -> T { T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self)) }
        switch self {
        case .fp32: return Double(Float(bitPattern: load(UInt32.self)))
        case .fp64: return Double(bitPattern: load(UInt64.self))
        case .fp16: return Double(Self.halfToFloat(load(UInt16.self)))
        // bfloat16 is the upper half of an IEEE binary32.
        case .bf16: return Double(Float(bitPattern: UInt32(load(UInt16.self)) << 16))
        case .int8: return Double(load(Int8.self))
        case .int16: return Double(load(Int16.self))
        case .int32: return Double(load(Int32.self))
        case .int64: return Double(load(Int64.self))
        case .uint8: return Double(load(UInt8.self))
        case .uint16: return Double(load(UInt16.self))
        case .uint32: return Double(load(UInt32.self))
        case .uint64: return Double(load(UInt64.self))
        }
    }

    /// IEEE 754 binary16 → binary32, exactly: sign, 5-bit exponent (bias 15), 10-bit fraction;
    /// subnormals are fraction × 2⁻²⁴, exponent 31 is infinity or NaN (refused later as non-finite).
    static func halfToFloat(_ bits: UInt16) -> Float {
        let sign: Float = bits & 0x8000 != 0 ? -1 : 1
        let exponent = Int((bits >> 10) & 0x1F)
        let fraction = Float(bits & 0x3FF)
        switch exponent {
        case 0: return sign * fraction * 0x1p-24
        case 31: return fraction == 0 ? sign * .infinity : .nan
        default: return sign * (1 + fraction / 1024) * Float(sign: .plus, exponent: exponent - 15, significand: 1)
        }
    }
}
