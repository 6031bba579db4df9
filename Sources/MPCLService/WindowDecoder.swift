import EmotionVocabulary
import JSON

/// Reads JSON windows straight from the request bytes into the model's flat feature order
/// (InputLayout: EEG channel-major with bands fastest, then the peripheral groups in order, then
/// the face planes) — no JSON tree is built for the numbers (docs/PERFORMANCE.md).
///
/// Accepted shapes: `eeg` nested `[channels][bands]` or flat; `peripheral` an object of named
/// groups or one flat array in group order; `face` flat or nested `[planes][bins]`. Every refusal
/// names the field path (`windows[3].eeg[2]`) and is a 422.
///
/// The bytes are read in document order, but a refusal is the one a check in contract order
/// would give (unknown member, then eeg, peripheral, face; a count before the elements): each
/// part reads its whole value and returns its first refusal instead of throwing, and the caller
/// picks by rank. Grammar errors (`JSONParseError`) are thrown at once: they come first.
struct WindowDecoder {
    let layout: InputLayout
    /// The offset of each peripheral group in a row.
    let groupOffsets: [Int]

    init(layout: InputLayout) {
        self.layout = layout
        var offsets: [Int] = []
        var offset = layout.eegDims
        for group in layout.peripheralGroups {
            offsets.append(offset)
            offset += group.dims
        }
        groupOffsets = offsets
    }

    /// Members a window object may have, in the order their refusals rank.
    static let modalityOrder = ["eeg", "peripheral", "face"]
    static let modalities = Set(modalityOrder)

    /// Reads one window object into `out[base ..< base + featureCount]`.
    func window(_ reader: inout JSONReader, path: String, into out: inout [Float], at base: Int) throws(JSONParseError)
        -> ServiceError?
    {
        let kind = try reader.peekKind()
        guard kind == .object else {
            try reader.skipValue()
            return .invalidType(path.isEmpty ? "window" : path, expected: "an object", found: kind)
        }
        let prefix = path.isEmpty ? "" : path + "."
        try reader.beginObject()
        var names = JSONMemberNames()
        var first = true
        var seen = [false, false, false]
        var refusals: [ServiceError?] = [nil, nil, nil]
        var unknown: ServiceError?
        while let name = try reader.nextMember(first: first, names: &names) {
            first = false
            guard let rank = Self.modalityOrder.firstIndex(of: name) else {
                try reader.skipValue()
                if unknown == nil { unknown = unknownField(prefix + String(name.prefix(64)), allowed: Self.modalities) }
                continue
            }
            seen[rank] = true
            refusals[rank] = try modality(rank, &reader, prefix: prefix, into: &out, at: base)
        }
        if let unknown { return unknown }
        for rank in 0..<3 {
            guard seen[rank] else { return Self.missingModality(prefix + Self.modalityOrder[rank]) }
            if let refusal = refusals[rank] { return refusal }
        }
        return nil
    }

    static func missingModality(_ field: String) -> ServiceError {
        .missing(field, code: "missing_modality", what: "is missing")
    }

    /// Reads the value of modality `rank` (of `modalityOrder`) of a window whose fields start with `prefix`.
    func modality(_ rank: Int, _ reader: inout JSONReader, prefix: String, into out: inout [Float], at base: Int)
        throws(JSONParseError) -> ServiceError?
    {
        switch rank {
        case 0:
            return try matrix(
                &reader, rows: layout.eegChannels, columns: layout.eegBands, field: prefix + "eeg", rowName: "channel", into: &out,
                at: base)
        case 1:
            return try peripheral(&reader, field: prefix + "peripheral", into: &out, at: base)
        default:
            return try matrix(
                &reader, rows: layout.facePlanes, columns: layout.faceBins, field: prefix + "face", rowName: "plane", into: &out,
                at: base + layout.eegDims + layout.peripheralDims)
        }
    }

