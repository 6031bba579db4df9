import JSON
import MPCL

/// The Open Inference Protocol (KServe "V2") REST shapes for an MPCL model.
///
/// Inputs are FP32 tensors named `eeg` [B, channels, bands], `peripheral` [B, dims] and `face`
/// [B, dims] (flat `[B, n]` forms of eeg and face are accepted too), each with `data` flat in
/// row-major order or nested; per-subject models also take `calibration_mean` and `calibration_std`
/// [F]. The output is `distribution` [B, C], flat and row-major.
enum V2Codec {
    static let inputNames = ["eeg", "peripheral", "face"]

    /// `GET /v2/models/{name}`.
    static func metadata(_ model: LoadedModel) -> JSON {
        let layout = model.layout
        func tensor(_ name: String, _ shape: [Int]) -> JSON {
            ["name": .string(name), "datatype": "FP32", "shape": .array(shape.map { .number(Double($0)) })]
        }
        var inputs = [
            tensor("eeg", [-1, layout.eegChannels, layout.eegBands]),
            tensor("peripheral", [-1, layout.peripheralDims]),
            tensor("face", [-1, layout.faceDims]),
        ]
        if model.needsCalibration {
            inputs.append(tensor("calibration_mean", [layout.featureCount]))
            inputs.append(tensor("calibration_std", [layout.featureCount]))
        }
        return [
            "name": .string(model.name), "versions": [.string(model.version)], "platform": "mpcl",
            "inputs": .array(inputs), "outputs": [tensor("distribution", [-1, model.classCount])],
        ]
    }

    /// `POST /v2/models/{name}/infer` body → a prediction request.
    static func decode(_ body: JSON, model: LoadedModel, maxWindows: Int) throws(ServiceError) -> PredictRequest {
        guard case .object = body else { throw .invalidType("body", expected: "an object", found: body) }
        if let id = body["id"], id.stringValue == nil { throw .invalidType("id", expected: "a string", found: id) }
        if let outputs = body["outputs"] {
            guard let requested = outputs.arrayValue, requested.allSatisfy({ $0.objectValue != nil }) else {
                throw .invalidType("outputs", expected: "an array of objects", found: outputs)
            }
        }
        if let parameters = body["parameters"], parameters.objectValue == nil {
            throw .invalidType("parameters", expected: "an object", found: parameters)
        }
        guard let list = body["inputs"] else { throw .missing("inputs") }
        guard case .array(let inputs) = list else { throw .invalidType("inputs", expected: "an array", found: list) }
        var tensors: [String: (shape: [Int], data: [Float])] = [:]
        for (index, input) in inputs.enumerated() {
            let field = "inputs[\(index)]"
            guard case .object = input else { throw .invalidType(field, expected: "an object", found: input) }
            guard let name = input["name"]?.stringValue else { throw .missing("\(field).name", what: "must be a string") }
            guard inputNames.contains(name) || (model.needsCalibration && name.hasPrefix("calibration_")) else {
                throw ServiceError(
                    .unprocessableContent, "unknown_input",
                    "\(field) is named '\(name.prefix(64))'; the model takes \(inputNames.joined(separator: ", "))", field: "\(field).name")
            }
            guard tensors[name] == nil else {
                throw ServiceError(.unprocessableContent, "duplicate_input", "input \(name) is given twice", field: field)
            }
            guard input["datatype"]?.stringValue == "FP32" else {
                throw ServiceError(.unprocessableContent, "invalid_datatype", "\(name) must have datatype FP32", field: "\(field).datatype")
            }
            guard let shapeList = input["shape"]?.arrayValue else { throw .missing("\(field).shape", what: "must be an array of integers") }
            var shape: [Int] = []
            for dimension in shapeList {
                guard let value = dimension.intValue, value >= 0, value <= 1 << 24 else {
                    throw ServiceError(
                        .unprocessableContent, "invalid_shape", "\(name) shape must hold non-negative integers", field: "\(field).shape")
                }
                shape.append(value)
            }
            guard let data = input["data"] else { throw .missing("\(field).data") }
            guard case .array = data else { throw .invalidType("\(field).data", expected: "an array", found: data) }
            var values: [Float] = []
            try flatten(data, field: "\(field).data", into: &values)
            // Each dimension is bounded, their product is not: multiply without trapping on overflow.
            var expected = 1
            for dimension in shape {
                let (product, overflow) = expected.multipliedReportingOverflow(by: dimension)
                guard !overflow else {
                    throw .invalidShape("\(name) shape \(shape) holds more values than any request can", field: "\(field).shape")
                }
                expected = product
            }
            guard values.count == expected else {
                throw .invalidShape("\(name) has \(values.count) values but its shape \(shape) needs \(expected)", field: "\(field).data")
            }
            tensors[name] = (shape, values)
        }
        let layout = model.layout
        var batch: Int?
        func take(_ name: String, rowShapes: [[Int]]) throws(ServiceError) -> [Float] {
            guard let tensor = tensors[name] else { throw .missing("inputs.\(name)", code: "missing_modality", what: "is missing") }
            guard let rows = tensor.shape.first, rowShapes.contains(Array(tensor.shape.dropFirst())) else {
                let wanted = rowShapes.map { "[B, " + $0.map(String.init).joined(separator: ", ") + "]" }.joined(separator: " or ")
                throw .invalidShape("\(name) has shape \(tensor.shape); the model expects \(wanted)", field: "inputs.\(name)")
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
                    .unprocessableContent, "invalid_value", "calibration_std has a negative entry", field: "inputs.calibration_std")
            }
            calibration = FeatureNormalization(mean: mean, std: std)
        }
        return PredictRequest(model: model, features: features, windows: rows, aggregate: false, calibration: calibration)
    }

    private static func take1D(_ name: String, _ tensors: [String: (shape: [Int], data: [Float])], count: Int) throws(ServiceError)
        -> [Float]
    {
        guard let tensor = tensors[name] else {
            throw .missing("inputs.\(name)", code: "missing_calibration", what: "is required: the model standardises features per subject")
        }
        guard tensor.data.count == count else {
            throw .invalidShape("\(name) has \(tensor.data.count) values, the model expects \(count)", field: "inputs.\(name)")
        }
        return tensor.data
    }

    /// Row-major flattening of nested `data` (the protocol allows both forms).
    private static func flatten(_ value: JSON, field: String, into out: inout [Float]) throws(ServiceError) {
        switch value {
        case .number(let number):
            out.append(try featureValue(number, field: field))
        case .array(let elements):
            for element in elements { try flatten(element, field: field, into: &out) }
        default:
            throw .invalidType(field, expected: "numbers", found: value)
        }
    }

    /// The infer response.
    static func response(model: LoadedModel, id: JSON?, distributions: [Float], windows: Int) -> JSON {
        var members: [(key: String, value: JSON)] = [
            ("model_name", .string(model.name)), ("model_version", .string(model.version)),
        ]
        if let id { members.append(("id", id)) }
        members.append(
            (
                "outputs",
                [
                    [
                        "name": "distribution", "datatype": "FP32",
                        "shape": [.number(Double(windows)), .number(Double(model.classCount))],
                        "data": JSON(numbers: distributions),
                    ]
                ]
            ))
        return .object(members)
    }
}
