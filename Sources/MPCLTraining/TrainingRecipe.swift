/// The training recipe of docs/MODEL.md ("Training", "Loss"): fixed values, recorded in every report.
public struct TrainingRecipe: Equatable, Sendable {
    /// Adam's initial learning rate.
    public var learningRate = 1e-3
    /// L2 weight decay added to the gradient.
    public var weightDecay = 1e-5
    /// Learning-rate multiplier applied after every epoch.
    public var learningRateDecay = 0.99
    /// Mixup's λ ~ Beta(α, α).
    public var mixupAlpha = 0.4
    /// σ of the Gaussian noise added to z-scored training features.
    public var inputNoise = 0.3
    /// Epochs over which the co-occurrence loss weight w ramps linearly from 0 to 1, per step.
    public var cooccurrenceRampEpochs = 2.0

    public init() {}

    /// The co-occurrence weight w at 0-based global `step` (counted over the fold's training) with
    /// `stepsPerEpoch` steps per epoch: w = min(1, step / (rampEpochs · stepsPerEpoch)).
    public func cooccurrenceWeight(step: Int, stepsPerEpoch: Int) -> Double {
        let rampSteps = cooccurrenceRampEpochs * Double(max(stepsPerEpoch, 1))
        return rampSteps <= 0 ? 1 : min(1, Double(step) / rampSteps)
    }
}
