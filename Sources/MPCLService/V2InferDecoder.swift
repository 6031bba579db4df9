import JSON
import MPCL

/// A decoded V2 `infer` body, before it meets the batcher.
struct DecodedInferBody<Target: PredictTarget> {
    let target: Target
    /// windows × featureCount raw features, row-major (eeg | peripheral | face per row).
    var features: [Float]
    var windows: Int
    /// The client's statistics (per-subject models only).
    var calibration: FeatureNormalization?
    /// The request's `id`, echoed in the response.
    var id: String?
    /// Whether `distribution` goes back as binary tensor data.
    var binaryOutput: Bool
}

/// `POST /v2/models/{name}/infer` bodies → features (the shapes `V2Codec` documents), read straight
/// from the bytes: the `data` numbers of the inputs go into the feature buffer without a JSON tree
/// (docs/PERFORMANCE.md), as `/predict` windows do (`PredictRequestDecoder`).
///
/// Two passes over the JSON header: `TopLevelIndex` checks the grammar of the whole document (a
/// malformed header is a 400 whatever else is wrong with it) and notes where `id`, `parameters`,
/// `outputs` and `inputs` start; the second pass reads them in the protocol's order — id,
/// parameters, outputs, then each input (name, datatype, shape, binary size, data), then the
/// batch checks across inputs — and throws the first refusal, so every error is the one a check
/// on a parsed tree in that order would give.
///
/// Where the numbers go: the first input named eeg, peripheral or face whose shape the model takes
/// allocates the rows × featureCount buffer, and each such input then writes its values straight
/// into its columns of it. An input that cannot end in an accepted request (another batch size,
/// more than `maxWindows` rows, a name the model ignores) is still read and checked whole, its
/// values dropped. The buffer is allocated only when the body could carry that many values (a
/// JSON number takes at least 2 header bytes, a binary one at least 1 tail byte), so a small body
/// claiming a large shape costs no memory: the body budget charges per body byte (docs/SERVICE.md
/// "Memory").
struct V2InferDecoder<Target: PredictTarget> {
    let target: Target
    let maxWindows: Int

    static var topLevelMembers: Set<String> { ["id", "parameters", "outputs", "inputs"] }

