/// Parses the contents of one `miMATRIX` element (array flags, dimensions, name, data) into a
/// `Variable`, or records why the variable was skipped.
enum MATMatrixParser {
    /// Parses the matrix whose sub-elements `reader` spans, appending to `file`'s variables or skipped.
    static func parse(_ reader: inout ByteReader, into file: inout DataFile) throws {
        // Flags: first word = class in the low byte, flag bits in the next.
        let flagsElement = try reader.readMATElement()
        guard flagsElement.dataType == .uint32, flagsElement.data.count == 8 else {
            throw reader.malformed("matrix does not start with an 8-byte array-flags element")
        }
        var flagsReader = ByteReader(
            reader.bytes, range: flagsElement.data, bigEndian: reader.bigEndian, file: reader.file)
        let flags = try flagsReader.readUInt32(for: "array flags")
        let classCode = flags & 0xFF

        let shape = try readDimensions(&reader)
        let name = try readName(&reader)
        reader.variable = name

        guard let arrayClass = MATFormat.ArrayClass(rawValue: classCode) else {
            file.skipped[name] = "unknown MAT array class \(classCode)"
            return
        }
        guard var elementType = arrayClass.elementType else {
            file.skipped[name] = "\(arrayClass.name) variables are not supported (save numeric arrays instead)"
            return
        }
        if flags & MATFormat.complexFlag != 0 {
            file.skipped[name] = "complex values are not supported (save the real part)"
            return
        }
        if flags & MATFormat.logicalFlag != 0 { elementType = .bool }

        let count = try elementCount(shape, reader: reader)
        let values = try readValues(&reader, count: count, isChar: arrayClass == .char)
        let orderedValues = rowMajor(fromColumnMajor: values, shape: shape)
        file.variables.append(Variable(name: name, shape: shape, values: orderedValues, elementType: elementType))
    }

    /// Dimensions: an `miINT32` element of at least two entries, none negative.
    static func readDimensions(_ reader: inout ByteReader) throws -> [Int] {
        let element = try reader.readMATElement()
        guard element.dataType == .int32, element.data.count % 4 == 0, element.data.count >= 8 else {
            throw reader.malformed("matrix dimensions are not an int32 array of at least two entries")
        }
        var dimsReader = ByteReader(reader.bytes, range: element.data, bigEndian: reader.bigEndian, file: reader.file)
        var shape: [Int] = []
        while !dimsReader.isAtEnd {
            let dim = Int(try dimsReader.readInt32(for: "matrix dimensions"))
            guard dim >= 0 else { throw reader.malformed("matrix has a negative dimension \(dim)") }
            shape.append(dim)
        }
        return shape
    }

    /// The array name: an `miINT8` element (ASCII).
    static func readName(_ reader: inout ByteReader) throws -> String {
        let element = try reader.readMATElement()
        guard element.dataType == .int8 || element.dataType == .uint8 else {
            throw reader.malformed("matrix has no array-name element")
        }
        return String(decoding: reader.bytes[element.data], as: UTF8.self)
    }

    /// The number of elements, refusing shapes whose product overflows.
    static func elementCount(_ shape: [Int], reader: ByteReader) throws -> Int {
        var count = 1
        for dim in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            guard !overflow, product <= reader.bytes.count * 8 + 8 else {
                throw reader.malformed("dimensions \(shape) are impossibly large for the file")
            }
            count = product
        }
        return count
    }

    /// The real-part data element, decoded from its stored type (which MATLAB may choose narrower
    /// than the class, e.g. a double array stored as `miUINT8`) into Doubles in column-major order.
    static func readValues(_ reader: inout ByteReader, count: Int, isChar: Bool) throws -> [Double] {
        if count == 0, reader.isAtEnd { return [] }
        let element = try reader.readMATElement()
        guard let dataType = element.dataType, let stored = dataType.elementType else {
            throw reader.malformed("data element has type \(element.type), not a numeric type")
        }
        if dataType == .utf8 {
            // UTF-8 char data: decode the text and store its UTF-16 code units like miUINT16 data.
            let units = Array(String(decoding: reader.bytes[element.data], as: UTF8.self).utf16)
            guard units.count == count else {
                throw reader.malformed("char data holds \(units.count) characters but the dimensions need \(count)")
            }
            return units.map(Double.init)
        }
        let needed = count * stored.byteWidth
        guard element.data.count == needed else {
            throw reader.malformed(
                "data holds \(element.data.count) bytes but the dimensions need \(needed) (\(count) × \(stored.rawValue))"
            )
        }
        return decodeElements(reader.bytes[element.data], type: stored, count: count, bigEndian: reader.bigEndian)
    }
}
