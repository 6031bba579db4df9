import EmotionData
import Foundation
import JSON
import MPCL
import MPCLMath

/// `report.json` of a `fit` or `merge` run:
/// `{"model", "protocol", "folds": [FoldReport], "metrics", …run description…, "best_epochs",
/// "stops", "test_windows", "model_file_fold"}`. The top-level `metrics` are pooled over every test
/// window of every fold; `best_epochs` and `stops` repeat each fold's entry for a quick look.
///
/// The run description (options, recipe, version) stays a JSON object: it is written once from
/// `FitOptions` (`RunDescription`) and otherwise only compared key by key and carried over.
public struct TrainingReport: Equatable, Sendable {
    /// The run-level keys that every fold of one experiment shares (and `merge` checks).
    public static let sharedKeys = [
        "model", "protocol", "ablate", "normalize", "seed", "epochs", "budget", "batch_size", "layout",
    ]
    /// The keys `json` computes from the folds and pooled metrics (not part of the run description).
    static let summaryKeys: Set = ["folds", "metrics", "best_epochs", "stops", "test_windows", "model_file_fold"]

    /// The run description: every key apart from `summaryKeys`, `model` and `protocol` first.
    public var run: JSON
    public var folds: [FoldReport]
    /// Pooled over all test windows.
    public var metrics: MetricSummaries
    public var testWindows: Int
    /// The fold whose model `model.safetensors` holds.
    public var modelFileFold: Int?

    public var model: String? { run["model"]?.stringValue }
    public var protocolName: String? { run["protocol"]?.stringValue }
    public var stops: [StopEntry] { folds.map(\.stop) }

    /// The contract's keys first, then the run description and the summaries.
    public var json: JSON {
        var members: [(key: String, value: JSON)] = [
            (key: "model", value: run["model"] ?? .null), (key: "protocol", value: run["protocol"] ?? .null),
            (key: "folds", value: .array(folds.map(\.json))), (key: "metrics", value: metrics.json),
        ]
        for (key, value) in run.objectValue ?? [] where key != "model" && key != "protocol" {
            members.append((key: key, value: value))
        }
        members.append((key: "best_epochs", value: .array(folds.map { .number(Double($0.bestEpoch)) })))
        members.append((key: "stops", value: .array(folds.map(\.stop.json))))
        members.append((key: "test_windows", value: .number(Double(testWindows))))
        members.append((key: "model_file_fold", value: modelFileFold.map { .number(Double($0)) } ?? .null))
        return .object(members)
    }

    /// Reads `DIR/report.json`; a directory without one is a data error that says what was expected.
    public static func read(directory: String) throws -> TrainingReport {
        let path = (directory as NSString).appendingPathComponent("report.json")
        guard FileManager.default.fileExists(atPath: path) else {
            throw TrainingError.data("\(path): no report.json (is \(directory) a finished fit output?)")
        }
        return try TrainingReport(json: try JSON.parse(try AtomicFile.read(path)), file: path)
    }
}

// In an extension, so the (internal) memberwise initialiser stays.
extension TrainingReport {
    /// The report of `folds` whose pooled predictions scored `pooled`.
    public init(run: JSON, folds: [FoldReport], pooled: MetricScores, modelFileFold: Int?) {
        self.init(
            run: run, folds: folds, metrics: MetricSummaries(pooled), testWindows: pooled.windowCount,
            modelFileFold: modelFileFold)
    }

    /// Reads a report `json` written by `json`; `file` names it in errors.
    public init(json: JSON, file: String) throws(TrainingError) {
        guard let folds = json["folds"]?.arrayValue, !folds.isEmpty else { throw .data("\(file): no 'folds' array") }
        var entries: [FoldReport] = []
        for fold in folds { entries.append(try FoldReport(json: fold, file: file)) }
        self.init(
            run: .object((json.objectValue ?? []).filter { !Self.summaryKeys.contains($0.key) }), folds: entries,
            metrics: MetricSummaries(json: json["metrics"]),
            testWindows: json["test_windows"]?.intValue ?? entries.map(\.windows.test).reduce(0, +),
            modelFileFold: json["model_file_fold"]?.intValue)
    }
}
