/// The stored type of one array element, shared by the MAT and NumPy readers so that the
/// conversion to numbers is written once.
public enum ElementType: String, Equatable, Sendable {
    case float64, float32
    case int8, int16, int32, int64
    case uint8, uint16, uint32, uint64
    case bool
    /// Character codes (MAT char arrays, UTF-16 code units or UTF-8 bytes).
    case char

    /// Bytes per element as stored.
    public var byteWidth: Int {
        switch self {
        case .float64, .int64, .uint64: return 8
        case .float32, .int32, .uint32: return 4
        case .int16, .uint16: return 2
        case .int8, .uint8, .bool: return 1
        case .char: return 2
        }
    }
}

/// Decodes `count` elements of `type` from `bytes` (in the given byte order) into Doubles.
///
/// 64-bit integers beyond 2^53 lose precision in Double; feature files do not hold such values.
func decodeElements(
    _ bytes: ArraySlice<UInt8>, type: ElementType, count: Int, bigEndian: Bool
) -> [Double] {
    let width = type == .char ? 2 : type.byteWidth
    precondition(bytes.count >= count * width, "caller checks the length")
    var values = [Double](repeating: 0, count: count)
    bytes.withUnsafeBufferPointer { raw in
        for index in 0..<count {
            var bits: UInt64 = 0
            let base = index * width
            for offset in 0..<width {
                let byte = UInt64(raw[base + (bigEndian ? offset : width - 1 - offset)])
                bits = bits << 8 | byte
            }
            switch type {
            case .float64: values[index] = Double(bitPattern: bits)
            case .float32: values[index] = Double(Float(bitPattern: UInt32(truncatingIfNeeded: bits)))
            case .int8: values[index] = Double(Int8(truncatingIfNeeded: bits))
            case .int16: values[index] = Double(Int16(truncatingIfNeeded: bits))
            case .int32: values[index] = Double(Int32(truncatingIfNeeded: bits))
            case .int64: values[index] = Double(Int64(bitPattern: bits))
            case .uint8, .uint16, .uint32, .uint64, .char: values[index] = Double(bits)
            case .bool: values[index] = bits == 0 ? 0 : 1
            }
        }
    }
    return values
}
