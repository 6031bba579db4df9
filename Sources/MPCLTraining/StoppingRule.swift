/// When a fold's training stops (the `fit` default; `--epochs N` replaces it with a fixed budget).
///
/// Validation KL is measured after every epoch. Training stops after the first epoch at which
/// - at least `ceilingSteps` optimiser steps have run (`ceiling`), or
/// - at least `floorSteps` steps have run and the best validation KL so far is `patienceSteps` or
///   more steps old (`patience`), or
/// - at least `floorSteps` steps have run and the fold has no validation windows to judge by
///   (`no_validation`).
/// The best-validation weights are kept whatever the reason. Counting in steps rather than epochs
/// gives a 5-step-per-epoch recording and a 60-step-per-epoch corpus the same number of updates to
/// show an improvement. The decision depends only on epochs done and the best epoch, so a resumed
/// run stops exactly where an uninterrupted one would.
public struct StoppingRule: Equatable, Sendable {
    public static let defaultPatienceSteps = 600
    public static let defaultFloorSteps = 600
    public static let defaultCeilingSteps = 6000

    public var patienceSteps = StoppingRule.defaultPatienceSteps
    public var floorSteps = StoppingRule.defaultFloorSteps
    public var ceilingSteps = StoppingRule.defaultCeilingSteps

    public init(patienceSteps: Int = defaultPatienceSteps, floorSteps: Int = defaultFloorSteps, ceilingSteps: Int = defaultCeilingSteps) {
        self.patienceSteps = patienceSteps
        self.floorSteps = floorSteps
        self.ceilingSteps = ceilingSteps
    }

    /// Why training stops after `epochsDone` epochs, or nil to go on. `bestEpoch` is the 1-based
    /// epoch of the best validation KL (0: none better than the start).
    public func stopReason(epochsDone: Int, bestEpoch: Int, stepsPerEpoch: Int, hasValidation: Bool) -> StopReason? {
        let steps = epochsDone * stepsPerEpoch
        if steps >= ceilingSteps { return .ceiling }
        guard steps >= floorSteps else { return nil }
        guard hasValidation else { return .noValidation }
        return steps - bestEpoch * stepsPerEpoch >= patienceSteps ? .patience : nil
    }
}

/// A fold's training budget.
public enum TrainingBudget: Equatable, Sendable {
    /// `--epochs N`: exactly N epochs, best-validation epoch kept.
    case fixedEpochs(Int)
    /// The default: validation-driven stopping.
    case adaptive(StoppingRule)

    /// Why training stops after `epochsDone` epochs, or nil to go on.
    public func stopReason(epochsDone: Int, bestEpoch: Int, stepsPerEpoch: Int, hasValidation: Bool) -> StopReason? {
        switch self {
        case .fixedEpochs(let epochs):
            return epochsDone >= epochs ? .fixedEpochs : nil
        case .adaptive(let rule):
            return rule.stopReason(
                epochsDone: epochsDone, bestEpoch: bestEpoch, stepsPerEpoch: max(stepsPerEpoch, 1), hasValidation: hasValidation)
        }
    }

    /// The most epochs the budget can run (for progress and ETA).
    public func maximumEpochs(stepsPerEpoch: Int) -> Int {
        switch self {
        case .fixedEpochs(let epochs): return epochs
        case .adaptive(let rule):
            let perEpoch = max(stepsPerEpoch, 1)
            return (rule.ceilingSteps + perEpoch - 1) / perEpoch
        }
    }
}

/// Why a fold's training ended, as written in `report.json` (`folds[i].stop.reason`).
public enum StopReason: String, Sendable {
    /// The best validation KL was `patienceSteps` steps old.
    case patience
    /// The step ceiling was reached.
    case ceiling
    /// `--epochs N` ran its N epochs.
    case fixedEpochs = "fixed_epochs"
    /// The floor was reached and there were no validation windows to go on by.
    case noValidation = "no_validation"
    /// The model has nothing to train (`mean`).
    case untrained
}
