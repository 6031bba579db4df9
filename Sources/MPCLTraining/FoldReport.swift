import JSON
import MPCL

/// One entry of `report.json`'s `folds`: `{"fold", "test_subjects", "metrics", "train_subjects",
/// "validation_subjects", "windows": {"train", "validation", "test"}, "best_epoch",
/// "best_validation_kl", "stop", "history", "seconds"}`. `fit` writes it (and keeps it in the
/// resume store while later folds run); `merge`, the SVG report and the summary read it.
public struct FoldReport: Equatable, Sendable {
    /// Window counts of the fold's three parts.
    public struct Windows: Equatable, Sendable {
        public var train: Int
        public var validation: Int
        public var test: Int
    }

    public var fold: Int
    public var testSubjects: [String]
    public var metrics: MetricSummaries
    public var trainSubjects: [String]
    public var validationSubjects: [String]
    public var windows: Windows
    public var bestEpoch: Int
    /// Nil when the fold has no validation windows.
    public var bestValidationKL: Double?
    public var stop: StopEntry
    public var history: [EpochRecord]
    /// Wall-clock seconds of the whole fold.
    public var seconds: Double

    public var json: JSON {
        [
            "fold": .number(Double(fold)), "test_subjects": JSON(strings: testSubjects), "metrics": metrics.json,
            "train_subjects": JSON(strings: trainSubjects), "validation_subjects": JSON(strings: validationSubjects),
            "windows": [
                "train": .number(Double(windows.train)), "validation": .number(Double(windows.validation)),
                "test": .number(Double(windows.test)),
            ],
            "best_epoch": .number(Double(bestEpoch)), "best_validation_kl": bestValidationKL.map { .number($0) } ?? .null,
            "stop": stop.json, "history": .array(history.map(\.json)), "seconds": .number(seconds),
        ]
    }

}

// In an extension, so the (internal) memberwise initialiser that `fit` uses stays.
extension FoldReport {
    /// Reads a fold entry; `file` names the report in the error.
    public init(json: JSON, file: String) throws(TrainingError) {
        guard let fold = json["fold"]?.intValue, let test = json["windows"]?["test"]?.intValue else {
            throw .data("\(file): a fold entry lacks 'fold' or 'windows.test'")
        }
        guard let stop = StopEntry(json: json["stop"]) else {
            throw .data("\(file): fold \(fold) lacks a complete 'stop' entry (reason, epochs, steps, best_epoch, best_step)")
        }
        let strings = { (key: String) in json[key]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        self.init(
            fold: fold, testSubjects: strings("test_subjects"), metrics: MetricSummaries(json: json["metrics"]),
            trainSubjects: strings("train_subjects"), validationSubjects: strings("validation_subjects"),
            windows: Windows(
                train: json["windows"]?["train"]?.intValue ?? 0, validation: json["windows"]?["validation"]?.intValue ?? 0,
                test: test),
            bestEpoch: json["best_epoch"]?.intValue ?? 0, bestValidationKL: json["best_validation_kl"]?.doubleValue,
            stop: stop, history: json["history"]?.arrayValue?.compactMap(EpochRecord.init(json:)) ?? [],
            seconds: json["seconds"]?.doubleValue ?? 0)
    }
}
