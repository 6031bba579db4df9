#if SERVICE_DECODER
    import JSON
    import MPCL
    @testable import MPCLService

    /// The service's V2 `infer` decoder as it was before it read bytes without a tree: `JSON.parse`
    /// of the header, then checks on the tree. Kept here, and only here, as the reference
    /// `V2InferDecoder` must match exactly (same result or the same error, message and field
    /// included) on every input the fuzzer makes: the old product code, like `TreePredictDecoder`.
    enum TreeV2Decoder {
        static func decode(_ body: JSON, binary: ArraySlice<UInt8>, model: FuzzTarget, maxWindows: Int) throws(ServiceError)
            -> DecodedInferBody<FuzzTarget>
        {
            guard case .object = body else { throw .invalidType("body", expected: "an object", found: body) }
            if let id = body["id"], id.stringValue == nil { throw .invalidType("id", expected: "a string", found: id) }
            var binaryOutput = false
            if let parameters = body["parameters"] {
                guard parameters.objectValue != nil else { throw .invalidType("parameters", expected: "an object", found: parameters) }
                if let flag = parameters["binary_data_output"] {
                    guard let value = flag.boolValue else {
                        throw .invalidType("parameters.binary_data_output", expected: "a boolean", found: flag)
                    }
                    binaryOutput = value
                }
            }
            if let outputs = body["outputs"] { binaryOutput = try requestedOutputs(outputs, binaryByDefault: binaryOutput) }
            guard let list = body["inputs"] else { throw .missing("inputs") }
            guard case .array(let inputs) = list else { throw .invalidType("inputs", expected: "an array", found: list) }
            var tensors: [String: (shape: [Int], data: [Float])] = [:]
            var binaryOffset = binary.startIndex
            for (index, input) in inputs.enumerated() {
                let field = "inputs[\(index)]"
                guard case .object = input else { throw .invalidType(field, expected: "an object", found: input) }
                guard let name = input["name"]?.stringValue else { throw .missing("\(field).name", what: "must be a string") }
                guard V2Codec.inputNames.contains(name) || (model.needsCalibration && name.hasPrefix("calibration_")) else {
                    throw ServiceError(
                        .badRequest, "unknown_input",
                        "\(field) is named '\(name.prefix(64))'; the model takes \(V2Codec.inputNames.joined(separator: ", "))",
                        field: "\(field).name")
                }
                guard tensors[name] == nil else {
                    throw ServiceError(.badRequest, "duplicate_input", "input \(name) is given twice", field: field)
                }
                let datatype = try Self.datatype(input["datatype"], name: name, field: "\(field).datatype")
                let shape = try Self.shape(input["shape"], name: name, field: "\(field).shape")
                // Each dimension is bounded, their product is not: multiply without trapping on overflow.
                var expected = 1
                for dimension in shape {
                    let (product, overflow) = expected.multipliedReportingOverflow(by: dimension)
                    guard !overflow else {
                        throw .invalidShape(
                            "\(name) shape \(V2Shape(shape)) holds more values than any request can", field: "\(field).shape")
                    }
                    expected = product
                }
                let values: [Float]
                if let size = try binaryDataSize(input, field: field) {
                    guard input["data"] == nil else {
                        throw ServiceError(
                            .badRequest, "invalid_input", "\(name) has both data and binary_data_size; send one", field: "\(field).data")
                    }
                    let (needed, overflow) = expected.multipliedReportingOverflow(by: datatype.byteWidth)
                    guard !overflow, size == needed else {
                        throw .invalidShape(
                            "\(name) has \(size) bytes of binary data but its shape \(V2Shape(shape)) of \(datatype.rawValue) needs \(overflow ? "more" : String(needed))",
                            field: "\(field).parameters.binary_data_size")
                    }
                    guard size <= binary.endIndex - binaryOffset else {
                        throw ServiceError(
                            .badRequest, "invalid_binary_data",
                            "\(name) needs \(size) bytes of binary data but only \(binary.endIndex - binaryOffset) remain after the JSON header",
                            field: "\(field).parameters.binary_data_size")
                    }
                    values = try decodeBinary(binary[binaryOffset..<(binaryOffset + size)], datatype, count: expected, field: "\(field)")
                    binaryOffset += size
                } else {
                    guard let data = input["data"] else { throw .missing("\(field).data") }
                    guard case .array = data else { throw .invalidType("\(field).data", expected: "an array", found: data) }
                    var flat: [Float] = []
                    try flatten(data, datatype, field: "\(field).data", into: &flat)
                    guard flat.count == expected else {
                        throw .invalidShape(
                            "\(name) has \(flat.count) values but its shape \(V2Shape(shape)) needs \(expected)", field: "\(field).data")
                    }
                    values = flat
                }
                tensors[name] = (shape, values)
            }
            guard binaryOffset == binary.endIndex else {
                throw ServiceError(
                    .badRequest, "invalid_binary_data",
                    "\(binary.endIndex - binaryOffset) bytes after the JSON header belong to no input (binary_data_size)")
            }
            let (features, rows, calibration) = try assemble(tensors, model: model, maxWindows: maxWindows)
            return DecodedInferBody(
                target: model, features: features, windows: rows, calibration: calibration, id: body["id"]?.stringValue,
                binaryOutput: binaryOutput)
        }

        /// Checks `outputs`: only `distribution` exists, named at most once; returns whether it is
        /// wanted as binary data (`parameters.binary_data`, else the request-wide default).
        private static func requestedOutputs(_ outputs: JSON, binaryByDefault: Bool) throws(ServiceError) -> Bool {
            guard let requested = outputs.arrayValue else { throw .invalidType("outputs", expected: "an array of objects", found: outputs) }
            var binary = binaryByDefault
            for (index, output) in requested.enumerated() {
                let field = "outputs[\(index)]"
                guard output.objectValue != nil else { throw .invalidType(field, expected: "an object", found: output) }
                guard let name = output["name"]?.stringValue else { throw .missing("\(field).name", what: "must be a string") }
                guard name == V2Codec.outputName else {
                    throw ServiceError(
                        .badRequest, "unknown_output",
                        "\(field) is named '\(name.prefix(64))'; the model's only output is \(V2Codec.outputName)",
                        field: "\(field).name")
                }
                guard index == 0 else {
                    throw ServiceError(.badRequest, "duplicate_output", "output \(name) is requested twice", field: field)
                }
                guard let parameters = output["parameters"] else { continue }
                guard parameters.objectValue != nil else {
                    throw .invalidType("\(field).parameters", expected: "an object", found: parameters)
                }
                if parameters["classification"] != nil {
                    throw ServiceError(
                        .badRequest, "unsupported_parameter", "the classification extension is not supported; read the distribution",
                        field: "\(field).parameters.classification")
                }
                if let flag = parameters["binary_data"] {
                    guard let value = flag.boolValue else {
                        throw .invalidType("\(field).parameters.binary_data", expected: "a boolean", found: flag)
                    }
                    binary = value
                }
            }
            return binary
        }

        private static func datatype(_ value: JSON?, name: String, field: String) throws(ServiceError) -> V2Datatype {
            guard let text = value?.stringValue else { throw .missing(field, what: "must be a string such as FP32") }
            if let datatype = V2Datatype(rawValue: text) { return datatype }
            let numeric = V2Datatype.allCases.map(\.rawValue).joined(separator: ", ")
            if V2Datatype.nonNumeric.contains(text) {
                throw ServiceError(
                    .badRequest, "invalid_datatype", "\(name) has datatype \(text); the model takes numbers (\(numeric))", field: field)
            }
            throw ServiceError(
                .badRequest, "invalid_datatype", "\(name) has unknown datatype '\(text.prefix(32))'; use one of \(numeric)", field: field)
        }

        private static func shape(_ value: JSON?, name: String, field: String) throws(ServiceError) -> [Int] {
            guard let list = value?.arrayValue else { throw .missing(field, what: "must be an array of integers") }
            var shape: [Int] = []
            for dimension in list {
                guard let size = dimension.intValue, size >= 0, size <= 1 << 24 else {
                    throw ServiceError(.badRequest, "invalid_shape", "\(name) shape must hold non-negative integers", field: field)
                }
                shape.append(size)
            }
            return shape
        }

        /// `parameters.binary_data_size` of an input, if it has one.
        private static func binaryDataSize(_ input: JSON, field: String) throws(ServiceError) -> Int? {
            guard let parameters = input["parameters"] else { return nil }
            guard parameters.objectValue != nil else { throw .invalidType("\(field).parameters", expected: "an object", found: parameters) }
            guard let size = parameters["binary_data_size"] else { return nil }
            guard let bytes = size.intValue, bytes >= 0 else {
                throw .invalidType("\(field).parameters.binary_data_size", expected: "a non-negative integer", found: size)
            }
            return bytes
        }

        /// `count` little-endian elements of `datatype` → Floats in the accepted feature range.
        private static func decodeBinary(_ bytes: ArraySlice<UInt8>, _ datatype: V2Datatype, count: Int, field: String) throws(ServiceError)
            -> [Float]
        {
            var values: [Float] = []
            values.reserveCapacity(count)
            let failure: ServiceError? = bytes.withUnsafeBytes { raw in
                for index in 0..<count {
                    do throws(ServiceError) {
                        values.append(try featureValue(datatype.element(raw, index), field: "\(field) element \(index)"))
                    } catch {
                        return error
                    }
                }
                return nil
            }
            if let failure { throw failure }
            return values
        }

        /// Row-major flattening of nested `data` (the protocol allows both forms); integer datatypes
        /// must hold integers.
        private static func flatten(_ value: JSON, _ datatype: V2Datatype, field: String, into out: inout [Float]) throws(ServiceError) {
            switch value {
            case .number(let number):
                if datatype.isInteger, number.rounded() != number {
                    throw ServiceError(
                        .badRequest, "invalid_type", "\(field) holds \(number), not an integer of \(datatype.rawValue)", field: field)
                }
                out.append(try featureValue(number, field: field))
            case .array(let elements):
                for element in elements { try flatten(element, datatype, field: field, into: &out) }
            default:
                throw .invalidType(field, expected: "numbers", found: value)
            }
        }

        /// The named tensors → one row-major feature matrix (eeg | peripheral | face per row).
        private static func assemble(_ tensors: [String: (shape: [Int], data: [Float])], model: FuzzTarget, maxWindows: Int)
            throws(ServiceError) -> (features: [Float], rows: Int, calibration: FeatureNormalization?)
        {
            let layout = model.layout
            var batch: Int?
            func take(_ name: String, rowShapes: [[Int]]) throws(ServiceError) -> [Float] {
                guard let tensor = tensors[name] else { throw .missing("inputs.\(name)", code: "missing_modality", what: "is missing") }
                guard let rows = tensor.shape.first, rowShapes.contains(Array(tensor.shape.dropFirst())) else {
                    let wanted = rowShapes.map { "[B, " + $0.map(String.init).joined(separator: ", ") + "]" }.joined(separator: " or ")
                    throw .invalidShape("\(name) has shape \(V2Shape(tensor.shape)); the model expects \(wanted)", field: "inputs.\(name)")
                }
                if let batch, batch != rows {
                    throw .invalidShape("\(name) has \(rows) rows but another input has \(batch)", field: "inputs.\(name)")
                }
                batch = rows
                return tensor.data
            }
            let eeg = try take("eeg", rowShapes: [[layout.eegChannels, layout.eegBands], [layout.eegDims]])
            let peripheral = try take("peripheral", rowShapes: [[layout.peripheralDims]])
            let face = try take("face", rowShapes: [[layout.faceDims], [layout.facePlanes, layout.faceBins]])
            let rows = batch ?? 0
            guard rows >= 1 else { throw .invalidShape("the batch dimension is 0", field: "inputs") }
            guard rows <= maxWindows else {
                throw .payloadTooLarge("\(rows) windows in one request; the limit is \(maxWindows)", field: "inputs")
            }
            var features: [Float] = []
            features.reserveCapacity(rows * layout.featureCount)
            for row in 0..<rows {
                features.append(contentsOf: eeg[(row * layout.eegDims)..<((row + 1) * layout.eegDims)])
                features.append(contentsOf: peripheral[(row * layout.peripheralDims)..<((row + 1) * layout.peripheralDims)])
                features.append(contentsOf: face[(row * layout.faceDims)..<((row + 1) * layout.faceDims)])
            }
            var calibration: FeatureNormalization?
            if model.needsCalibration {
                let mean = try take1D("calibration_mean", tensors, count: layout.featureCount)
                let std = try take1D("calibration_std", tensors, count: layout.featureCount)
                if std.contains(where: { $0 < 0 }) {
                    throw ServiceError(
                        .badRequest, "invalid_value", "calibration_std has a negative entry", field: "inputs.calibration_std")
                }
                calibration = FeatureNormalization(mean: mean, std: std)
            }
            return (features, rows, calibration)
        }

        private static func take1D(_ name: String, _ tensors: [String: (shape: [Int], data: [Float])], count: Int) throws(ServiceError)
            -> [Float]
        {
            guard let tensor = tensors[name] else {
                throw .missing(
                    "inputs.\(name)", code: "missing_calibration", what: "is required: the model standardises features per subject")
            }
            guard tensor.data.count == count else {
                throw .invalidShape("\(name) has \(tensor.data.count) values, the model expects \(count)", field: "inputs.\(name)")
            }
            return tensor.data
        }
    }
#endif
