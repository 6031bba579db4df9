import EmotionData
import MPCL
import MPCLMath
import Randomness

/// Trains one fold's model by the recipe of docs/MODEL.md: Adam, mixup and input noise on shuffled
/// batches, the co-occurrence weight ramp and learning-rate decay per step, selection of the epoch
/// with the lowest validation KL, and the budget's stopping rule checked after every epoch.
///
/// Determinism: epoch e of fold f draws every random number (shuffle, mixup, noise, dropout
/// masks) from a generator seeded by (seed, f, e) alone, so a run resumed at an epoch boundary
/// replays exactly what an uninterrupted run would have done.
struct FoldTrainer {
    var recipe: TrainingRecipe
    /// z-scored features of every dataset window (windows × featureCount).
    var features: [Float]
    /// Target distributions of every dataset window (windows × classes).
    var targets: [Float]
    var featureCount: Int
    var classes: Int
    var train: [Int]
    var validation: [Int]
    var budget: TrainingBudget
    var batchSize: Int
    var seed: UInt64
    var fold: Int
    /// Test hook: sees every step's (0-based epoch, step, co-occurrence weight w).
    var stepObserver: ((Int, Int, Double) -> Void)? = nil

    var stepsPerEpoch: Int { (train.count + batchSize - 1) / batchSize }

    /// Why training stops at `state` (nil: it goes on).
    func stopReason(_ state: TrainingState) -> StopReason? {
        guard state.model.config.architecture != .mean else { return .untrained }
        return budget.stopReason(
            epochsDone: state.epochsDone, bestEpoch: state.bestEpoch, stepsPerEpoch: stepsPerEpoch,
            hasValidation: !validation.isEmpty)
    }

    /// Runs epochs from `state` until the budget stops it; `epochEnded` is called after every epoch
    /// with the new state (to write the resume file) and may throw to stop the run.
    func run(
        from start: TrainingState, progress: TrainingProgress, foldCount: Int,
        epochEnded: (TrainingState) throws -> Void
    ) throws -> TrainingState {
        var state = start
        guard state.model.config.architecture != .mean else { return state }
        guard !train.isEmpty else { throw TrainingError.data("fold \(fold) has no training windows") }
        progress.beginFold(
            fold, of: foldCount, epochs: budget.maximumEpochs(stepsPerEpoch: stepsPerEpoch), startEpoch: state.epochsDone,
            stepsPerEpoch: stepsPerEpoch,
            batchSize: batchSize)
        while stopReason(state) == nil {
            let epoch = state.epochsDone
            let started = StandardErrorProgress.now()
            var generator = Self.epochGenerator(seed: seed, fold: fold, epoch: epoch)
            var order = train
            generator.shuffle(&order)
            var lossSum = 0.0
            for step in 0..<stepsPerEpoch {
                let rows = Array(order[(step * batchSize)..<min((step + 1) * batchSize, order.count)])
                var x = gather(features, rows: rows, width: featureCount)
                var y = gather(targets, rows: rows, width: classes)
                BatchAugmentation.mixup(features: &x, targets: &y, rows: rows.count, alpha: recipe.mixupAlpha, using: &generator)
                BatchAugmentation.addNoise(to: &x, sigma: recipe.inputNoise, using: &generator)
                let weight = recipe.cooccurrenceWeight(step: epoch * stepsPerEpoch + step)
                stepObserver?(epoch, step, weight)
                let (loss, gradients) = state.model.lossAndGradients(
                    features: Tensor(shape: [rows.count, featureCount], data: x),
                    targets: Tensor(shape: [rows.count, classes], data: y), cooccurrenceWeight: Float(weight),
                    training: true, seed: generator.next())
                guard loss.isFinite else {
                    throw TrainingError.data("training diverged: the loss is \(loss) at fold \(fold), epoch \(epoch + 1), step \(step + 1)")
                }
                state.optimizer.learningRate = recipe.learningRate(afterSteps: state.optimizer.step)
                state.optimizer.update(&state.model.parameters, gradients: gradients)
                lossSum += Double(loss) * Double(rows.count)
                progress.step(epoch: epoch, step: step, loss: Double(loss))
            }
            let validationKL = validation.isEmpty ? nil : meanKL(of: state.model, rows: validation)
            // Strictly lower KL wins, so ties keep the earlier epoch; without validation windows the
            // last epoch is kept.
            if validationKL.map({ kl in state.bestValidationKL.map { kl < $0 } ?? true }) ?? true {
                state.bestParameters = state.model.parameters
                state.bestEpoch = epoch + 1
                state.bestValidationKL = validationKL
            }
            let record = EpochRecord(
                epoch: epoch + 1, trainLoss: lossSum / Double(train.count), validationKL: validationKL,
                seconds: StandardErrorProgress.now() - started)
            state.history.append(record)
            state.epochsDone = epoch + 1
            progress.endEpoch(record, fold: fold)
            try epochEnded(state)
        }
        return state
    }

    /// Mean KL(y ‖ ŷ) of `model` over `rows` (inference mode: no dropout, noise or mixup).
    func meanKL(of model: Model<Float>, rows: [Int]) -> Double {
        var total = 0.0
        let chunk = 1024
        for start in stride(from: 0, to: rows.count, by: chunk) {
            let part = Array(rows[start..<min(start + chunk, rows.count)])
            let predicted = model.distributions(
                features: Tensor(shape: [part.count, featureCount], data: gather(features, rows: part, width: featureCount)))
            let truth = gather(targets, rows: part, width: classes)
            for r in 0..<part.count {
                let range = (r * classes)..<((r + 1) * classes)
                total += Metric.kl.value(truth: truth[range].map(Double.init), prediction: predicted.data[range].map(Double.init))
            }
        }
        return total / Double(max(rows.count, 1))
    }

    /// Every random draw of one epoch of one fold (its order, dropout and mixup seeds), on a stream of
    /// its own ("train" in ASCII, the fold, the epoch), so a resumed run replays the same epoch.
    static func epochGenerator(seed: UInt64, fold: Int, epoch: Int) -> SeededGenerator {
        SeededGenerator.derived(from: seed, 0x7472_6169_6E, UInt64(fold), UInt64(epoch))
    }
}

/// Rows of a row-major matrix with `width` columns, in order, as one contiguous buffer.
func gather(_ matrix: [Float], rows: [Int], width: Int) -> [Float] {
    var result = [Float](repeating: 0, count: rows.count * width)
    matrix.withUnsafeBufferPointer { source in
        result.withUnsafeMutableBufferPointer { target in
            for (position, row) in rows.enumerated() {
                for k in 0..<width { target[position * width + k] = source[row * width + k] }
            }
        }
    }
    return result
}
