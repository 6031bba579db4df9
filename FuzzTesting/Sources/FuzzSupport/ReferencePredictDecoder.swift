import EmotionVocabulary
import JSON
import MPCL

/// A refusal of a request body, typed the way the service's errors are: an HTTP status, a stable
/// code and the offending field path. The fuzz harness requires every decoder under test to throw
/// only errors it can map to this (see `BodyDecoderUnderTest`).
public struct BodyDecodeError: Error, Equatable, CustomStringConvertible {
    public var status: Int
    public var code: String
    public var message: String
    public var field: String?

    public init(status: Int, code: String, message: String, field: String?) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
    }

    public var description: String { "\(status) \(code): \(message)" }

    static func shape(_ message: String, _ field: String) -> Self {
        .init(status: 422, code: "invalid_shape", message: message, field: field)
    }
    static func type(_ field: String, _ expected: String) -> Self {
        .init(status: 422, code: "invalid_type", message: "\(field) must be \(expected)", field: field)
    }
    static func missing(_ field: String) -> Self {
        .init(status: 422, code: "missing_modality", message: "\(field) is missing", field: field)
    }
    static func nonFinite(_ field: String) -> Self {
        .init(status: 422, code: "non_finite", message: "\(field) is not a finite number", field: field)
    }
    static func tooMany(_ count: Int, _ limit: Int) -> Self {
        .init(status: 413, code: "payload_too_large", message: "\(count) windows; the limit is \(limit)", field: "windows")
    }
}

/// What a predict-shaped body decodes to: windows × featureCount floats, row-major.
public struct DecodedWindows: Equatable {
    public var features: [Float]
    public var count: Int
    public init(features: [Float], count: Int) {
        self.features = features
        self.count = count
    }
}

/// The `/predict` body contract of docs/SERVICE.md, written independently of MPCLService as the fuzz
/// harness's reference: a single window at the top level or `windows: […]`; `eeg` nested
/// `[channels][bands]` or flat; `peripheral` an object of named groups or a flat array in group
/// order; `face` flat or nested `[planes][bins]`; numbers must fit a finite Float and lie within
/// ±1e9; unknown members (top level, window, calibration) are refused with 422 so that a misspelt
/// field is reported rather than ignored (the service's strict-input contract, openapi.yaml).
public enum ReferencePredictDecoder {
    public static let modalities: Set<String> = ["eeg", "peripheral", "face"]
    public static let requestKeys: Set<String> = ["windows", "model", "aggregate", "calibration"]
    public static let singleWindowKeys: Set<String> = modalities.union(["model", "aggregate", "calibration"])
    public static let maximumMagnitude = 1e9

    public static func windows(_ body: JSON, layout: InputLayout, maxWindows: Int) throws(BodyDecodeError) -> DecodedWindows {
        guard case .object(let members) = body else { throw .type("body", "an object") }
        try rejectUnknown(members, allowed: body["windows"] == nil ? singleWindowKeys : requestKeys, prefix: "")
        var out: [Float] = []
        guard let list = body["windows"] else {
            try window(body, path: "", layout: layout, allowed: singleWindowKeys, into: &out)
            return DecodedWindows(features: out, count: 1)
        }
        guard case .array(let windows) = list else { throw .type("windows", "an array of windows") }
        guard !windows.isEmpty else { throw .shape("windows is empty", "windows") }
        guard windows.count <= maxWindows else { throw .tooMany(windows.count, maxWindows) }
        for (index, w) in windows.enumerated() {
            try window(w, path: "windows[\(index)]", layout: layout, allowed: modalities, into: &out)
        }
        return DecodedWindows(features: out, count: windows.count)
    }

