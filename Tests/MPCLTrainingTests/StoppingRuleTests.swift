import EmotionData
import Foundation
import JSON
import MPCL
import Testing

@testable import MPCLTraining

@Suite struct StoppingRuleTests {
    typealias F = TrainingFixtures

    @Test func ruleStopsOnPatienceOnlyAfterTheFloorAndAlwaysAtTheCeiling() {
        let rule = StoppingRule(patienceSteps: 20, floorSteps: 50, ceilingSteps: 200)
        func reason(_ epochs: Int, best: Int, validation: Bool = true) -> StopReason? {
            rule.stopReason(epochsDone: epochs, bestEpoch: best, stepsPerEpoch: 10, hasValidation: validation)
        }
        #expect(reason(3, best: 0) == nil)  // 30 steps, below the floor even though 30 steps stale
        #expect(reason(5, best: 3) == .patience)  // 50 steps, best 20 steps old
        #expect(reason(5, best: 4) == nil)  // best 10 steps old
        #expect(reason(9, best: 8) == nil)
        #expect(reason(20, best: 20) == .ceiling)
        #expect(reason(4, best: 4, validation: false) == nil)
        #expect(reason(5, best: 5, validation: false) == .noValidation)
        #expect(
            TrainingBudget.fixedEpochs(3).stopReason(epochsDone: 3, bestEpoch: 1, stepsPerEpoch: 10, hasValidation: true) == .fixedEpochs)
        #expect(TrainingBudget.fixedEpochs(3).stopReason(epochsDone: 2, bestEpoch: 2, stepsPerEpoch: 10, hasValidation: true) == nil)
        #expect(TrainingBudget.adaptive(rule).maximumEpochs(stepsPerEpoch: 30) == 7)
    }

    /// The fixture's fold 0 as a trainer, with a learning rate high enough that the validation KL
    /// turns up within a few dozen steps.
    func trainer(budget: TrainingBudget) throws -> (FoldTrainer, TrainingState) {
        let dataset = try DatasetLoader.load(path: F.corpus, layout: DataLayout.builtIn(named: "dmer")!)
        let fold = try EvaluationProtocol.kFold(2).folds(for: dataset, seed: 3407)[0]
        let width = dataset.layout.featureCount
        let normalization = FeatureNormalization(features: dataset.features, columns: width, rows: fold.train)
        let features = FitRun.zScored(dataset) { _ in normalization }
        var recipe = TrainingRecipe()
        recipe.learningRate = 0.02
        let classes = dataset.labels.count
        let config = ModelConfig(architecture: .mlp, layout: dataset.layout, labels: dataset.labels)
        let statistics = LabelStatistics(targets: gather(dataset.targets, rows: fold.train, width: classes), classes: classes)
        let state = TrainingState(model: try Model<Float>(config: config, labelStatistics: statistics, seed: 3407), recipe: recipe)
        let trainer = FoldTrainer(
            recipe: recipe, features: features, targets: dataset.targets, featureCount: width, classes: classes,
            train: fold.train, validation: fold.validation, budget: budget, batchSize: 64, seed: 3407, fold: 0)
        #expect(!fold.validation.isEmpty)
        return (trainer, state)
    }

    @Test func trainingStopsOnPatienceAndKeepsTheBestValidationWeights() throws {
        let rule = StoppingRule(patienceSteps: 12, floorSteps: 12, ceilingSteps: 600)
        let (trainer, start) = try trainer(budget: .adaptive(rule))
        var epochsSeen = 0
        let final = try trainer.run(from: start, progress: SilentProgress(), foldCount: 1) { _ in epochsSeen += 1 }
        let perEpoch = trainer.stepsPerEpoch
        // It stopped, by patience, well before the ceiling, and exactly when the rule first said so.
        #expect(trainer.stopReason(final) == .patience)
        #expect(final.epochsDone * perEpoch < rule.ceilingSteps)
        #expect(final.epochsDone == epochsSeen && final.history.count == final.epochsDone)
        #expect(final.epochsDone * perEpoch - final.bestEpoch * perEpoch >= rule.patienceSteps)
        let earlier = TrainingState(
            model: final.model, optimizer: final.optimizer, epochsDone: final.epochsDone - 1, bestParameters: final.bestParameters,
            bestEpoch: final.bestEpoch, bestValidationKL: final.bestValidationKL, history: final.history)
        #expect(trainer.stopReason(earlier) == nil || final.epochsDone * perEpoch - perEpoch < rule.floorSteps)
        // The kept epoch is the history's lowest validation KL, and the kept weights reproduce it.
        let kls = final.history.compactMap(\.validationKL)
        let lowest = try #require(kls.min())
        #expect(final.bestValidationKL == lowest)
        #expect(final.history[final.bestEpoch - 1].validationKL == lowest)
        #expect(trainer.meanKL(of: try final.bestModel(), rows: trainer.validation) == lowest)
        // And they are not simply the last weights: the last epoch was worse.
        #expect(try #require(kls.last) > lowest)
    }

    @Test func reportRecordsWhyAndWhenEveryFoldStopped() throws {
        var options = F.options(model: .mlp, protocolName: "kfold:2")
        options.epochs = nil
        options.stopping = StoppingRule(patienceSteps: 8, floorSteps: 8, ceilingSteps: 16)
        let outcome = try FitRun(options: options).run()
        let report = outcome.report.json
        #expect(report["epochs"] == .null)
        #expect(report["budget"]?["mode"]?.stringValue == "adaptive")
        #expect(report["budget"]?["patience_steps"]?.intValue == 8)
        let folds = try #require(report["folds"]?.arrayValue)
        #expect(report["stops"]?.arrayValue?.count == folds.count)
        for fold in folds {
            let stop = try #require(fold["stop"])
            let reason = try #require(stop["reason"]?.stringValue)
            #expect(["patience", "ceiling"].contains(reason))
            let steps = try #require(stop["steps"]?.intValue)
            let epochs = try #require(stop["epochs"]?.intValue)
            #expect(steps >= 8 && epochs == fold["history"]?.arrayValue?.count)
            #expect(reason == "patience" || steps >= 16)
            #expect(stop["best_epoch"] == fold["best_epoch"])
        }
        let checkpoint = try Checkpoint.read(from: outcome.modelPath)
        #expect(checkpoint.training["stop_reason"] != nil && checkpoint.training["steps"] != nil)
    }

    @Test func fixedEpochsStillForceTheBudgetAndSayWhy() throws {
        let outcome = try FitRun(options: F.options(model: .linear, epochs: 2)).run()
        #expect(outcome.report.json["epochs"]?.intValue == 2)
        #expect(outcome.report.json["budget"]?["mode"]?.stringValue == "fixed_epochs")
        for stop in outcome.report.json["stops"]?.arrayValue ?? [] {
            #expect(stop["reason"]?.stringValue == "fixed_epochs" && stop["epochs"]?.intValue == 2)
        }
        let mean = try FitRun(options: F.options(model: .mean, epochs: nil)).run()
        #expect(mean.report.json["stops"]?.arrayValue?.first?["reason"]?.stringValue == "untrained")
        #expect(mean.report.json["epochs"]?.intValue == 0)
    }
}

@Suite struct AdaptiveResumeTests {
    typealias F = TrainingFixtures

    @Test func anInterruptedAdaptiveRunStopsWhereTheUninterruptedOneDid() throws {
        func options(out: String? = nil) -> FitOptions {
            var options = F.options(model: .linear, protocolName: "kfold:2", epochs: nil, out: out)
            options.stopping = StoppingRule(patienceSteps: 8, floorSteps: 8, ceilingSteps: 40)
            return options
        }
        let reference = try FitRun(options: options()).run()
        var interrupted = options()
        var run = FitRun(options: interrupted)
        run.afterEpoch = { fold, done in if fold == 0 && done == 2 { throw SimulatedCrash() } }
        #expect(throws: TrainingError.self) { try run.run() }
        interrupted.resume = true
        let resumed = try FitRun(options: interrupted).run()
        #expect(resumed.report.json["stops"] == reference.report.json["stops"])
        #expect(resumed.predictions == reference.predictions)
    }
}
