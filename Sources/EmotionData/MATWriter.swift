import Compression

/// Writer of little-endian MAT v5 files holding double or single numeric arrays, each optionally
/// wrapped in `miCOMPRESSED` (what MATLAB's `save -v7` does).
///
/// The output is a pure function of the input (no date in the header) so that a corpus generated
/// from a seed is byte-identical across runs.
public enum MATWriter {
    /// Encodes `variables` (row-major values, written column-major as MATLAB expects).
    /// Variables of any element type other than `.float32` are written as double.
    public static func encode(_ variables: [Variable], compressed: Bool) throws -> [UInt8] {
        var output = header()
        for variable in variables {
            let matrix = try matrixElement(variable)
            if compressed {
                let packed = try Deflate.zlib(matrix)
                appendTag(type: .compressed, size: packed.count, to: &output)
                output += packed
            } else {
                output += matrix
            }
        }
        return output
    }

    /// The 128-byte header: descriptive text padded with spaces, zero subsystem offset, version, "IM".
    static func header() -> [UInt8] {
        var text = Array("MATLAB 5.0 MAT-file, Platform: mpcl, written by EmotionData.MATWriter".utf8)
        text += [UInt8](repeating: 0x20, count: 116 - text.count)
        return text + [UInt8](repeating: 0, count: 8) + [0x00, 0x01] + Array("IM".utf8)
    }

    /// A complete `miMATRIX` element (tag included) for one numeric variable.
    static func matrixElement(_ variable: Variable) throws -> [UInt8] {
        guard variable.values.count == variable.count else {
            throw DataError(.shapeMismatch, file: "(writing)", variable: variable.name, "values do not fill the shape")
        }
        let single = variable.elementType == .float32
        var shape = variable.shape
        while shape.count < 2 { shape.append(1) }
        var body: [UInt8] = []
        let arrayClass: MATFormat.ArrayClass = single ? .single : .double
        appendElement(
            type: .uint32, payload: littleEndian(UInt32(arrayClass.rawValue)) + littleEndian(UInt32(0)), to: &body)
        appendElement(
            type: .int32, payload: shape.flatMap { littleEndian(UInt32(truncatingIfNeeded: Int32($0))) }, to: &body)
        appendElement(type: .int8, payload: Array(variable.name.utf8), to: &body)
        let ordered = columnMajor(fromRowMajor: variable.values, shape: shape)
        if single {
            appendElement(type: .single, payload: ordered.flatMap { littleEndian(Float($0).bitPattern) }, to: &body)
        } else {
            appendElement(type: .double, payload: ordered.flatMap { littleEndian($0.bitPattern) }, to: &body)
        }
        var element: [UInt8] = []
        appendTag(type: .matrix, size: body.count, to: &element)
        return element + body
    }

    /// Appends a sub-element, in the small format when the payload fits in 4 bytes, padded to 8.
    static func appendElement(type: MATFormat.DataType, payload: [UInt8], to output: inout [UInt8]) {
        if payload.count <= 4 && !payload.isEmpty {
            output += littleEndian(UInt32(payload.count) << 16 | type.rawValue)
            output += payload + [UInt8](repeating: 0, count: 4 - payload.count)
            return
        }
        appendTag(type: type, size: payload.count, to: &output)
        output += payload
        output += [UInt8](repeating: 0, count: (8 - payload.count % 8) % 8)
    }

    static func appendTag(type: MATFormat.DataType, size: Int, to output: inout [UInt8]) {
        output += littleEndian(type.rawValue) + littleEndian(UInt32(truncatingIfNeeded: size))
    }

    static func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }
}