    /// `body` is the whole (decoded) request body; its first `headerLength` bytes are the JSON
    /// header and the rest the binary tensor data (`V2RequestBody`).
    func decode(_ body: UnsafeBufferPointer<UInt8>, headerLength: Int) throws(ServiceError) -> DecodedInferBody<Target> {
        let bytes = UnsafeBufferPointer(rebasing: body[..<headerLength])
        let binary = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(body)[headerLength...])
        let document = try TopLevelIndex(bytes, interesting: Self.topLevelMembers)
        guard document.kind == .object else { throw .invalidType("body", expected: "an object", found: document.kind) }
        let header = CheckedJSON(bytes: bytes)
        var id: String?
        if let member = document["id"] {
            guard member.kind == .string else { throw .invalidType("id", expected: "a string", found: member.kind) }
            id = try header.string(at: member.offset)
        }
        var binaryOutput = false
        if let parameters = document["parameters"] {
            guard parameters.kind == .object else { throw .invalidType("parameters", expected: "an object", found: parameters.kind) }
            if let flag = try header.members(at: parameters.offset, ["binary_data_output"])["binary_data_output"] {
                guard flag.kind == .bool else {
                    throw .invalidType("parameters.binary_data_output", expected: "a boolean", found: flag.kind)
                }
                binaryOutput = try header.bool(at: flag.offset)
            }
        }
        if let outputs = document["outputs"] { binaryOutput = try requestedOutputs(header, outputs, binaryByDefault: binaryOutput) }
        guard let inputs = document["inputs"] else { throw .missing("inputs") }
        guard inputs.kind == .array else { throw .invalidType("inputs", expected: "an array", found: inputs.kind) }
        var tensors = V2Tensors(
            layout: target.layout, needsCalibration: target.needsCalibration, maxWindows: maxWindows,
            maxValues: headerLength / 2 + binary.count)
        var binaryOffset = 0
        var elements = try header.elements(at: inputs.offset)
        var index = 0
        while let offset = try elements.next() {
            try input(header, at: offset, index: index, binary: binary, binaryOffset: &binaryOffset, into: &tensors)
            index += 1
        }
        guard binaryOffset == binary.count else {
            throw ServiceError(
                .badRequest, "invalid_binary_data",
                "\(binary.count - binaryOffset) bytes after the JSON header belong to no input (binary_data_size)")
        }
        let (features, rows, calibration) = try tensors.assemble()
        return DecodedInferBody(
            target: target, features: features, windows: rows, calibration: calibration, id: id, binaryOutput: binaryOutput)
    }

    /// Checks `outputs`: only `distribution` exists, named at most once; returns whether it is
    /// wanted as binary data (`parameters.binary_data`, else the request-wide default).
    private func requestedOutputs(_ header: CheckedJSON, _ outputs: TopLevelIndex.Member, binaryByDefault: Bool) throws(ServiceError)
        -> Bool
    {
        guard outputs.kind == .array else { throw .invalidType("outputs", expected: "an array of objects", found: outputs.kind) }
        var binary = binaryByDefault
        var elements = try header.elements(at: outputs.offset)
        var index = 0
        while let offset = try elements.next() {
            defer { index += 1 }
            let field = "outputs[\(index)]"
            let kind = try header.kind(at: offset)
            guard kind == .object else { throw .invalidType(field, expected: "an object", found: kind) }
            let members = try header.members(at: offset, ["name", "parameters"])
            guard let name = members["name"], name.kind == .string else { throw .missing("\(field).name", what: "must be a string") }
            let text = try header.string(at: name.offset)
            guard text == V2Codec.outputName else {
                throw ServiceError(
                    .badRequest, "unknown_output",
                    "\(field) is named '\(text.prefix(64))'; the model's only output is \(V2Codec.outputName)", field: "\(field).name")
            }
            guard index == 0 else { throw ServiceError(.badRequest, "duplicate_output", "output \(text) is requested twice", field: field) }
            guard let parameters = members["parameters"] else { continue }
            guard parameters.kind == .object else {
                throw .invalidType("\(field).parameters", expected: "an object", found: parameters.kind)
            }
            let flags = try header.members(at: parameters.offset, ["classification", "binary_data"])
            if flags["classification"] != nil {
                throw ServiceError(
                    .badRequest, "unsupported_parameter", "the classification extension is not supported; read the distribution",
                    field: "\(field).parameters.classification")
            }
            if let flag = flags["binary_data"] {
                guard flag.kind == .bool else {
                    throw .invalidType("\(field).parameters.binary_data", expected: "a boolean", found: flag.kind)
                }
                binary = try header.bool(at: flag.offset)
            }
        }
        return binary
    }

    /// Input `index`, the value at `offset`: its name, datatype and shape checked, its values read
    /// (from `data`, or from the binary tail at `binaryOffset`) into `tensors`.
    private func input(
        _ header: CheckedJSON, at offset: Int, index: Int, binary: UnsafeRawBufferPointer, binaryOffset: inout Int,
        into tensors: inout V2Tensors
    ) throws(ServiceError) {
        let field = "inputs[\(index)]"
        let kind = try header.kind(at: offset)
        guard kind == .object else { throw .invalidType(field, expected: "an object", found: kind) }
        let members = try header.members(at: offset, ["name", "datatype", "shape", "parameters", "data"])
        guard let nameMember = members["name"], nameMember.kind == .string else {
            throw .missing("\(field).name", what: "must be a string")
        }
        let name = try header.string(at: nameMember.offset)
        guard V2Codec.inputNames.contains(name) || (target.needsCalibration && name.hasPrefix("calibration_")) else {
            throw ServiceError(
                .badRequest, "unknown_input",
                "\(field) is named '\(name.prefix(64))'; the model takes \(V2Codec.inputNames.joined(separator: ", "))",
                field: "\(field).name")
        }
        guard !tensors.contains(name) else {
            throw ServiceError(.badRequest, "duplicate_input", "input \(name) is given twice", field: field)
        }
        let datatype = try Self.datatype(header, members["datatype"], name: name, field: "\(field).datatype")
        let shape = try Self.shape(header, members["shape"], name: name, field: "\(field).shape")
        guard let expected = shape.valueCount else {
            throw .invalidShape("\(name) shape \(shape) holds more values than any request can", field: "\(field).shape")
        }
        if let size = try Self.binaryDataSize(header, members["parameters"], field: field) {
            guard members["data"] == nil else {
                throw ServiceError(
                    .badRequest, "invalid_input", "\(name) has both data and binary_data_size; send one", field: "\(field).data")
            }
            let (needed, overflow) = expected.multipliedReportingOverflow(by: datatype.byteWidth)
            guard !overflow, size == needed else {
                throw .invalidShape(
                    "\(name) has \(size) bytes of binary data but its shape \(shape) of \(datatype.rawValue) needs \(overflow ? "more" : String(needed))",
                    field: "\(field).parameters.binary_data_size")
            }
            guard size <= binary.count - binaryOffset else {
                throw ServiceError(
                    .badRequest, "invalid_binary_data",
                    "\(name) needs \(size) bytes of binary data but only \(binary.count - binaryOffset) remain after the JSON header",
                    field: "\(field).parameters.binary_data_size")
            }
            let bytes = UnsafeRawBufferPointer(rebasing: binary[binaryOffset..<(binaryOffset + size)])
            var sink = tensors.sink(for: name, shape: shape, count: expected)
            for element in 0..<expected {
                tensors.put(try featureValue(datatype.element(bytes, element), field: "\(field) element \(element)"), &sink)
            }
            binaryOffset += size
        } else {
            guard let data = members["data"] else { throw .missing("\(field).data") }
            guard data.kind == .array else { throw .invalidType("\(field).data", expected: "an array", found: data.kind) }
            var sink = tensors.sink(for: name, shape: shape, count: expected)
            let count = try Self.data(header, at: data.offset, datatype, field: "\(field).data", into: &tensors, sink: &sink)
            guard count == expected else {
                throw .invalidShape("\(name) has \(count) values but its shape \(shape) needs \(expected)", field: "\(field).data")
            }
        }
        tensors.add(name, shape: shape)
    }

    /// Reads the `data` array at `offset` depth-first (row-major, flat or nested as the protocol
    /// allows) through `sink`; returns how many numbers it holds. The first element that is not a
    /// number of `datatype` (integer datatypes take integers only) or lies beyond ±1e9 is refused.
    private static func data(
        _ header: CheckedJSON, at offset: Int, _ datatype: V2Datatype, field: String, into tensors: inout V2Tensors,
        sink: inout V2Tensors.Sink
    ) throws(ServiceError) -> Int {
        try PredictRequestDecoder.validated { () throws(JSONParseError) -> Result<Int, ServiceError> in
            var reader = JSONReader(bytes: header.bytes)
            reader.offset = offset
            try reader.beginArray()
            var open = 1
            var first = true
            var count = 0
            while open > 0 {
                guard try reader.nextElement(first: first) else {
                    open -= 1
                    first = false
                    continue
                }
                first = false
                let kind = try reader.peekKind()
                switch kind {
                case .array:
                    try reader.beginArray()
                    open += 1
                    first = true
                case .number:
                    let number = try reader.readNumber()
                    if datatype.isInteger, number.rounded() != number {
                        return .failure(
                            ServiceError(
                                .badRequest, "invalid_type", "\(field) holds \(number), not an integer of \(datatype.rawValue)",
                                field: field))
                    }
                    if abs(number) <= maximumFeatureMagnitude {
                        tensors.put(Float(number), &sink)
                    } else {
                        do throws(ServiceError) { _ = try featureValue(number, field: field) } catch { return .failure(error) }
                    }
                    count += 1
                default:
                    return .failure(.invalidType(field, expected: "numbers", found: kind))
                }
            }
            return .success(count)
        }.get()
    }

    private static func datatype(_ header: CheckedJSON, _ member: CheckedJSON.Member?, name: String, field: String)
        throws(ServiceError) -> V2Datatype
    {
        guard let member, member.kind == .string else { throw .missing(field, what: "must be a string such as FP32") }
        let text = try header.string(at: member.offset)
        if let datatype = V2Datatype(rawValue: text) { return datatype }
        let numeric = V2Datatype.allCases.map(\.rawValue).joined(separator: ", ")
        if V2Datatype.nonNumeric.contains(text) {
            throw ServiceError(
                .badRequest, "invalid_datatype", "\(name) has datatype \(text); the model takes numbers (\(numeric))", field: field)
        }
        throw ServiceError(
            .badRequest, "invalid_datatype", "\(name) has unknown datatype '\(text.prefix(32))'; use one of \(numeric)", field: field)
    }

    /// The dimensions of `shape`: integers in 0...2²⁴ (integral numbers as `JSON.intValue` reads them).
    private static func shape(_ header: CheckedJSON, _ member: CheckedJSON.Member?, name: String, field: String) throws(ServiceError)
        -> V2Shape
    {
        guard let member, member.kind == .array else { throw .missing(field, what: "must be an array of integers") }
        var shape = V2Shape()
        var elements = try header.elements(at: member.offset)
        while let offset = try elements.next() {
            let size = try header.kind(at: offset) == .number ? JSON.number(try header.number(at: offset)).intValue : nil
            guard let size, size >= 0, size <= 1 << 24 else {
                throw ServiceError(.badRequest, "invalid_shape", "\(name) shape must hold non-negative integers", field: field)
            }
            shape.append(size)
        }
        return shape
    }

    /// `parameters.binary_data_size` of an input, if it has one.
    private static func binaryDataSize(_ header: CheckedJSON, _ parameters: CheckedJSON.Member?, field: String) throws(ServiceError)
        -> Int?
    {
        guard let parameters else { return nil }
        guard parameters.kind == .object else {
            throw .invalidType("\(field).parameters", expected: "an object", found: parameters.kind)
        }
        guard let size = try header.members(at: parameters.offset, ["binary_data_size"])["binary_data_size"] else { return nil }
        let value = size.kind == .number ? JSON.number(try header.number(at: size.offset)).intValue : nil
        guard let bytes = value, bytes >= 0 else {
            throw .invalidType("\(field).parameters.binary_data_size", expected: "a non-negative integer", found: size.kind)
        }
        return bytes
    }
}