    /// `{"mean": [F], "std": [F]}`: finite, std non-negative.
    public static func calibration(_ value: JSON, featureCount: Int) throws(BodyDecodeError) -> (mean: [Float], std: [Float]) {
        guard case .object(let members) = value else { throw .type("calibration", "an object with mean and std") }
        try rejectUnknown(members, allowed: ["mean", "std"], prefix: "calibration.")
        var mean: [Float] = [], std: [Float] = []
        guard let m = value["mean"] else { throw .missing("calibration.mean") }
        guard let s = value["std"] else { throw .missing("calibration.std") }
        guard case .array(let me) = m else { throw .type("calibration.mean", "an array of numbers") }
        guard case .array(let se) = s else { throw .type("calibration.std", "an array of numbers") }
        try numbers(me, expected: featureCount, field: "calibration.mean", into: &mean)
        try numbers(se, expected: featureCount, field: "calibration.std", into: &std)
        if let i = std.firstIndex(where: { $0 < 0 }) {
            throw BodyDecodeError(
                status: 422, code: "invalid_value", message: "calibration.std[\(i)] is negative", field: "calibration.std[\(i)]")
        }
        return (mean, std)
    }

    static func rejectUnknown(_ members: [(key: String, value: JSON)], allowed: Set<String>, prefix: String) throws(BodyDecodeError) {
        guard let unknown = members.first(where: { !allowed.contains($0.key) }) else { return }
        throw BodyDecodeError(
            status: 422, code: "unknown_field", message: "unknown field",
            field: prefix + String(unknown.key.prefix(64)))
    }

    static func window(_ w: JSON, path: String, layout: InputLayout, allowed: Set<String>, into out: inout [Float]) throws(BodyDecodeError)
    {
        guard case .object(let members) = w else { throw .type(path.isEmpty ? "window" : path, "an object") }
        let prefix = path.isEmpty ? "" : path + "."
        try rejectUnknown(members, allowed: allowed, prefix: prefix)
        guard let eeg = w["eeg"] else { throw .missing(prefix + "eeg") }
        try matrix(eeg, rows: layout.eegChannels, columns: layout.eegBands, field: prefix + "eeg", into: &out)
        guard let peripheral = w["peripheral"] else { throw .missing(prefix + "peripheral") }
        switch peripheral {
        case .array(let elements):
            try numbers(elements, expected: layout.peripheralDims, field: prefix + "peripheral", into: &out)
        case .object(let members):
            for group in layout.peripheralGroups {
                let field = prefix + "peripheral." + group.name
                guard let values = peripheral[group.name] else { throw .missing(field) }
                guard case .array(let elements) = values else { throw .type(field, "an array of numbers") }
                try numbers(elements, expected: group.dims, field: field, into: &out)
            }
            let known = Set(layout.peripheralGroups.map(\.name))
            if let unknown = members.first(where: { !known.contains($0.key) }) {
                throw BodyDecodeError(
                    status: 422, code: "unknown_field", message: "unknown peripheral group",
                    field: prefix + "peripheral." + String(unknown.key.prefix(64)))
            }
        default:
            throw .type(prefix + "peripheral", "an object of groups or an array of numbers")
        }
        guard let face = w["face"] else { throw .missing(prefix + "face") }
        try matrix(face, rows: layout.facePlanes, columns: layout.faceBins, field: prefix + "face", into: &out)
    }

    static func matrix(_ value: JSON, rows: Int, columns: Int, field: String, into out: inout [Float]) throws(BodyDecodeError) {
        guard case .array(let elements) = value else { throw .type(field, "an array") }
        if let first = elements.first, case .array = first {
            guard elements.count == rows else { throw .shape("\(field) has \(elements.count) rows, expected \(rows)", field) }
            for (index, row) in elements.enumerated() {
                guard case .array(let inner) = row else { throw .type("\(field)[\(index)]", "an array of numbers") }
                try numbers(inner, expected: columns, field: "\(field)[\(index)]", into: &out)
            }
        } else {
            try numbers(elements, expected: rows * columns, field: field, into: &out)
        }
    }

    static func numbers(_ elements: [JSON], expected: Int, field: String, into out: inout [Float]) throws(BodyDecodeError) {
        guard elements.count == expected else { throw .shape("\(field) has \(elements.count) values, expected \(expected)", field) }
        for (index, element) in elements.enumerated() {
            guard case .number(let number) = element else { throw .type("\(field)[\(index)]", "a number") }
            let single = Float(number)
            guard single.isFinite else { throw .nonFinite("\(field)[\(index)]") }
            guard abs(number) <= maximumMagnitude else {
                throw BodyDecodeError(status: 422, code: "out_of_range", message: "beyond ±1e9", field: "\(field)[\(index)]")
            }
            out.append(single)
        }
    }
}

