import EmotionVocabulary
import JSON
import MPCL

/// What the `/predict` decoder needs to know of a model: its input layout and whether it
/// standardises per subject. `LoadedModel` is one; the fuzz harness supplies its own.
protocol PredictTarget {
    var name: String { get }
    var layout: InputLayout { get }
    var needsCalibration: Bool { get }
}

extension LoadedModel: PredictTarget {}

/// A decoded `/predict` body, before it meets the batcher.
struct DecodedPredictBody<Target: PredictTarget> {
    let target: Target
    /// windows × featureCount raw features, row-major.
    var features: [Float]
    var windows: Int
    var aggregate: Bool
    /// The client's statistics (per-subject models only).
    var calibration: FeatureNormalization?
}

/// `POST /predict` bodies → features: a single window at the top level or `windows: […]`,
/// optional `model`, `aggregate` and `calibration` (required by per-subject models, ignored by the
/// others). Pure: bytes and a model lookup in, features or a `ServiceError` out.
///
/// Two passes over the bytes, neither building a tree: the first checks the grammar of the whole
/// document (a malformed body is a 400 whatever else is wrong with it) and notes where the
/// top-level members are; the second resolves the model (window shapes depend on its layout) and
/// reads the numbers straight into the feature buffer, checking in the contract's order (unknown
/// member, model, aggregate, calibration, windows).
struct PredictRequestDecoder {
    let maxWindows: Int

    /// Top-level members of a request with `windows`; the single-window form adds the modalities.
    static let requestKeys: Set<String> = ["windows", "model", "aggregate", "calibration"]
    static let singleWindowKeys: Set<String> = WindowDecoder.modalities.union(["model", "aggregate", "calibration"])

    /// `pathModel` is the `{name}` of `/v1/models/{name}/predict`; the body then has no `model`
    /// field. `resolve` maps a model name (nil: the default model) to the model or a refusal.
    func decode<Target: PredictTarget>(
        _ bytes: UnsafeBufferPointer<UInt8>, pathModel: String?, resolve: (String?) throws(ServiceError) -> Target
    ) throws(ServiceError) -> DecodedPredictBody<Target> {
        let document = try TopLevelIndex(bytes, interesting: Self.requestKeys.union(Self.singleWindowKeys))
        guard document.kind == .object else { throw .invalidType("body", expected: "an object", found: document.kind) }
        // With the model in the path, a body `model` is not a field of the request.
        var allowed = document["windows"] == nil ? Self.singleWindowKeys : Self.requestKeys
        if pathModel != nil { allowed.remove("model") }
        if let name = document.firstName(notIn: allowed) { throw unknownField(String(name.prefix(64)), allowed: allowed) }
        var reader = JSONReader(bytes: bytes)
        let target: Target
        if let pathModel {
            target = try resolve(pathModel)
        } else if let model = document["model"] {
            guard model.kind == .string else { throw .invalidType("model", expected: "a string", found: model.kind) }
            reader.offset = model.offset
            target = try resolve(try Self.validated { () throws(JSONParseError) in try reader.readString() })
        } else {
            target = try resolve(nil)
        }
        var aggregate = false
        if let member = document["aggregate"] {
            guard member.kind == .bool else { throw .invalidType("aggregate", expected: "a boolean", found: member.kind) }
            reader.offset = member.offset
            aggregate = try Self.validated { () throws(JSONParseError) in try reader.readBool() }
        }
        // Validated whenever present (a malformed field is a client bug worth reporting), used only
        // by per-subject models: the others standardise with their training statistics.
        var calibration: FeatureNormalization?
        if let member = document["calibration"] {
            reader.offset = member.offset
            let statistics = try Self.calibration(&reader, featureCount: target.layout.featureCount)
            if target.needsCalibration { calibration = statistics }
        } else if target.needsCalibration {
            throw .missing(
                "calibration", code: "missing_calibration",
                what:
                    "is required: model '\(target.name)' standardises features per subject (get it from /v1/models/\(target.name)/calibrate)"
            )
        }
        let (features, count) = try Self.windows(document, bytes, layout: target.layout, maxWindows: maxWindows)
        return DecodedPredictBody(target: target, features: features, windows: count, aggregate: aggregate, calibration: calibration)
    }

    /// The windows of `POST /v1/models/{name}/calibrate`: a body `{"windows": […]}`.
    static func calibrationWindows(_ bytes: UnsafeBufferPointer<UInt8>, layout: InputLayout, maxWindows: Int) throws(ServiceError)
        -> ([Float], Int)
    {
        let allowed: Set<String> = ["windows"]
        let document = try TopLevelIndex(bytes, interesting: allowed)
        guard document.kind == .object else { throw .invalidType("body", expected: "an object", found: document.kind) }
        if let name = document.firstName(notIn: allowed) { throw unknownField(String(name.prefix(64)), allowed: allowed) }
        guard document["windows"] != nil else { throw .missing("windows") }
        return try windows(document, bytes, layout: layout, maxWindows: maxWindows)
    }

