import Foundation

/// The training recipe of docs/MODEL.md ("Training", "Loss"): fixed values, recorded in every report.
///
/// The schedule follows optimiser steps, not epochs, so a 600-window recording and a 10,000-window
/// corpus see the same learning-rate curve and co-occurrence ramp for the same number of updates.
/// The step constants are docs/MODEL.md's per-epoch values at a reference epoch of 64 steps (a
/// DMER-sized fold of ~8,000 training windows at batch 128), so DMER-sized runs are unchanged.
public struct TrainingRecipe: Equatable, Sendable {
    /// Adam's initial learning rate.
    public var learningRate = 1e-3
    /// L2 weight decay added to the gradient.
    public var weightDecay = 1e-5
    /// Learning-rate multiplier per `learningRateDecaySteps` optimiser steps.
    public var learningRateDecay = 0.99
    /// Steps over which the learning rate falls by `learningRateDecay` (continuously, every step).
    public var learningRateDecaySteps = 64.0
    /// Mixup's λ ~ Beta(α, α).
    public var mixupAlpha = 0.4
    /// σ of the Gaussian noise added to z-scored training features.
    public var inputNoise = 0.3
    /// Optimiser steps over which the co-occurrence loss weight w ramps linearly from 0 to 1.
    public var cooccurrenceRampSteps = 128.0

    public init() {}

    /// The learning rate of the update that follows `steps` completed updates:
    /// lr(t) = lr₀ · decay^(t / decaySteps).
    public func learningRate(afterSteps steps: Int) -> Double {
        learningRate * pow(learningRateDecay, Double(steps) / max(learningRateDecaySteps, 1))
    }

    /// The co-occurrence weight w at 0-based global `step` (counted over the fold's training):
    /// w = min(1, step / rampSteps).
    public func cooccurrenceWeight(step: Int) -> Double {
        cooccurrenceRampSteps <= 0 ? 1 : min(1, Double(step) / cooccurrenceRampSteps)
    }
}
