import Foundation
import MPCLMath
import Randomness
import Testing

@testable import MPCLTraining

@Suite struct AugmentationTests {
    /// Rows whose features equal their own target distribution: mixing both alike keeps them equal.
    func batch(rows: Int, classes: Int) -> [Float] {
        var generator = SeededGenerator(seed: 5)
        var values: [Float] = []
        for _ in 0..<rows {
            let raw = (0..<classes).map { _ in Float(generator.nextUnit() + 0.01) }
            let total = raw.reduce(0, +)
            values += raw.map { $0 / total }
        }
        return values
    }

    @Test func mixupMixesFeaturesAndLabelsWithTheSamePartnerAndLambda() {
        let rows = 64
        let classes = 10
        var features = batch(rows: rows, classes: classes)
        var targets = features
        let original = features
        var generator = SeededGenerator(seed: 1)
        BatchAugmentation.mixup(features: &features, targets: &targets, rows: rows, alpha: 0.4, using: &generator)
        #expect(features == targets)
        #expect(features != original)
        for row in 0..<rows {
            let sum = targets[(row * classes)..<((row + 1) * classes)].reduce(0, +)
            #expect(abs(sum - 1) < 1e-5, "a mixed label is still a distribution")
        }
    }

    @Test func mixupLambdasFollowBetaOfPointFour() {
        // Beta(0.4, 0.4) is U-shaped: most λ near 0 or 1, mean 0.5.
        var generator = SeededGenerator(seed: 2)
        let lambdas = (0..<20000).map { _ in generator.nextBeta(0.4, 0.4) }
        let mean = lambdas.reduce(0, +) / Double(lambdas.count)
        let extremes = Double(lambdas.filter { $0 < 0.1 || $0 > 0.9 }.count) / Double(lambdas.count)
        #expect(abs(mean - 0.5) < 0.02)
        #expect(extremes > 0.4)
    }

    @Test func mixupIsDeterministicForASeedAndLeavesASingleRowAlone() {
        var a = batch(rows: 8, classes: 4)
        var b = a
        var ta = a
        var tb = a
        var g1 = SeededGenerator(seed: 9)
        var g2 = SeededGenerator(seed: 9)
        BatchAugmentation.mixup(features: &a, targets: &ta, rows: 8, alpha: 0.4, using: &g1)
        BatchAugmentation.mixup(features: &b, targets: &tb, rows: 8, alpha: 0.4, using: &g2)
        #expect(a == b)
        var single: [Float] = [0.25, 0.75]
        var singleTargets = single
        BatchAugmentation.mixup(features: &single, targets: &singleTargets, rows: 1, alpha: 0.4, using: &g1)
        #expect(single == [0.25, 0.75])
    }

    @Test func inputNoiseHasTheRecipesSigma() {
        var features = [Float](repeating: 0, count: 100_000)
        var generator = SeededGenerator(seed: 3)
        BatchAugmentation.addNoise(to: &features, sigma: TrainingRecipe().inputNoise, using: &generator)
        let mean = features.reduce(0) { $0 + Double($1) } / Double(features.count)
        let std = (features.reduce(0) { $0 + Double($1) * Double($1) } / Double(features.count)).squareRoot()
        #expect(abs(mean) < 0.005)
        #expect(abs(std - 0.3) < 0.005)
    }

    @Test func cooccurrenceWeightRampsLinearlyOver128Steps() {
        let recipe = TrainingRecipe()
        #expect(recipe.cooccurrenceWeight(step: 0) == 0)
        #expect(recipe.cooccurrenceWeight(step: 32) == 0.25)
        #expect(recipe.cooccurrenceWeight(step: 64) == 0.5)
        #expect(recipe.cooccurrenceWeight(step: 128) == 1)
        #expect(recipe.cooccurrenceWeight(step: 4000) == 1)
        let weights = (0...128).map { recipe.cooccurrenceWeight(step: $0) }
        #expect(zip(weights, weights.dropFirst()).allSatisfy { abs(($1 - $0) - 1.0 / 128) < 1e-12 })
    }

    @Test func learningRateFallsByTheDecayEvery64StepsWhateverTheEpochLength() {
        let recipe = TrainingRecipe()
        #expect(recipe.learningRate(afterSteps: 0) == 1e-3)
        #expect(abs(recipe.learningRate(afterSteps: 64) - 0.99e-3) < 1e-15)
        #expect(abs(recipe.learningRate(afterSteps: 640) - 1e-3 * pow(0.99, 10)) < 1e-15)
        // Continuous: half-way through a decay period it has fallen by √0.99.
        #expect(abs(recipe.learningRate(afterSteps: 32) - 1e-3 * 0.99.squareRoot()) < 1e-15)
    }
}

@Suite struct RampInTrainingTests {
    final class Recorder: @unchecked Sendable {
        var steps: [(fold: Int, epoch: Int, step: Int, weight: Double)] = []
    }

    @Test func trainerRampsTheCooccurrenceWeightPerStepFromZeroInEveryFold() throws {
        let recorder = Recorder()
        var run = FitRun(options: TrainingFixtures.options(model: .linear, protocolName: "kfold:2", epochs: 4))
        run.recipe.cooccurrenceRampSteps = 6
        run.stepObserver = { recorder.steps.append(($0, $1, $2, $3)) }
        _ = try run.run()
        for fold in 0..<2 {
            let steps = recorder.steps.filter { $0.fold == fold }
            let perEpoch = steps.filter { $0.epoch == 0 }.count
            #expect(perEpoch > 1)
            #expect(steps.count == 4 * perEpoch)
            for (index, step) in steps.enumerated() {
                #expect(index == step.epoch * perEpoch + step.step)
                #expect(abs(step.weight - min(1, Double(index) / 6)) < 1e-12)
            }
            #expect(steps.first?.weight == 0)
            #expect(steps.dropFirst(6).allSatisfy { $0.weight == 1 })
        }
    }
}