/// The Open Inference Protocol (`POST /v2/models/{name}/infer`) body: FP32 inputs `eeg`
/// [B, channels, bands] or [B, channels·bands], `peripheral` [B, dims], `face` [B, dims] or
/// [B, planes, bins]; `data` flat row-major or nested to the shape.
public enum ReferenceV2Decoder {
    public static func windows(_ body: JSON, layout: InputLayout, maxWindows: Int) throws(BodyDecodeError) -> DecodedWindows {
        guard case .object = body else { throw .type("body", "an object") }
        guard let list = body["inputs"] else { throw .missing("inputs") }
        guard case .array(let inputs) = list else { throw .type("inputs", "an array") }
        var tensors: [String: (shape: [Int], data: [Float])] = [:]
        let widths = ["eeg": layout.eegDims, "peripheral": layout.peripheralDims, "face": layout.faceDims]
        for (index, input) in inputs.enumerated() {
            let field = "inputs[\(index)]"
            guard case .object = input, let name = input["name"]?.stringValue else { throw .type(field, "a named tensor") }
            guard widths[name] != nil else {
                throw BodyDecodeError(status: 422, code: "unknown_input", message: "unknown input", field: field + ".name")
            }
            guard tensors[name] == nil else {
                throw BodyDecodeError(status: 422, code: "duplicate_input", message: "input given twice", field: field)
            }
            guard input["datatype"]?.stringValue == "FP32" else { throw .type(field + ".datatype", "FP32") }
            guard let dims = input["shape"]?.arrayValue else { throw .type(field + ".shape", "an array of integers") }
            var shape: [Int] = []
            for d in dims {
                guard let v = d.intValue, v >= 0, v <= 1 << 24 else { throw .type(field + ".shape", "non-negative integers") }
                shape.append(v)
            }
            guard let data = input["data"] else { throw .missing(field + ".data") }
            var values: [Float] = []
            try flatten(data, field: field + ".data", depth: 0, into: &values)
            var product = 1
            for d in shape {
                let (p, overflow) = product.multipliedReportingOverflow(by: d)
                guard !overflow, p <= 1 << 30 else { throw .shape("\(name) shape is too large", field + ".shape") }
                product = p
            }
            guard values.count == product else {
                throw .shape("\(name) has \(values.count) values, its shape says \(product)", field + ".data")
            }
            tensors[name] = (shape, values)
        }
        var batch: Int?
        for name in ["eeg", "peripheral", "face"] {
            guard let t = tensors[name] else { throw .missing(name) }
            guard let b = t.shape.first, b >= 1 else { throw .shape("\(name) needs a batch dimension", name) }
            let rest = t.shape.dropFirst().reduce(1, *)
            guard rest == widths[name]! else { throw .shape("\(name) has \(rest) features per row, expected \(widths[name]!)", name) }
            if name == "eeg", t.shape.count == 3, t.shape[1] != layout.eegChannels {
                throw .shape("eeg has \(t.shape[1]) channels, expected \(layout.eegChannels)", name)
            }
            if let batch, batch != b { throw .shape("inputs disagree on the batch size", name) }
            batch = b
        }
        let b = batch!
        guard b <= maxWindows else { throw .tooMany(b, maxWindows) }
        var out: [Float] = []
        out.reserveCapacity(b * layout.featureCount)
        for row in 0..<b {
            for name in ["eeg", "peripheral", "face"] {
                let w = widths[name]!
                out.append(contentsOf: tensors[name]!.data[(row * w)..<((row + 1) * w)])
            }
        }
        return DecodedWindows(features: out, count: b)
    }

    static func flatten(_ value: JSON, field: String, depth: Int, into out: inout [Float]) throws(BodyDecodeError) {
        switch value {
        case .number(let n):
            let single = Float(n)
            guard single.isFinite else { throw .nonFinite(field) }
            out.append(single)
        case .array(let elements):
            guard depth < 4 else { throw .shape("\(field) is nested too deeply", field) }
            for element in elements { try flatten(element, field: field, depth: depth + 1, into: &out) }
        default:
            throw .type(field, "numbers")
        }
    }
}
