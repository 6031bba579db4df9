import JSON

/// The `.safetensors` container (the format PyTorch and NumPy users already read): an 8-byte
/// little-endian header length N, N bytes of JSON describing each tensor (`dtype`, `shape`,
/// `data_offsets` relative to the data section) plus a `__metadata__` string map, then the raw
/// little-endian data. We write F32 only; the header is padded with spaces to 8-byte alignment.
public struct SafeTensors: Equatable, Sendable {
    /// One named float32 tensor.
    public struct Entry: Equatable, Sendable {
        public var name: String
        public var shape: [Int]
        public var values: [Float]
        public init(name: String, shape: [Int], values: [Float]) {
            self.name = name
            self.shape = shape
            self.values = values
        }
    }

    public var metadata: [(key: String, value: String)]
    public var entries: [Entry]

    public init(metadata: [(key: String, value: String)], entries: [Entry]) {
        self.metadata = metadata
        self.entries = entries
    }

    public static func == (lhs: SafeTensors, rhs: SafeTensors) -> Bool {
        lhs.entries == rhs.entries && lhs.metadata.count == rhs.metadata.count
            && zip(lhs.metadata, rhs.metadata).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }

    /// The metadata value under `key`.
    public func metadata(_ key: String) -> String? { metadata.first { $0.key == key }?.value }

    /// The entry called `name`.
    public func entry(_ name: String) -> Entry? { entries.first { $0.name == name } }

    /// The file's bytes.
    public func serialized() -> [UInt8] {
        var header: [(key: String, value: JSON)] = [
            (key: "__metadata__", value: .object(metadata.map { (key: $0.key, value: .string($0.value)) }))
        ]
        var offset = 0
        for entry in entries {
            let size = entry.values.count * 4
            header.append(
                (
                    key: entry.name,
                    value: [
                        "dtype": "F32", "shape": .array(entry.shape.map { .number(Double($0)) }),
                        "data_offsets": [.number(Double(offset)), .number(Double(offset + size))],
                    ]
                ))
            offset += size
        }
        var headerBytes = JSON.object(header).serialized()
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + headerBytes.count + offset)
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: headerBytes)
        for entry in entries {
            for value in entry.values { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        }
        return bytes
    }

    /// Parses and validates a whole file: every way a truncated, corrupt or foreign file can be
    /// wrong is reported with what was expected.
    public init(bytes: [UInt8]) throws(CheckpointError) {
        guard bytes.count >= 8 else { throw CheckpointError("file is \(bytes.count) bytes, too short for a safetensors header") }
        var length: UInt64 = 0
        for i in 0..<8 { length |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard length <= UInt64(bytes.count - 8) else {
            throw CheckpointError(
                "header claims \(length) bytes but the file has \(bytes.count - 8) after the length: truncated or not a safetensors file")
        }
        let headerEnd = 8 + Int(length)
        let header: JSON
        do { header = try JSON.parse(bytes[8..<headerEnd]) } catch {
            throw CheckpointError("header is not valid JSON (\(error)): not a safetensors file or corrupt")
        }
        guard let members = header.objectValue else { throw CheckpointError("header is not a JSON object") }
        var metadata: [(key: String, value: String)] = []
        var described: [(name: String, shape: [Int], start: Int, end: Int)] = []
        let dataLength = bytes.count - headerEnd
        for (name, value) in members {
            if name == "__metadata__" {
                guard let pairs = value.objectValue else { throw CheckpointError("__metadata__ is not an object") }
                for (key, item) in pairs {
                    guard let text = item.stringValue else { throw CheckpointError("__metadata__.\(key) is not a string") }
                    metadata.append((key: key, value: text))
                }
                continue
            }
            guard let dtype = value["dtype"]?.stringValue else { throw CheckpointError("tensor '\(name)' has no dtype") }
            guard dtype == "F32" else { throw CheckpointError("tensor '\(name)' has dtype \(dtype); only F32 is supported") }
            guard let shape = value["shape"]?.arrayValue?.compactMap(\.intValue), shape.count == value["shape"]?.arrayValue?.count,
                shape.allSatisfy({ $0 >= 0 && $0 < 1 << 31 })
            else { throw CheckpointError("tensor '\(name)' has an invalid shape") }
            guard let offsets = value["data_offsets"]?.arrayValue?.compactMap(\.intValue), offsets.count == 2,
                offsets[0] >= 0, offsets[0] <= offsets[1]
            else { throw CheckpointError("tensor '\(name)' has invalid data_offsets") }
            let elements = shape.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
            guard elements < Int.max / 4, offsets[1] - offsets[0] == elements * 4 else {
                throw CheckpointError(
                    "tensor '\(name)': data_offsets span \(offsets[1] - offsets[0]) bytes but shape \(shape) needs \(elements * 4)")
            }
            guard offsets[1] <= dataLength else {
                throw CheckpointError("tensor '\(name)' ends at byte \(offsets[1]) of a \(dataLength)-byte data section: truncated file")
            }
            described.append((name: name, shape: shape, start: offsets[0], end: offsets[1]))
        }
        // The format requires the tensors to tile the data section exactly: no gaps, no overlaps.
        var position = 0
        for item in described.sorted(by: { $0.start < $1.start }) {
            guard item.start == position else {
                throw CheckpointError("tensor '\(item.name)' overlaps another or leaves a gap in the data section")
            }
            position = item.end
        }
        guard position == dataLength else { throw CheckpointError("data section has \(dataLength - position) bytes no tensor describes") }
        var entries: [Entry] = []
        for item in described {
            var values = [Float](repeating: 0, count: (item.end - item.start) / 4)
            for i in values.indices {
                let base = headerEnd + item.start + 4 * i
                let bits =
                    UInt32(bytes[base]) | UInt32(bytes[base + 1]) << 8 | UInt32(bytes[base + 2]) << 16 | UInt32(bytes[base + 3]) << 24
                values[i] = Float(bitPattern: bits)
            }
            entries.append(Entry(name: item.name, shape: item.shape, values: values))
        }
        self.init(metadata: metadata, entries: entries)
    }
}

/// Why a checkpoint could not be used, in words an operator can act on.
public struct CheckpointError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
