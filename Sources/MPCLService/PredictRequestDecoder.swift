import EmotionVocabulary
import JSON
import MPCL

/// `POST /predict` bodies → `PredictRequest`: a single window at the top level or `windows: […]`,
/// optional `model`, `aggregate` and `calibration` (required by per-subject models, ignored by the
/// others). The model is resolved first because the window shapes depend on its layout.
struct PredictRequestDecoder {
    let repository: ModelRepository
    let maxWindows: Int

    /// Top-level members of a request with `windows`; the single-window form adds the modalities.
    static let requestKeys: Set<String> = ["windows", "model", "aggregate", "calibration"]
    static let singleWindowKeys: Set<String> = WindowDecoder.modalities.union(["model", "aggregate", "calibration"])

    /// `pathModel` is the `{name}` of `/v1/models/{name}/predict`; the body then has no `model` field.
    func decode(_ body: JSON, pathModel: String?) throws(ServiceError) -> PredictRequest {
        guard case .object(let members) = body else { throw .invalidType("body", expected: "an object", found: body) }
        // With the model in the path, a body `model` is not a field of the request.
        var allowed = body["windows"] == nil ? Self.singleWindowKeys : Self.requestKeys
        if pathModel != nil { allowed.remove("model") }
        try rejectUnknownKeys(members, allowed: allowed, prefix: "")
        let model = try resolveModel(body, pathModel: pathModel)
        var aggregate = false
        if let value = body["aggregate"] {
            guard case .bool(let flag) = value else { throw .invalidType("aggregate", expected: "a boolean", found: value) }
            aggregate = flag
        }
        // Validated whenever present (a malformed field is a client bug worth reporting), used only
        // by per-subject models: the others standardise with their training statistics.
        var calibration: FeatureNormalization?
        if let value = body["calibration"] {
            let statistics = try Self.calibration(value, featureCount: model.featureCount)
            if model.needsCalibration { calibration = statistics }
        } else if model.needsCalibration {
            throw .missing(
                "calibration", code: "missing_calibration",
                what:
                    "is required: model '\(model.name)' standardises features per subject (get it from /v1/models/\(model.name)/calibrate)")
        }
        let (features, count) = try Self.windows(body, layout: model.layout, maxWindows: maxWindows)
        return PredictRequest(model: model, features: features, windows: count, aggregate: aggregate, calibration: calibration)
    }

    func resolveModel(_ body: JSON, pathModel: String?) throws(ServiceError) -> LoadedModel {
        if let pathModel {
            guard let model = repository.model(named: pathModel) else { throw .unknownModel(pathModel) }
            return model
        }
        var bodyModel: String?
        if let value = body["model"] {
            guard case .string(let name) = value else { throw .invalidType("model", expected: "a string", found: value) }
            bodyModel = name
        }
        if let bodyModel {
            guard let model = repository.model(named: bodyModel) else { throw .unknownModel(bodyModel) }
            return model
        }
        guard let model = repository.defaultModel else { throw ServiceError.notReady }
        return model
    }

    /// The windows of a body as one row-major matrix: `windows: [...]` or the body itself.
    static func windows(_ body: JSON, layout: InputLayout, maxWindows: Int) throws(ServiceError) -> ([Float], Int) {
        let decoder = WindowDecoder(layout: layout)
        var features: [Float] = []
        guard let list = body["windows"] else {
            features.reserveCapacity(layout.featureCount)
            try decoder.decode(body, path: "", allowedKeys: singleWindowKeys, into: &features)
            return (features, 1)
        }
        guard case .array(let windows) = list else { throw .invalidType("windows", expected: "an array of windows", found: list) }
        guard !windows.isEmpty else { throw .invalidShape("windows is empty", field: "windows") }
        guard windows.count <= maxWindows else {
            throw .payloadTooLarge("\(windows.count) windows in one request; the limit is \(maxWindows)", field: "windows")
        }
        features.reserveCapacity(windows.count * layout.featureCount)
        for (index, window) in windows.enumerated() {
            try decoder.decode(window, path: "windows[\(index)]", into: &features)
        }
        return (features, windows.count)
    }

    /// `{"mean": [F], "std": [F]}` with finite values and positive standard deviations.
    static func calibration(_ value: JSON, featureCount: Int) throws(ServiceError) -> FeatureNormalization {
        guard case .object(let members) = value else {
            throw .invalidType("calibration", expected: "an object with mean and std", found: value)
        }
        try rejectUnknownKeys(members, allowed: ["mean", "std"], prefix: "calibration.")
        func vector(_ key: String) throws(ServiceError) -> [Float] {
            let field = "calibration.\(key)"
            guard let member = value[key] else { throw .missing(field) }
            guard case .array(let elements) = member else { throw .invalidType(field, expected: "an array of numbers", found: member) }
            guard elements.count == featureCount else {
                throw .invalidShape("\(field) has \(elements.count) values, the model expects \(featureCount)", field: field)
            }
            var out: [Float] = []
            out.reserveCapacity(featureCount)
            for (index, element) in elements.enumerated() {
                guard case .number(let number) = element else {
                    throw .invalidType("\(field)[\(index)]", expected: "a number", found: element)
                }
                out.append(try featureValue(number, field: "\(field)[\(index)]"))
            }
            return out
        }
        let mean = try vector("mean")
        let std = try vector("std")
        if let index = std.firstIndex(where: { $0 < 0 }) {
            throw ServiceError(
                .unprocessableContent, "invalid_value", "calibration.std[\(index)] is negative", field: "calibration.std[\(index)]")
        }
        return FeatureNormalization(mean: mean, std: std)
    }
}