    /// The windows of a body as one row-major matrix: `windows: [...]` or the body itself.
    static func windows(_ document: TopLevelIndex, _ bytes: UnsafeBufferPointer<UInt8>, layout: InputLayout, maxWindows: Int)
        throws(ServiceError) -> ([Float], Int)
    {
        let decoder = WindowDecoder(layout: layout)
        var reader = JSONReader(bytes: bytes)
        guard let list = document["windows"] else {
            // The single-window form: the modalities are top-level members.
            var features = [Float](repeating: 0, count: layout.featureCount)
            for (rank, name) in WindowDecoder.modalityOrder.enumerated() {
                guard let member = document[name] else { throw WindowDecoder.missingModality(name) }
                reader.offset = member.offset
                let refusal = try validated { () throws(JSONParseError) in
                    try decoder.modality(rank, &reader, prefix: "", into: &features, at: 0)
                }
                if let refusal { throw refusal }
            }
            return (features, 1)
        }
        guard list.kind == .array else { throw .invalidType("windows", expected: "an array of windows", found: list.kind) }
        guard list.elementCount > 0 else { throw .invalidShape("windows is empty", field: "windows") }
        guard list.elementCount <= maxWindows else {
            throw .payloadTooLarge("\(list.elementCount) windows in one request; the limit is \(maxWindows)", field: "windows")
        }
        var features = [Float](repeating: 0, count: list.elementCount * layout.featureCount)
        reader.offset = list.offset
        let refusal = try validated { () throws(JSONParseError) -> ServiceError? in
            try reader.beginArray()
            var index = 0
            while try reader.nextElement(first: index == 0) {
                if let refusal = try decoder.window(
                    &reader, path: "windows[\(index)]", into: &features, at: index * layout.featureCount)
                {
                    return refusal
                }
                index += 1
            }
            return nil
        }
        if let refusal { throw refusal }
        return (features, list.elementCount)
    }

    /// `{"mean": [F], "std": [F]}`, judged by `CalibrationStatistics`.
    static func calibration(_ reader: inout JSONReader, featureCount: Int) throws(ServiceError) -> FeatureNormalization {
        try validated { () throws(JSONParseError) -> Result<FeatureNormalization, ServiceError> in
            let kind = try reader.peekKind()
            guard kind == .object else {
                return .failure(.invalidType("calibration", expected: "an object with mean and std", found: kind))
            }
            let allowed: Set<String> = ["mean", "std"]
            try reader.beginObject()
            var names = JSONMemberNames()
            var offsets: [String: Int] = [:]
            var unknown: ServiceError?
            var first = true
            while let name = try reader.nextMember(first: first, names: &names) {
                first = false
                if allowed.contains(name) {
                    _ = try reader.peekKind()
                    offsets[name] = reader.offset
                } else if unknown == nil {
                    unknown = unknownField("calibration." + String(name.prefix(64)), allowed: allowed)
                }
                try reader.skipValue()
            }
            if let unknown { return .failure(unknown) }
            let statistics = CalibrationStatistics(featureCount: featureCount, naming: .predictBody)
            var vectors: [[Float]] = []
            for (key, vector) in [("mean", CalibrationStatistics.Vector.mean), ("std", .std)] {
                let field = statistics.naming.field(vector)
                guard let offset = offsets[key] else { return .failure(.missing(field)) }
                reader.offset = offset
                let valueKind = try reader.peekKind()
                guard valueKind == .array else { return .failure(.invalidType(field, expected: "an array of numbers", found: valueKind)) }
                var vector = [Float](repeating: 0, count: featureCount)
                try reader.beginArray()
                if let refusal = try WindowDecoder.numbers(&reader, expected: featureCount, field: field, into: &vector, at: 0) {
                    return .failure(refusal)
                }
                vectors.append(vector)
            }
            do throws(ServiceError) {
                return .success(try statistics.normalization(mean: vectors[0], std: vectors[1]))
            } catch {
                return .failure(error)
            }
        }.get()
    }

    /// Runs a read over bytes whose grammar `TopLevelIndex` has already checked (so it cannot meet
    /// a grammar error; were it to, it would still be reported as malformed JSON).
    static func validated<Value>(_ read: () throws(JSONParseError) -> Value) throws(ServiceError) -> Value {
        do { return try read() } catch { throw .malformedJSON(error.description) }
    }
}

extension ModelRepository {
    /// The model a request names (nil: the default model): 404 for an unknown name, 503 while no
    /// default model is loaded.
    func resolve(_ name: String?) throws(ServiceError) -> LoadedModel {
        if let name {
            guard let model = model(named: name) else { throw .unknownModel(name) }
            return model
        }
        guard let model = defaultModel else { throw ServiceError.notReady }
        return model
    }
}
