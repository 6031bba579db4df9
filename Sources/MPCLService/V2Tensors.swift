import EmotionVocabulary
import MPCL

/// The inputs of one V2 `infer` request as they are read: each input's shape, and the values of
/// those that can end in an accepted request, written straight to where the model takes them —
/// eeg, peripheral and face into their columns of one rows × featureCount feature buffer,
/// `calibration_mean`/`calibration_std` into their vectors.
///
/// The feature buffer is allocated by the first modality input whose shape the model takes, with
/// 1 ≤ rows ≤ maxWindows and rows × featureCount ≤ `maxValues`, the most numbers the body can hold
/// (an accepted request carries exactly rows × featureCount of them). An input that cannot end in
/// an accepted request (another batch size, a shape the model refuses, a calibration vector of the
/// wrong length, a name the model ignores) is read and checked all the same, its values dropped;
/// `assemble` then refuses the request.
struct V2Tensors {
    let layout: InputLayout
    let needsCalibration: Bool
    let maxWindows: Int
    /// An upper bound on the numbers the body holds: half the JSON header (a number and its comma
    /// take at least two bytes) plus the binary tail (at least one byte a value).
    let maxValues: Int

    private var shapes: [String: V2Shape] = [:]
    private var features: [Float] = []
    private var featureRows = 0
    private var mean: [Float] = []
    private var std: [Float] = []

    init(layout: InputLayout, needsCalibration: Bool, maxWindows: Int, maxValues: Int) {
        self.layout = layout
        self.needsCalibration = needsCalibration
        self.maxWindows = maxWindows
        self.maxValues = maxValues
    }

    /// Where the values of one input go: value k to `next`, advancing by one within a row of
    /// `rowWidth` values and by `rowGap` more between rows; nowhere once `remaining` is 0.
    struct Sink {
        enum Buffer { case none, features, mean, std }
        fileprivate var buffer: Buffer
        fileprivate var next: Int
        fileprivate var column = 0
        fileprivate let rowWidth: Int
        fileprivate let rowGap: Int
        fileprivate var remaining: Int

        static let none = Sink(buffer: .none, next: 0, rowWidth: 1, rowGap: 0, remaining: 0)
    }

    /// Per-row shapes the model takes for each modality input (after the batch dimension).
    func rowShapes(_ name: String) -> [[Int]] {
        switch name {
        case "eeg": return [[layout.eegChannels, layout.eegBands], [layout.eegDims]]
        case "peripheral": return [[layout.peripheralDims]]
        default: return [[layout.faceDims], [layout.facePlanes, layout.faceBins]]
        }
    }

    func contains(_ name: String) -> Bool { shapes[name] != nil }

    /// The sink for input `name` of `shape`, which holds `count` values.
    mutating func sink(for name: String, shape: V2Shape, count: Int) -> Sink {
        let featureCount = layout.featureCount
        let columns: (offset: Int, width: Int)
        switch name {
        case "eeg": columns = (0, layout.eegDims)
        case "peripheral": columns = (layout.eegDims, layout.peripheralDims)
        case "face": columns = (layout.eegDims + layout.peripheralDims, layout.faceDims)
        case "calibration_mean", "calibration_std":
            guard needsCalibration, count == featureCount, featureCount <= maxValues else { return .none }
            if name == "calibration_mean" {
                mean = [Float](repeating: 0, count: featureCount)
                return Sink(buffer: .mean, next: 0, rowWidth: featureCount, rowGap: 0, remaining: featureCount)
            }
            std = [Float](repeating: 0, count: featureCount)
            return Sink(buffer: .std, next: 0, rowWidth: featureCount, rowGap: 0, remaining: featureCount)
        default: return .none
        }
        guard let rows = shape.rows, rows >= 1, rows <= maxWindows, let rowShape = shape.rowShape, rowShapes(name).contains(rowShape),
            rows * featureCount <= maxValues, featureRows == 0 || featureRows == rows
        else { return .none }
        if featureRows == 0 {
            features = [Float](repeating: 0, count: rows * featureCount)
            featureRows = rows
        }
        return Sink(
            buffer: .features, next: columns.offset, rowWidth: columns.width, rowGap: featureCount - columns.width,
            remaining: rows * columns.width)
    }

    /// Records input `name` as read whole.
    mutating func add(_ name: String, shape: V2Shape) { shapes[name] = shape }

    /// Stores the next value of `sink`'s input.
    @inline(__always) mutating func put(_ value: Float, _ sink: inout Sink) {
        guard sink.remaining > 0 else { return }
        switch sink.buffer {
        case .features: features[sink.next] = value
        case .mean: mean[sink.next] = value
        case .std: std[sink.next] = value
        case .none: return
        }
        sink.remaining -= 1
        sink.next += 1
        sink.column += 1
        if sink.column == sink.rowWidth {
            sink.column = 0
            sink.next += sink.rowGap
        }
    }

    /// The request's features, windows and calibration, once every input is read: each modality
    /// present with a shape the model takes, one batch size across them, 1 ≤ rows ≤ maxWindows;
    /// per-subject models also need both calibration vectors.
    mutating func assemble() throws(ServiceError) -> (features: [Float], rows: Int, calibration: FeatureNormalization?) {
        var batch: Int?
        for name in V2Codec.inputNames {
            guard let shape = shapes[name] else { throw .missing("inputs.\(name)", code: "missing_modality", what: "is missing") }
            let wanted = rowShapes(name)
            guard let rows = shape.rows, let rowShape = shape.rowShape, wanted.contains(rowShape) else {
                let text = wanted.map { "[B, " + $0.map(String.init).joined(separator: ", ") + "]" }.joined(separator: " or ")
                throw .invalidShape("\(name) has shape \(shape); the model expects \(text)", field: "inputs.\(name)")
            }
            if let batch, batch != rows {
                throw .invalidShape("\(name) has \(rows) rows but another input has \(batch)", field: "inputs.\(name)")
            }
            batch = rows
        }
        let rows = batch ?? 0
        guard rows >= 1 else { throw .invalidShape("the batch dimension is 0", field: "inputs") }
        guard rows <= maxWindows else {
            throw .payloadTooLarge("\(rows) windows in one request; the limit is \(maxWindows)", field: "inputs")
        }
        // Every modality was accepted above with these rows, so `sink` gave each the buffer (an
        // accepted request holds rows × featureCount numbers, within `maxValues`).
        precondition(featureRows == rows, "V2 feature buffer of \(featureRows) rows for a request of \(rows)")
        var calibration: FeatureNormalization?
        if needsCalibration {
            let statistics = CalibrationStatistics(featureCount: layout.featureCount, naming: .v2Inputs)
            for (name, vector) in [("calibration_mean", CalibrationStatistics.Vector.mean), ("calibration_std", .std)] {
                guard let shape = shapes[name] else {
                    throw .missing(
                        "inputs.\(name)", code: "missing_calibration", what: "is required: the model standardises features per subject")
                }
                // The product did not overflow: the input's shape was refused when it was read.
                try statistics.checkCount(shape.valueCount ?? 0, of: vector)
            }
            calibration = try statistics.normalization(mean: mean, std: std)
        }
        return (features, rows, calibration)
    }
}
