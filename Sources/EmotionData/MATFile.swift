import Compression

/// Reader of MATLAB MAT-file v5 (also what MATLAB's default `-v7` writes): both byte orders,
/// `miCOMPRESSED` variables, and numeric, logical and char arrays of any rank.
///
/// Variables of other classes (cell, struct, sparse, objects) and complex arrays are recorded as
/// skipped with the reason, so a file is usable as long as the layout does not need them.
public enum MATFile {
    /// Parses a whole MAT file held in memory; `file` names it in errors.
    public static func read(_ bytes: [UInt8], file: String) throws -> DataFile {
        try checkHeaderIsNotHDF5(bytes, file: file)
        guard bytes.count >= MATFormat.headerSize else {
            throw DataError(
                .truncated, file: file, "file is \(bytes.count) bytes, shorter than the 128-byte MAT header")
        }
        let bigEndian = try byteOrder(bytes, file: file)
        var reader = ByteReader(bytes, bigEndian: bigEndian, file: file)
        reader.position = 126 - 2
        let version = try reader.readUInt16(for: "the header")
        guard version == MATFormat.version else {
            throw DataError(
                .wrongFormat, file: file,
                "unsupported MAT version 0x\(String(version, radix: 16)) (expected 0x0100, i.e. v5/v7)")
        }
        reader.position = MATFormat.headerSize
        var result = DataFile(name: file, variables: [], skipped: [:])
        while !reader.isAtEnd {
            let elementStart = reader.position
            let element = try reader.readMATElement(padded: false)
            switch element.dataType {
            case .matrix:
                // Uncompressed top-level matrices are padded like any element.
                reader.position = min(element.data.upperBound + (8 - element.data.count % 8) % 8, reader.end)
                var inner = ByteReader(bytes, range: element.data, bigEndian: bigEndian, file: file)
                try MATMatrixParser.parse(&inner, into: &result)
            case .compressed:
                let inner = try inflateElement(bytes[element.data], at: elementStart, bigEndian: bigEndian, file: file)
                var innerReader = ByteReader(inner, bigEndian: bigEndian, file: file)
                let innerElement = try innerReader.readMATElement()
                guard innerElement.dataType == .matrix else { continue }
                var matrixReader = ByteReader(inner, range: innerElement.data, bigEndian: bigEndian, file: file)
                try MATMatrixParser.parse(&matrixReader, into: &result)
            default:
                // Other top-level elements carry no variables we could use.
                continue
            }
        }
        return result
    }

    /// MAT v7.3 files are HDF5 containers with a MAT-style text header: say how to convert them.
    static func checkHeaderIsNotHDF5(_ bytes: [UInt8], file: String) throws {
        let text = String(decoding: bytes.prefix(116), as: UTF8.self)
        let hasSignature = bytes.count >= 520 && Array(bytes[512..<520]) == MATFormat.hdf5Signature
        let startsWithSignature = bytes.starts(with: MATFormat.hdf5Signature)
        if text.contains("MATLAB 7.3") || hasSignature || startsWithSignature {
            throw DataError(
                .hdf5, file: file,
                "this is a MAT v7.3 (HDF5) file, which is not supported: re-save it in MATLAB with save(filename, '-v7')"
            )
        }
    }

    /// The endian indicator is the characters "IM" when written little-endian, "MI" big-endian.
    static func byteOrder(_ bytes: [UInt8], file: String) throws -> Bool {
        switch (bytes[126], bytes[127]) {
        case (UInt8(ascii: "I"), UInt8(ascii: "M")): return false
        case (UInt8(ascii: "M"), UInt8(ascii: "I")): return true
        default:
            throw DataError(
                .wrongFormat, file: file, "not a MAT v5 file: no 'IM'/'MI' endian indicator at byte 126")
        }
    }

    /// Decompresses one `miCOMPRESSED` element, reading its inner tag first so that the output is
    /// bounded by what the element claims, and that claim by what its compressed size allows.
    static func inflateElement(
        _ compressed: ArraySlice<UInt8>, at offset: Int, bigEndian: Bool, file: String
    ) throws -> [UInt8] {
        let place = "compressed variable at byte \(offset)"
        do {
            let stream = try InflateStream(compressed, format: .zlib)
            let tag = try stream.read(upTo: 8)
            guard tag.count == 8 else {
                throw DataError(.truncated, file: file, "\(place) holds no complete data element")
            }
            var tagReader = ByteReader(tag, bigEndian: bigEndian, file: file)
            _ = try tagReader.readUInt32(for: "the tag of a \(place)")
            let size = Int(try tagReader.readUInt32(for: "the tag of a \(place)"))
            let ceiling = compressed.count * MATFormat.maximumInflationRatio + 64
            guard size <= ceiling else {
                throw DataError(
                    .malformed, file: file,
                    "\(place) claims \(size) bytes, more than \(compressed.count) compressed bytes can hold")
            }
            let body = try stream.read(upTo: size)
            guard body.count == size else {
                throw DataError(.truncated, file: file, "\(place) ends after \(body.count) of its \(size) bytes")
            }
            return tag + body
        } catch let error as CompressionError {
            switch error {
            case .truncated: throw DataError(.truncated, file: file, "\(place): \(error)")
            default: throw DataError(.malformed, file: file, "\(place): \(error)")
            }
        }
    }
}
