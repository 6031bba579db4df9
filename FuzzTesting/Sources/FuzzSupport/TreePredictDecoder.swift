#if SERVICE_DECODER
    import EmotionVocabulary
    import JSON
    import MPCL
    @testable import MPCLService

    /// The service's `/predict` decoder as it was before it read bytes without a tree: `JSON.parse`,
    /// then checks on the tree. Kept here, and only here, as the reference the streaming decoder
    /// must match exactly (same result or the same error, message and field included) on every
    /// input the fuzzer makes. Its messages are the service's contract, so this code is the old
    /// product code, not an independent reading like `ReferencePredictDecoder`.
    struct TreePredictDecoder {
        let maxWindows: Int
        let resolve: (String?) throws(ServiceError) -> FuzzTarget

        /// Top-level members of a request with `windows`; the single-window form adds the modalities.
        static let requestKeys: Set<String> = ["windows", "model", "aggregate", "calibration"]
        static let singleWindowKeys: Set<String> = TreeWindowDecoder.modalities.union(["model", "aggregate", "calibration"])

        /// `pathModel` is the `{name}` of `/v1/models/{name}/predict`; the body then has no `model` field.
        func decode(_ body: JSON, pathModel: String?) throws(ServiceError) -> DecodedPredictBody<FuzzTarget> {
            guard case .object(let members) = body else { throw .invalidType("body", expected: "an object", found: body) }
            // With the model in the path, a body `model` is not a field of the request.
            var allowed = body["windows"] == nil ? Self.singleWindowKeys : Self.requestKeys
            if pathModel != nil { allowed.remove("model") }
            try treeRejectUnknownKeys(members, allowed: allowed, prefix: "")
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
                let statistics = try Self.calibration(value, featureCount: model.layout.featureCount)
                if model.needsCalibration { calibration = statistics }
            } else if model.needsCalibration {
                throw .missing(
                    "calibration", code: "missing_calibration",
                    what:
                        "is required: model '\(model.name)' standardises features per subject (get it from /v1/models/\(model.name)/calibrate)"
                )
            }
            let (features, count) = try Self.windows(body, layout: model.layout, maxWindows: maxWindows)
            return DecodedPredictBody(target: model, features: features, windows: count, aggregate: aggregate, calibration: calibration)
        }

        func resolveModel(_ body: JSON, pathModel: String?) throws(ServiceError) -> FuzzTarget {
            if let pathModel { return try resolve(pathModel) }
            var bodyModel: String?
            if let value = body["model"] {
                guard case .string(let name) = value else { throw .invalidType("model", expected: "a string", found: value) }
                bodyModel = name
            }
            return try resolve(bodyModel)
        }

        /// The windows of a body as one row-major matrix: `windows: [...]` or the body itself.
        static func windows(_ body: JSON, layout: InputLayout, maxWindows: Int) throws(ServiceError) -> ([Float], Int) {
            let decoder = TreeWindowDecoder(layout: layout)
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
            try treeRejectUnknownKeys(members, allowed: ["mean", "std"], prefix: "calibration.")
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

    struct TreeWindowDecoder {
        let layout: InputLayout

        /// Members a window object may have.
        static let modalities: Set<String> = ["eeg", "peripheral", "face"]

        /// Decodes one window; `allowedKeys` are the members it may carry (anything else is a 422, so
        /// a misspelt field is reported instead of silently ignored).
        func decode(_ window: JSON, path: String, allowedKeys: Set<String> = modalities, into out: inout [Float]) throws(ServiceError) {
            guard case .object(let members) = window else {
                throw .invalidType(path.isEmpty ? "window" : path, expected: "an object", found: window)
            }
            let prefix = path.isEmpty ? "" : path + "."
            try treeRejectUnknownKeys(members, allowed: allowedKeys, prefix: prefix)
            guard let eeg = window["eeg"] else { throw .missing(prefix + "eeg", code: "missing_modality", what: "is missing") }
            try matrix(eeg, rows: layout.eegChannels, columns: layout.eegBands, field: prefix + "eeg", rowName: "channel", into: &out)
            guard let peripheral = window["peripheral"] else {
                throw .missing(prefix + "peripheral", code: "missing_modality", what: "is missing")
            }
            try self.peripheral(peripheral, field: prefix + "peripheral", into: &out)
            guard let face = window["face"] else { throw .missing(prefix + "face", code: "missing_modality", what: "is missing") }
            try matrix(face, rows: layout.facePlanes, columns: layout.faceBins, field: prefix + "face", rowName: "plane", into: &out)
        }

        private func peripheral(_ value: JSON, field: String, into out: inout [Float]) throws(ServiceError) {
            switch value {
            case .array(let elements):
                try numbers(elements, expected: layout.peripheralDims, field: field, into: &out)
            case .object(let members):
                for group in layout.peripheralGroups {
                    guard let values = value[group.name] else {
                        throw .missing("\(field).\(group.name)", code: "missing_modality", what: "is missing")
                    }
                    guard case .array(let elements) = values else {
                        throw .invalidType("\(field).\(group.name)", expected: "an array of numbers", found: values)
                    }
                    try numbers(elements, expected: group.dims, field: "\(field).\(group.name)", into: &out)
                }
                let known = Set(layout.peripheralGroups.map(\.name))
                if let unknown = members.first(where: { !known.contains($0.key) }) {
                    throw ServiceError(
                        .unprocessableContent, "unknown_field",
                        "\(field) has no group '\(unknown.key.prefix(64))'; the model expects \(layout.peripheralGroups.map(\.name).joined(separator: ", "))",
                        field: "\(field).\(unknown.key.prefix(64))")
                }
            default:
                throw .invalidType(field, expected: "an object of groups or an array of numbers", found: value)
            }
        }

        /// A rows × columns block, nested (`[[…], …]`) or flat (row-major).
        private func matrix(
            _ value: JSON, rows: Int, columns: Int, field: String, rowName: String, into out: inout [Float]
        ) throws(ServiceError) {
            guard case .array(let elements) = value else { throw .invalidType(field, expected: "an array", found: value) }
            if let first = elements.first, case .array = first {
                guard elements.count == rows else {
                    throw .invalidShape("\(field) has \(elements.count) rows, the model expects \(rows) (one per \(rowName))", field: field)
                }
                for (index, row) in elements.enumerated() {
                    guard case .array(let inner) = row else {
                        throw .invalidType("\(field)[\(index)]", expected: "an array of numbers", found: row)
                    }
                    try numbers(inner, expected: columns, field: "\(field)[\(index)]", into: &out)
                }
            } else {
                try numbers(elements, expected: rows * columns, field: field, into: &out)
            }
        }

        private func numbers(_ elements: [JSON], expected: Int, field: String, into out: inout [Float]) throws(ServiceError) {
            guard elements.count == expected else {
                throw .invalidShape("\(field) has \(elements.count) values, the model expects \(expected)", field: field)
            }
            for (index, element) in elements.enumerated() {
                guard case .number(let number) = element else {
                    throw .invalidType("\(field)[\(index)]", expected: "a number", found: element)
                }
                out.append(try featureValue(number, field: "\(field)[\(index)]"))
            }
        }
    }

    /// A 422 naming the first member of `members` not in `allowed`.
    func treeRejectUnknownKeys(_ members: [(key: String, value: JSON)], allowed: Set<String>, prefix: String) throws(ServiceError) {
        guard let unknown = members.first(where: { !allowed.contains($0.key) }) else { return }
        let name = prefix + String(unknown.key.prefix(64))
        throw ServiceError(
            .unprocessableContent, "unknown_field", "\(name) is not a known field (expected \(allowed.sorted().joined(separator: ", ")))",
            field: name)
    }

#endif
