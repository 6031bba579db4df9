import EmotionVocabulary
import Foundation
import JSON
import MPCL

/// One servable model: its checkpoint's predictor plus the facts the API reports about it.
/// Immutable and shared by reference, so a request keeps the model it started with across a reload.
public final class LoadedModel: Sendable {
    public let name: String
    /// File the model came from (nil for the built-in default).
    public let path: String?
    public let sha256: String
    /// Short content identifier: the first 12 hex digits of the file's sha256.
    public let version: String
    public let loadedAt: Date
    public let predictor: Predictor
    public let training: JSON

    public init(name: String, path: String?, checkpoint: Checkpoint, sha256: String, loadedAt: Date = Date()) {
        self.name = name
        self.path = path
        self.sha256 = sha256
        self.version = String(sha256.prefix(12))
        self.loadedAt = loadedAt
        self.predictor = Predictor(checkpoint: checkpoint)
        self.training = checkpoint.training
    }

    public var config: ModelConfig { predictor.model.config }
    public var layout: InputLayout { config.layout }
    public var labels: LabelSet { config.labels }
    public var featureCount: Int { layout.featureCount }
    public var classCount: Int { labels.count }
    public var needsCalibration: Bool { config.perSubjectNormalization }

    /// `{"name","version","sha256"}`, the model block of every prediction.
    public var reference: JSON {
        ["name": .string(name), "version": .string(version), "sha256": .string(sha256)]
    }

    /// Everything `GET /v1/models/{name}` reports.
    public var metadata: JSON {
        var layoutJSON = layout.json
        if case .object(var members) = layoutJSON {
            members.append((key: "feature_count", value: .number(Double(featureCount))))
            layoutJSON = .object(members)
        }
        return [
            "name": .string(name),
            "version": .string(version),
            "sha256": .string(sha256),
            "loaded_at": .string(Self.timestamp(loadedAt)),
            "architecture": .string(config.architecture.rawValue),
            "labels": labels.entries,
            "input": layoutJSON,
            "parameter_count": .number(Double(predictor.model.parameters.scalarCount)),
            "per_subject_normalization": .bool(needsCalibration),
            "config": config.json,
            "training": training,
        ]
    }

    /// Checks that the model answers a neutral window with a finite distribution: a file that
    /// parses but cannot predict is refused at load time, never at request time.
    func selfTest() -> String? {
        let output = predictor.distributions(rawFeatures: predictor.normalization.mean, rows: 1)
        guard output.count == classCount, output.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            return "the model produced a non-finite distribution on a neutral window"
        }
        let sum = output.reduce(0) { $0 + Double($1) }
        guard abs(sum - 1) < 1e-4 else { return "the model's distribution sums to \(sum), not 1" }
        return nil
    }

    /// RFC 3339 UTC timestamp with milliseconds.
    static func timestamp(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let millis = Int((date.timeIntervalSince1970 - Double(seconds)) * 1000)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(millis), 3))Z"
    }
}
