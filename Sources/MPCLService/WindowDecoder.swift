import EmotionVocabulary
import JSON
import MPCL

/// Turns one JSON window into the model's flat feature order (InputLayout: EEG channel-major with
/// bands fastest, then the peripheral groups in order, then the face planes), appending to `out`.
///
/// Accepted shapes: `eeg` nested `[channels][bands]` or flat; `peripheral` an object of named
/// groups or one flat array in group order; `face` flat or nested `[planes][bins]`. Every refusal
/// names the field path (`windows[3].eeg[2]`) and is a 422.
struct WindowDecoder {
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
        try rejectUnknownKeys(members, allowed: allowedKeys, prefix: prefix)
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

/// Raw feature values the service accepts: |x| ≤ 1e9. Larger (yet finite) values overflow inside the
/// network (squares in its normalisation layers pass Float's range near 1e19 after z-scoring, whose
/// σ is floored at 1e-6), so they are refused up front instead of producing NaN.
let maximumFeatureMagnitude = 1e9

/// `value` as a Float within the accepted range; a refusal names the field: `non_finite` when the
/// value does not fit a finite Float (e.g. `1e39`), `out_of_range` beyond ±1e9.
func featureValue(_ value: Double, field: @autoclosure () -> String) throws(ServiceError) -> Float {
    guard value.isFinite, abs(value) <= Double(Float.greatestFiniteMagnitude) else { throw .nonFinite(field()) }
    guard abs(value) <= maximumFeatureMagnitude else {
        let name = field()
        throw ServiceError(.unprocessableContent, "out_of_range", "\(name) is beyond ±1e9", field: name)
    }
    return Float(value)
}

/// A 422 naming the first member of `members` not in `allowed`.
func rejectUnknownKeys(_ members: [(key: String, value: JSON)], allowed: Set<String>, prefix: String) throws(ServiceError) {
    guard let unknown = members.first(where: { !allowed.contains($0.key) }) else { return }
    let name = prefix + String(unknown.key.prefix(64))
    throw ServiceError(
        .unprocessableContent, "unknown_field", "\(name) is not a known field (expected \(allowed.sorted().joined(separator: ", ")))",
        field: name)
}
