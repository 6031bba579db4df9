import EmotionData
import Foundation
import JSON
import MPCL
import MPCLMath

/// `mpcl-train fit`: loads the data, splits it by the protocol, trains a fresh model per fold (in
/// sequence), predicts each fold's test windows through `Predictor` (the server's inference path),
/// and writes `DIR/report.json`, `DIR/report.svg`, `DIR/predictions.csv` and `DIR/model.safetensors`.
///
/// `model.safetensors` holds the best-validation model of the **last fold run** (the highest fold
/// index; with `--fold I`, fold I); `report.json` names it in `model_file_fold`. Outputs are written
/// atomically and only after every fold finished, so a failed run never leaves a half-written file.
public struct FitRun {
    public var options: FitOptions
    public var recipe = TrainingRecipe()
    public var progress: TrainingProgress
    /// Test hook, called with (fold, epochs done) after each epoch's resume state is written;
    /// throwing stops the run there, as a crash would.
    var afterEpoch: ((Int, Int) throws -> Void)?
    /// Test hook: sees every optimiser step's (fold, 0-based epoch, step, co-occurrence weight).
    var stepObserver: ((Int, Int, Int, Double) -> Void)?

    public init(options: FitOptions, progress: TrainingProgress = SilentProgress()) {
        self.options = options
        self.progress = progress
    }

    /// What a finished run wrote.
    public struct Outcome {
        public var report: TrainingReport
        public var predictions: PredictionTable
        public var reportPath: String
        public var predictionsPath: String
        public var modelPath: String
    }

    /// Runs the whole command; every failure is a `TrainingError` (one line, exit class).
    public func run() throws(TrainingError) -> Outcome {
        do { return try runUnmapped() } catch { throw TrainingError.from(error) }
    }

    private func runUnmapped() throws -> Outcome {
        try options.validate()
        let layout = try resolveLayout()
        let dataset = try DatasetLoader.load(path: options.dataPath, layout: layout)
        let folds = try options.evaluation.folds(for: dataset, seed: options.seed)
        let selected: [Int]
        if let fold = options.fold {
            guard fold < folds.count else {
                throw TrainingError.usage(
                    "--fold \(fold) is out of range: protocol \(options.evaluation.name) has \(folds.count) fold\(folds.count == 1 ? "" : "s") (0–\(folds.count - 1))"
                )
            }
            selected = [fold]
        } else {
            selected = Array(folds.indices)
        }
        let config = try options.modelConfig(layout: dataset.layout, labels: dataset.labels)
        let description = RunDescription.json(options, layoutName: layout.name, recipe: recipe)
        var run = description
        if case .object(var members) = run {
            members.append((key: "fold_selection", value: options.fold.map { .number(Double($0)) } ?? "all"))
            run = .object(members)
        }

        do {
            try FileManager.default.createDirectory(atPath: options.outputDirectory, withIntermediateDirectories: true)
        } catch {
            throw TrainingError.data("\(options.outputDirectory): cannot create the output directory")
        }
        let store = ResumeStore(outputDirectory: options.outputDirectory)
        if !(options.resume ? try store.open(run: run) : false) {
            if options.resume { progress.note("no resume state in \(store.directory): starting from the first epoch") }
            try store.reset(run: run)
        }

        let subjectNormalization = options.normalization == .subject ? Self.perSubjectNormalization(dataset) : [:]
        var perSubjectFeatures: [Float]? = nil
        if options.normalization == .subject {
            perSubjectFeatures = Self.zScored(dataset) { subjectNormalization[$0]! }
        }

        var results: [FoldResult] = []
        for fold in selected {
            if let finished = try store.loadFinished(fold: fold) {
                progress.note("fold \(fold): already finished, read from \(store.directory)")
                results.append(finished)
                continue
            }
            let plan = folds[fold]
            let globalNormalization =
                options.normalization == .global
                ? FeatureNormalization(features: dataset.features, columns: dataset.layout.featureCount, rows: plan.train)
                : nil
            let features = perSubjectFeatures ?? Self.zScored(dataset) { _ in globalNormalization! }
            let result = try trainFold(
                fold, plan: plan, foldCount: folds.count, dataset: dataset, features: features, config: config,
                globalNormalization: globalNormalization, subjectNormalization: subjectNormalization, layoutName: layout.name,
                store: store)
            try store.saveFinished(result)
            results.append(result)
        }

        var pooled = PredictionTable(labels: dataset.labels.names)
        for result in results { pooled.append(result.predictions) }
        let report = TrainingReport(
            run: description, folds: results.map(\.entry), pooled: pooled.scores, modelFileFold: results.last?.fold)
        let outcome = Outcome(
            report: report, predictions: pooled, reportPath: path("report.json"), predictionsPath: path("predictions.csv"),
            modelPath: path("model.safetensors"))
        if let last = results.last { try last.checkpoint.write(to: outcome.modelPath) }
        try AtomicFile.write(Array(pooled.csv.utf8), to: outcome.predictionsPath)
        try AtomicFile.write(report.json.serialized(), to: outcome.reportPath)
        try AtomicFile.write(
            Array(ReportPlot.svg(report: report, predictions: pooled, labels: dataset.labels).utf8), to: path("report.svg"))
        store.remove()
        return outcome
    }

    private func path(_ name: String) -> String { (options.outputDirectory as NSString).appendingPathComponent(name) }

    /// A built-in layout, or a JSON layout file; a name that is neither is a usage error.
    private func resolveLayout() throws -> DataLayout {
        do { return try DataLayout.resolve(options.layout) } catch let error as DataError where error.kind == .unknownLayout {
            throw TrainingError.usage(error.description)
        }
    }
}
