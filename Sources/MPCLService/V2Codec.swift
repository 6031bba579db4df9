import HTTP1
import JSON
import MPCL

/// The Open Inference Protocol (KServe "V2") REST shapes for an MPCL model, with the binary tensor
/// data extension.
///
/// Inputs are tensors named `eeg` [B, channels, bands], `peripheral` [B, dims] and `face` [B, dims]
/// (flat `[B, n]` forms of eeg and face are accepted too), each either with `data` (flat in
/// row-major order or nested) or with `parameters.binary_data_size` bytes taken, in input order,
/// from the binary tail of the body. FP32 is the model's type; other numeric datatypes convert
/// (`V2Datatype`). Per-subject models also take `calibration_mean` and `calibration_std` [F]. The
/// one output is `distribution` [B, C], FP32, as JSON `data` or as binary (`binary_data` on the
/// requested output, or `binary_data_output` on the request). `V2InferDecoder` reads requests.
enum V2Codec {
    static let inputNames = ["eeg", "peripheral", "face"]
    static let outputName = "distribution"

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
            "inputs": .array(inputs), "outputs": [tensor(outputName, [-1, model.classCount])],
        ]
    }

    /// A decoded infer request: what to predict and how to answer.
    struct InferRequest: Sendable {
        var predict: PredictRequest
        /// The request's `id`, echoed in the response.
        var id: JSON?
        /// Whether `distribution` goes back as binary tensor data.
        var binaryOutput: Bool
    }

    /// The infer response. As JSON, `distribution` carries `data`; as binary tensor data, its
    /// `parameters.binary_data_size` says how many little-endian FP32 bytes follow the JSON header,
    /// whose length `Inference-Header-Content-Length` states.
    static func response(model: LoadedModel, id: JSON?, distributions: [Float], windows: Int, binary: Bool) -> HTTPResponse {
        var output: [(key: String, value: JSON)] = [
            ("name", .string(outputName)), ("datatype", "FP32"),
            ("shape", [.number(Double(windows)), .number(Double(model.classCount))]),
        ]
        if binary {
            output.append(("parameters", ["binary_data_size": .number(Double(distributions.count * 4))]))
        } else {
            output.append(("data", JSON(numbers: distributions)))
        }
        var members: [(key: String, value: JSON)] = [
            ("model_name", .string(model.name)), ("model_version", .string(model.version)),
        ]
        if let id { members.append(("id", id)) }
        members.append(("outputs", [.object(output)]))
        var body = JSON.object(members).serialized()
        guard binary else { return HTTPResponse(status: .ok, headers: ["Content-Type": "application/json"], body: body) }
        let headerLength = body.count
        body.reserveCapacity(headerLength + distributions.count * 4)
        for value in distributions { withUnsafeBytes(of: value.bitPattern.littleEndian) { body.append(contentsOf: $0) } }
        return HTTPResponse(
            status: .ok,
            headers: ["Content-Type": "application/octet-stream", V2RequestBody.headerLengthField: String(headerLength)],
            body: body)
    }
}
