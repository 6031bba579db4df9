import JSON

/// How one window's feature vector is laid out: the modalities, their shapes, and the order in
/// which they are concatenated. Every dimension is configuration (stored in the checkpoint), never
/// a constant in code, so DMER's 18×5 | 28+27 | 3×256 and the EmotionDict sample's 18×4 | 4+4 | 32
/// are both just values.
///
/// The canonical flat order is: EEG channel-major with bands fastest (`eeg[c * bands + b]`), then
/// each peripheral group in declaration order, then the face planes one after another.
public struct InputLayout: Equatable, Sendable {
    /// One named group of peripheral-signal features (e.g. `gsr`, `ppg`).
    public struct Group: Equatable, Sendable {
        public var name: String
        public var dims: Int
        public init(name: String, dims: Int) {
            self.name = name
            self.dims = dims
        }
    }

    public var eegChannels: Int
    public var eegBands: Int
    public var peripheralGroups: [Group]
    public var facePlanes: Int
    public var faceBins: Int

    public init(eegChannels: Int, eegBands: Int, peripheralGroups: [Group], facePlanes: Int, faceBins: Int) {
        self.eegChannels = eegChannels
        self.eegBands = eegBands
        self.peripheralGroups = peripheralGroups
        self.facePlanes = facePlanes
        self.faceBins = faceBins
    }

    /// DMER's released per-second feature vector: 913 numbers.
    public static let dmer = InputLayout(
        eegChannels: 18, eegBands: 5, peripheralGroups: [Group(name: "gsr", dims: 28), Group(name: "ppg", dims: 27)],
        facePlanes: 3, faceBins: 256)

    /// The EmotionDict feature sample (same lab and protocol as DMER): 18×4 EEG, GSR 4, PPG 4, face 32.
    public static let emotionDictSample = InputLayout(
        eegChannels: 18, eegBands: 4, peripheralGroups: [Group(name: "gsr", dims: 4), Group(name: "ppg", dims: 4)],
        facePlanes: 1, faceBins: 32)

    public var eegDims: Int { eegChannels * eegBands }
    public var peripheralDims: Int { peripheralGroups.reduce(0) { $0 + $1.dims } }
    public var faceDims: Int { facePlanes * faceBins }
    /// Physiological stream (EEG + peripheral) width, the input of the global token `g_phys`.
    public var physiologicalDims: Int { eegDims + peripheralDims }
    /// Length of one window's flat feature vector.
    public var featureCount: Int { eegDims + peripheralDims + faceDims }

    public var eegRange: Range<Int> { 0..<eegDims }
    public var peripheralRange: Range<Int> { eegDims..<(eegDims + peripheralDims) }
    public var faceRange: Range<Int> { (eegDims + peripheralDims)..<featureCount }

    /// The flat range of peripheral group `index`.
    public func peripheralGroupRange(_ index: Int) -> Range<Int> {
        var start = eegDims
        for group in peripheralGroups[..<index] { start += group.dims }
        return start..<(start + peripheralGroups[index].dims)
    }

    /// Problems that make the layout unusable (empty modality, non-positive dims, duplicate names).
    public func validationErrors() -> [String] {
        var errors: [String] = []
        if eegChannels < 1 || eegBands < 1 { errors.append("eeg needs at least one channel and one band") }
        if peripheralGroups.isEmpty { errors.append("peripheral needs at least one group") }
        for group in peripheralGroups where group.dims < 1 {
            errors.append("peripheral group \(group.name) needs at least one feature")
        }
        if Set(peripheralGroups.map(\.name)).count != peripheralGroups.count {
            errors.append("peripheral group names must be unique")
        }
        if facePlanes < 1 || faceBins < 1 { errors.append("face needs at least one plane and one bin") }
        return errors
    }
}

extension InputLayout {
    /// `{"eeg":{"channels":18,"bands":5},"peripheral":[{"name":"gsr","dims":28},…],"face":{"planes":3,"bins":256}}`
    public var json: JSON {
        [
            "eeg": ["channels": .number(Double(eegChannels)), "bands": .number(Double(eegBands))],
            "peripheral": .array(peripheralGroups.map { ["name": .string($0.name), "dims": .number(Double($0.dims))] }),
            "face": ["planes": .number(Double(facePlanes)), "bins": .number(Double(faceBins))],
        ]
    }

    /// Reads the form written by `json`; nil when a field is missing or not a positive integer.
    public init?(json: JSON) {
        guard let channels = json["eeg"]?["channels"]?.intValue, let bands = json["eeg"]?["bands"]?.intValue,
            let groups = json["peripheral"]?.arrayValue, let planes = json["face"]?["planes"]?.intValue,
            let bins = json["face"]?["bins"]?.intValue
        else { return nil }
        var parsed: [Group] = []
        for group in groups {
            guard let name = group["name"]?.stringValue, let dims = group["dims"]?.intValue else { return nil }
            parsed.append(Group(name: name, dims: dims))
        }
        self.init(eegChannels: channels, eegBands: bands, peripheralGroups: parsed, facePlanes: planes, faceBins: bins)
        guard validationErrors().isEmpty else { return nil }
    }
}