    private func peripheral(_ reader: inout JSONReader, field: String, into out: inout [Float], at base: Int) throws(JSONParseError)
        -> ServiceError?
    {
        let kind = try reader.peekKind()
        switch kind {
        case .array:
            try reader.beginArray()
            return try Self.numbers(&reader, expected: layout.peripheralDims, field: field, into: &out, at: base + layout.eegDims)
        case .object:
            let groups = layout.peripheralGroups
            try reader.beginObject()
            var names = JSONMemberNames()
            var first = true
            var seen = [Bool](repeating: false, count: groups.count)
            var refusals = [ServiceError?](repeating: nil, count: groups.count)
            var unknown: ServiceError?
            while let name = try reader.nextMember(first: first, names: &names) {
                first = false
                guard let index = groups.firstIndex(where: { $0.name == name }) else {
                    try reader.skipValue()
                    if unknown == nil {
                        unknown = ServiceError(
                            .unprocessableContent, "unknown_field",
                            "\(field) has no group '\(name.prefix(64))'; the model expects \(groups.map(\.name).joined(separator: ", "))",
                            field: "\(field).\(name.prefix(64))")
                    }
                    continue
                }
                seen[index] = true
                let groupField = "\(field).\(name)"
                let valueKind = try reader.peekKind()
                guard valueKind == .array else {
                    try reader.skipValue()
                    refusals[index] = .invalidType(groupField, expected: "an array of numbers", found: valueKind)
                    continue
                }
                try reader.beginArray()
                refusals[index] = try Self.numbers(
                    &reader, expected: groups[index].dims, field: groupField, into: &out, at: base + groupOffsets[index])
            }
            for index in groups.indices {
                guard seen[index] else { return Self.missingModality("\(field).\(groups[index].name)") }
                if let refusal = refusals[index] { return refusal }
            }
            return unknown
        default:
            try reader.skipValue()
            return .invalidType(field, expected: "an object of groups or an array of numbers", found: kind)
        }
    }

    /// A rows × columns block, nested (`[[…], …]`, told by its first element) or flat (row-major).
    private func matrix(
        _ reader: inout JSONReader, rows: Int, columns: Int, field: String, rowName: String, into out: inout [Float], at base: Int
    ) throws(JSONParseError) -> ServiceError? {
        let kind = try reader.peekKind()
        guard kind == .array else {
            try reader.skipValue()
            return .invalidType(field, expected: "an array", found: kind)
        }
        try reader.beginArray()
        guard try reader.nextElement(first: true) else {
            return .invalidShape("\(field) has 0 values, the model expects \(rows * columns)", field: field)
        }
        guard try reader.peekKind() == .array else {
            return try Self.numbers(&reader, expected: rows * columns, field: field, into: &out, at: base, firstRead: true)
        }
        var count = 0
        var refusal: ServiceError?
        repeat {
            let index = count
            count += 1
            let rowKind = try reader.peekKind()
            if rowKind != .array {
                try reader.skipValue()
                if refusal == nil { refusal = .invalidType("\(field)[\(index)]", expected: "an array of numbers", found: rowKind) }
            } else if index >= rows || refusal != nil {
                try reader.skipValue()
            } else {
                try reader.beginArray()
                refusal = try Self.numbers(&reader, expected: columns, field: "\(field)[\(index)]", into: &out, at: base + index * columns)
            }
        } while try reader.nextElement(first: false)
        guard count == rows else {
            return .invalidShape("\(field) has \(count) rows, the model expects \(rows) (one per \(rowName))", field: field)
        }
        return refusal
    }

    /// The rest of an open array, which must hold `expected` numbers, into `out[base...]`.
    /// `firstRead` says the caller has already seen that the array has a first element. The count
    /// is checked before the elements, as its refusal ranks first.
    static func numbers(
        _ reader: inout JSONReader, expected: Int, field: String, into out: inout [Float], at base: Int, firstRead: Bool = false
    ) throws(JSONParseError) -> ServiceError? {
        var count = 0
        var refusal: ServiceError?
        if !firstRead, try !reader.nextElement(first: true) {
            return expected == 0 ? nil : .invalidShape("\(field) has 0 values, the model expects \(expected)", field: field)
        }
        repeat {
            let index = count
            count += 1
            let kind = try reader.peekKind()
            if kind == .number {
                let value = try reader.readNumber()
                if abs(value) <= maximumFeatureMagnitude {
                    if index < expected { out[base + index] = Float(value) }
                } else if refusal == nil {
                    do throws(ServiceError) {
                        _ = try featureValue(value, field: "\(field)[\(index)]")
                    } catch {
                        refusal = error
                    }
                }
            } else {
                try reader.skipValue()
                if refusal == nil { refusal = .invalidType("\(field)[\(index)]", expected: "a number", found: kind) }
            }
        } while try reader.nextElement(first: false)
        guard count == expected else {
            return .invalidShape("\(field) has \(count) values, the model expects \(expected)", field: field)
        }
        return refusal
    }
}

extension ServiceError {
    static func invalidType(_ field: String, expected: String, found kind: JSONKind) -> ServiceError {
        ServiceError(.unprocessableContent, "invalid_type", "\(field) must be \(expected), found \(kind.name)", field: field)
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

/// A 422 naming `name`, a member not in `allowed`.
func unknownField(_ name: String, allowed: Set<String>) -> ServiceError {
    ServiceError(
        .unprocessableContent, "unknown_field", "\(name) is not a known field (expected \(allowed.sorted().joined(separator: ", ")))",
        field: name)
}
