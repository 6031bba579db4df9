import EmotionVocabulary
import Foundation
import JSON

extension DataLayout {
    /// Reads a layout file (see docs/LAYOUTS.md); errors name the file and the offending field.
    public static func load(path: String) throws -> DataLayout {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DataError(.unreadable, file: path, "cannot read the layout file")
        }
        let json: JSON
        do { json = try JSON.parse([UInt8](data)) } catch {
            throw DataError(.invalidLayout, file: path, "not valid JSON: \(error)")
        }
        return try DataLayout(json: json, file: path)
    }

    /// Parses the JSON form. `file` names the source in errors.
    public init(json: JSON, file: String = "(layout)") throws {
        func fail(_ field: String, _ problem: String) -> DataError {
            DataError(.invalidLayout, file: file, "field '\(field)': \(problem)")
        }
        guard json.objectValue != nil else { throw DataError(.invalidLayout, file: file, "a layout is a JSON object") }

        var base: DataLayout = .dmer()
        if let extends = json["extends"] {
            guard let name = extends.stringValue, let builtIn = DataLayout.builtIn(named: name) else {
                throw fail("extends", "expected the name of a built-in layout (dmer, split)")
            }
            base = builtIn
        }
        let name = json["name"]?.stringValue ?? base.name
        var input = base.input
        if let inputJSON = json["input"] {
            guard let parsed = InputLayout(json: inputJSON) else {
                throw fail(
                    "input",
                    "expected {\"eeg\":{\"channels\":C,\"bands\":B},\"peripheral\":[{\"name\":…,\"dims\":…}],\"face\":{\"planes\":P,\"bins\":K}} with positive sizes"
                )
            }
            input = parsed
        }
        var labelSet = base.labelSet
        if let labelsJSON = json["label_set"] {
            guard let parsed = LabelSet(json: labelsJSON) else {
                throw fail("label_set", "expected {\"names\": [strings], \"valence\": [+1/-1 …]}")
            }
            labelSet = parsed
            if let problem = labelSet.validationErrors().first { throw fail("label_set", problem) }
        }
        var eegOrder = base.eegOrder
        if let order = json["eeg_order"] {
            guard let text = order.stringValue, let parsed = EEGOrder(rawValue: text) else {
                throw fail("eeg_order", "expected \"channel-major\" or \"band-major\"")
            }
            eegOrder = parsed
        }
        var subject = base.subject
        if let subjectJSON = json["subject"] {
            guard let text = subjectJSON.stringValue, !text.isEmpty else {
                throw fail("subject", "expected a non-empty string")
            }
            subject = text
        }
        var parts = base.parts
        if let partsJSON = json["parts"] {
            guard let list = partsJSON.arrayValue, !list.isEmpty else {
                throw fail("parts", "expected a non-empty array")
            }
            parts = try list.enumerated().map { try Part(json: $1, field: "parts[\($0)]", input: input, fail: fail) }
        } else if json["features"] != nil {
            parts = [try Part(json: json, field: "", input: input, fail: fail)]
        }
        self.init(name: name, input: input, labelSet: labelSet, eegOrder: eegOrder, subject: subject, parts: parts)
        if let problem = input.validationErrors().first { throw fail("input", problem) }
    }

    /// The JSON form, for reports and checkpoint provenance.
    public var json: JSON {
        var members: [(key: String, value: JSON)] = [
            ("name", .string(name)), ("input", input.json),
            ("label_set", labelSet.json),
            ("eeg_order", .string(eegOrder.rawValue)),
        ]
        if let subject { members.append(("subject", .string(subject))) }
        members.append(("parts", .array(parts.map { $0.json(input: input) })))
        return .object(members)
    }
}

extension DataLayout.Part {
    init(json: JSON, field: String, input: InputLayout, fail: (String, String) -> DataError) throws {
        let prefix = field.isEmpty ? "" : field + "."
        var part: DataPart?
        if let tag = json["part"] {
            guard let text = tag.stringValue, let parsed = DataPart(rawValue: text) else {
                throw fail(prefix + "part", "expected \"train\" or \"test\"")
            }
            part = parsed
        }
        let featuresJSON = json["features"]
        let features: DataLayout.Features
        if let fused = featuresJSON?["fused"]?.stringValue {
            features = .fused(fused)
        } else if let eeg = featuresJSON?["eeg"]?.stringValue, let face = featuresJSON?["face"]?.stringValue,
            let peripheralJSON = featuresJSON?["peripheral"]
        {
            var peripheral: [String] = []
            for group in input.peripheralGroups {
                guard let variable = peripheralJSON[group.name]?.stringValue else {
                    throw fail(
                        prefix + "features.peripheral", "no variable for group '\(group.name)' of the input layout")
                }
                peripheral.append(variable)
            }
            features = .modalities(eeg: eeg, peripheral: peripheral, face: face)
        } else {
            throw fail(
                prefix + "features",
                "expected {\"fused\": var} or {\"eeg\": var, \"peripheral\": {group: var, …}, \"face\": var}")
        }
        let labels: DataLayout.Labels
        if let perWindow = json["labels"]?["per_window"]?.stringValue {
            labels = .perWindow(perWindow)
        } else if let perClip = json["labels"]?["per_clip"]?.stringValue {
            labels = .perClip(perClip)
        } else {
            throw fail(prefix + "labels", "expected {\"per_window\": var} or {\"per_clip\": var}")
        }
        let clips: DataLayout.Clips
        if let variable = json["clips"]?["variable"]?.stringValue {
            let base = json["clips"]?["base"]
            guard base == nil || base?.intValue != nil else { throw fail(prefix + "clips.base", "expected an integer") }
            clips = .variable(variable, base: base?.intValue ?? 0)
        } else if let constant = json["clips"]?["constant"]?.intValue {
            clips = .constant(constant)
        } else if json["clips"] == nil {
            clips = .constant(-1)
        } else {
            throw fail(prefix + "clips", "expected {\"variable\": var, \"base\": 0 or 1} or {\"constant\": n}")
        }
        if case .perClip = labels, case .constant = clips {
            throw fail(prefix + "clips", "per-clip labels need a clip variable to say which row each window takes")
        }
        self.init(part: part, features: features, labels: labels, clips: clips)
    }

    func json(input: InputLayout) -> JSON {
        var members: [(key: String, value: JSON)] = []
        if let part { members.append(("part", .string(part.rawValue))) }
        switch features {
        case .fused(let name): members.append(("features", ["fused": .string(name)]))
        case .modalities(let eeg, let peripheral, let face):
            let groups = zip(input.peripheralGroups, peripheral).map { (key: $0.name, value: JSON.string($1)) }
            members.append(("features", ["eeg": .string(eeg), "peripheral": .object(groups), "face": .string(face)]))
        }
        switch labels {
        case .perWindow(let name): members.append(("labels", ["per_window": .string(name)]))
        case .perClip(let name): members.append(("labels", ["per_clip": .string(name)]))
        }
        switch clips {
        case .variable(let name, let base):
            members.append(("clips", ["variable": .string(name), "base": .number(Double(base))]))
        case .constant(let value): members.append(("clips", ["constant": .number(Double(value))]))
        }
        return .object(members)
    }
}
