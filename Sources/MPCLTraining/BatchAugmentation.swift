import MPCLMath
import Randomness

/// The training-only transformations of a batch (docs/MODEL.md, "Training"), applied in this order to
/// z-scored features [B, F] and target distributions [B, C]:
/// 1. mixup — window i is mixed with partner π(i) of a random permutation π of the batch, with its
///    own λᵢ ~ Beta(α, α): xᵢ ← λᵢ xᵢ + (1 − λᵢ) x_π(i), yᵢ ← λᵢ yᵢ + (1 − λᵢ) y_π(i) (a convex
///    combination of distributions is a distribution);
/// 2. Gaussian input noise — x ← x + σ ε, ε ~ N(0, 1) per feature.
/// Validation, test and served predictions never pass through here.
public enum BatchAugmentation {
    /// Mixes `features` (rows × featureCount) and `targets` (rows × classes) in place.
    public static func mixup(
        features: inout [Float], targets: inout [Float], rows: Int, alpha: Double, using generator: inout SeededGenerator
    ) {
        guard rows > 1 else { return }
        let featureCount = features.count / rows
        let classes = targets.count / rows
        var partner = Array(0..<rows)
        generator.shuffle(&partner)
        let lambdas = (0..<rows).map { _ in Float(generator.nextBeta(alpha, alpha)) }
        let sourceFeatures = features
        let sourceTargets = targets
        for i in 0..<rows {
            let j = partner[i]
            let lambda = lambdas[i]
            let other = 1 - lambda
            for k in 0..<featureCount {
                features[i * featureCount + k] =
                    lambda * sourceFeatures[i * featureCount + k] + other * sourceFeatures[j * featureCount + k]
            }
            for k in 0..<classes {
                targets[i * classes + k] = lambda * sourceTargets[i * classes + k] + other * sourceTargets[j * classes + k]
            }
        }
    }

    /// Adds N(0, σ²) noise to every feature in place.
    public static func addNoise(to features: inout [Float], sigma: Double, using generator: inout SeededGenerator) {
        guard sigma > 0 else { return }
        for i in features.indices { features[i] += Float(sigma * generator.nextGaussian()) }
    }
}
