import EmotionData
import Foundation
import JSON
import MPCL
import MPCLMath

/// One fold of `fit`: a fresh model trained (or resumed) on the fold's training windows, its best
/// model's test predictions, its `report.json` entry and its checkpoint.
extension FitRun {
    func trainFold(
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
        let stop = StopEntry(
            reason: trainer.stopReason(final) ?? .fixedEpochs, state: final, stepsPerEpoch: trainer.stepsPerEpoch)

        let normalization = globalNormalization ?? .identity(count: dataset.layout.featureCount)
        let predictor = Predictor(model: model, normalization: normalization)
        let predictions = Self.predict(
            predictor, dataset: dataset, rows: plan.test,
            calibration: globalNormalization == nil ? { subjectNormalization[$0] } : { _ in nil })
        let scores = predictions.scores

        let subjects = { (rows: [Int]) -> [String] in
            var seen = Set<String>()
            return rows.map { dataset.subjects[$0] }.filter { seen.insert($0).inserted }
        }
        let entry = FoldReport(
            fold: fold, testSubjects: plan.testSubjects, metrics: MetricSummaries(scores),
            trainSubjects: subjects(plan.train), validationSubjects: subjects(plan.validation),
            windows: .init(train: plan.train.count, validation: plan.validation.count, test: plan.test.count),
            bestEpoch: final.bestEpoch, bestValidationKL: final.bestValidationKL, stop: stop, history: final.history,
            seconds: StandardErrorProgress.now() - started)
        let training: JSON = [
            "data": .string(options.dataPath), "layout": .string(layoutName),
            "protocol": .string(options.evaluation.name), "fold": .number(Double(fold)),
            "folds": .number(Double(foldCount)), "test_subjects": JSON(strings: plan.testSubjects),
            "seed": .number(Double(options.seed)),
            "epochs": .number(Double(final.epochsDone)), "steps": .number(Double(stop.steps)),
            "stop_reason": .string(stop.reason), "best_epoch": .number(Double(final.bestEpoch)),
            "normalization": .string(options.normalization.rawValue),
            "needs_calibration": .bool(options.normalization == .subject),
            "project_version": .string(ProjectVersion.current), "metrics": entry.metrics.json,
        ]
        return FoldResult(
            fold: fold, entry: entry, predictions: predictions,
            checkpoint: Checkpoint(model: model, normalization: normalization, training: training))
    }
}
