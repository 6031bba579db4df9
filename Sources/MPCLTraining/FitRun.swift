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
        public var report: JSON
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
        var run = TrainingReport.runDescription(options, layoutName: layout.name, recipe: recipe)
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
        let report = TrainingReport.assemble(
            run: TrainingReport.runDescription(options, layoutName: layout.name, recipe: recipe),
            folds: results.map(\.entry), pooled: pooled.scores, modelFold: results.last?.fold)
        let outcome = Outcome(
            report: report, predictions: pooled, reportPath: path("report.json"), predictionsPath: path("predictions.csv"),
            modelPath: path("model.safetensors"))
        if let last = results.last { try last.checkpoint.write(to: outcome.modelPath) }
        try AtomicFile.write(Array(pooled.csv.utf8), to: outcome.predictionsPath)
        try AtomicFile.write(report.serialized(), to: outcome.reportPath)
        try AtomicFile.write(
            Array(ReportPlot.svg(report: report, predictions: pooled, labels: dataset.labels).utf8), to: path("report.svg"))
        store.remove()
        return outcome
    }

    private func path(_ name: String) -> String { (options.outputDirectory as NSString).appendingPathComponent(name) }

    /// A built-in layout, or a JSON layout file; a name that is neither is a usage error.
    private func resolveLayout() throws -> DataLayout {
        if let builtIn = DataLayout.builtIn(named: options.layout) { return builtIn }
        guard FileManager.default.fileExists(atPath: options.layout) else {
            throw TrainingError.usage(
                "--layout '\(options.layout)' is neither a built-in layout (dmer, dmer-band-major, split, emotiondict) nor a file")
        }
        return try DataLayout.load(path: options.layout)
    }

    // MARK: one fold

    private func trainFold(
        _ fold: Int, plan: Fold, foldCount: Int, dataset: EmotionDataset, features: [Float], config: ModelConfig,
        globalNormalization: FeatureNormalization?, subjectNormalization: [String: FeatureNormalization], layoutName: String,
        store: ResumeStore
    ) throws -> FoldResult {
        let started = StandardErrorProgress.now()
        let classes = dataset.labels.count
        let statistics = LabelStatistics(targets: gather(dataset.targets, rows: plan.train, width: classes), classes: classes)
        let fresh = TrainingState(
            model: try Model<Float>(config: config, labelStatistics: statistics, seed: options.seed), recipe: recipe)
        let start = options.resume ? try store.loadState(fold: fold, fresh: fresh, recipe: recipe) ?? fresh : fresh
        let trainer = FoldTrainer(
            recipe: recipe, features: features, targets: dataset.targets, featureCount: dataset.layout.featureCount,
            classes: classes, train: plan.train, validation: plan.validation, budget: options.budget,
            batchSize: options.batchSize, seed: options.seed, fold: fold,
            stepObserver: stepObserver.map { observe in { observe(fold, $0, $1, $2) } })
        let final = try trainer.run(from: start, progress: progress, foldCount: foldCount) { state in
            try store.saveState(state, fold: fold)
            try afterEpoch?(fold, state.epochsDone)
        }
        let model = try final.bestModel()
        let stop = Self.stopEntry(
            reason: trainer.stopReason(final) ?? .fixedEpochs, state: final, stepsPerEpoch: trainer.stepsPerEpoch)

        let normalization = globalNormalization ?? .identity(count: dataset.layout.featureCount)
        let predictor = Predictor(model: model, normalization: normalization)
        let predictions = Self.predict(
            predictor, dataset: dataset, rows: plan.test,
            calibration: globalNormalization == nil ? { subjectNormalization[$0] } : { _ in nil })
        let scores = predictions.scores

        let subjects = { (rows: [Int]) -> JSON in
            var seen = Set<String>()
            return JSON(strings: rows.map { dataset.subjects[$0] }.filter { seen.insert($0).inserted })
        }
        let entry: JSON = [
            "fold": .number(Double(fold)), "test_subjects": JSON(strings: plan.testSubjects),
            "metrics": TrainingReport.metrics(scores),
            "train_subjects": subjects(plan.train), "validation_subjects": subjects(plan.validation),
            "windows": [
                "train": .number(Double(plan.train.count)), "validation": .number(Double(plan.validation.count)),
                "test": .number(Double(plan.test.count)),
            ],
            "best_epoch": .number(Double(final.bestEpoch)),
            "best_validation_kl": final.bestValidationKL.map { .number($0) } ?? .null,
            "stop": stop,
            "history": .array(final.history.map(\.json)),
            "seconds": .number(StandardErrorProgress.now() - started),
        ]
        let training: JSON = [
            "data": .string(options.dataPath), "layout": .string(layoutName),
            "protocol": .string(options.evaluation.name), "fold": .number(Double(fold)),
            "folds": .number(Double(foldCount)), "test_subjects": JSON(strings: plan.testSubjects),
            "seed": .number(Double(options.seed)),
            "epochs": .number(Double(final.epochsDone)), "steps": stop["steps"] ?? .null,
            "stop_reason": stop["reason"] ?? .null, "best_epoch": .number(Double(final.bestEpoch)),
            "normalization": .string(options.normalization.rawValue),
            "needs_calibration": .bool(options.normalization == .subject),
            "project_version": .string(ProjectVersion.current), "metrics": TrainingReport.metrics(scores),
        ]
        return FoldResult(
            fold: fold, entry: entry, predictions: predictions,
            checkpoint: Checkpoint(model: model, normalization: normalization, training: training))
    }

    /// `{"reason", "epochs", "steps", "best_epoch", "best_step"}`: why and when a fold stopped and
    /// where its kept weights come from.
    static func stopEntry(reason: StopReason, state: TrainingState, stepsPerEpoch: Int) -> JSON {
        let perEpoch = state.model.config.architecture == .mean ? 0 : stepsPerEpoch
        return [
            "reason": .string(reason.rawValue), "epochs": .number(Double(state.epochsDone)),
            "steps": .number(Double(state.epochsDone * perEpoch)), "best_epoch": .number(Double(state.bestEpoch)),
            "best_step": .number(Double(state.bestEpoch * perEpoch)),
        ]
    }

    // MARK: normalisation and prediction

    /// Each subject's statistics over all of its windows (the calibration a client would send).
    static func perSubjectNormalization(_ dataset: EmotionDataset) -> [String: FeatureNormalization] {
        var rows: [String: [Int]] = [:]
        for (index, subject) in dataset.subjects.enumerated() { rows[subject, default: []].append(index) }
        return rows.mapValues { FeatureNormalization(features: dataset.features, columns: dataset.layout.featureCount, rows: $0) }
    }

    /// Every window z-scored by its subject's normalisation (the same arithmetic `Predictor` uses).
    static func zScored(_ dataset: EmotionDataset, by normalization: (String) -> FeatureNormalization) -> [Float] {
        let width = dataset.layout.featureCount
        var result = dataset.features
        var start = 0
        while start < dataset.windowCount {
            var end = start
            while end < dataset.windowCount && dataset.subjects[end] == dataset.subjects[start] { end += 1 }
            var block = Array(dataset.features[(start * width)..<(end * width)])
            normalization(dataset.subjects[start]).apply(to: &block)
            result.replaceSubrange((start * width)..<(end * width), with: block)
            start = end
        }
        return result
    }

    /// Distributions for `rows` from raw features through `predictor`, in chunks of one subject
    /// (so a per-subject model gets that subject's calibration).
    static func predict(
        _ predictor: Predictor, dataset: EmotionDataset, rows: [Int], calibration: (String) -> FeatureNormalization?
    ) -> PredictionTable {
        let width = dataset.layout.featureCount
        let classes = dataset.labels.count
        var table = PredictionTable(labels: dataset.labels.names)
        var start = 0
        while start < rows.count {
            let subject = dataset.subjects[rows[start]]
            var end = start
            while end < rows.count && end - start < 1024 && dataset.subjects[rows[end]] == subject { end += 1 }
            let chunk = Array(rows[start..<end])
            table.predicted += predictor.distributions(
                rawFeatures: gather(dataset.features, rows: chunk, width: width), rows: chunk.count,
                calibration: calibration(subject))
            table.truth += gather(dataset.targets, rows: chunk, width: classes)
            table.subjects += chunk.map { dataset.subjects[$0] }
            table.clips += chunk.map { dataset.clips[$0] }
            start = end
        }
        return table
    }
}
