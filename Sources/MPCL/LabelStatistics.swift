import MPCLMath

/// What the model learns from the training labels before the first step: the mean distribution p̄
/// (the head's initial bias and the `mean` baseline) and the co-occurrence target Ĉ.
public struct LabelStatistics: Equatable, Sendable {
    /// p̄, the mean training distribution [C].
    public var mean: [Double]
    /// Ĉ [C×C], row-major: Pearson correlation of the training labels with the diagonal and negative
    /// entries set to 0, rows normalised; a row with no positive entry is uniform over the others.
    public var cooccurrence: [Double]

    public init(mean: [Double], cooccurrence: [Double]) {
        self.mean = mean
        self.cooccurrence = cooccurrence
    }

    /// Statistics of `targets` (rows × classes, each row a distribution), computed in Double.
    public init(targets: [Float], classes: Int) {
        let rows = classes == 0 ? 0 : targets.count / classes
        var mean = [Double](repeating: 0, count: classes)
        for r in 0..<rows { for c in 0..<classes { mean[c] += Double(targets[r * classes + c]) } }
        for c in 0..<classes { mean[c] /= Double(max(rows, 1)) }
        var covariance = [Double](repeating: 0, count: classes * classes)
        for r in 0..<rows {
            for i in 0..<classes {
                let di = Double(targets[r * classes + i]) - mean[i]
                for j in 0..<classes { covariance[i * classes + j] += di * (Double(targets[r * classes + j]) - mean[j]) }
            }
        }
        var target = [Double](repeating: 0, count: classes * classes)
        for i in 0..<classes {
            for j in 0..<classes where i != j {
                let denominator = (covariance[i * classes + i] * covariance[j * classes + j]).squareRoot()
                let correlation = denominator > 0 ? covariance[i * classes + j] / denominator : 0
                target[i * classes + j] = max(correlation, 0)
            }
            let total = target[(i * classes)..<((i + 1) * classes)].reduce(0, +)
            for j in 0..<classes where i != j {
                target[i * classes + j] = total > 0 ? target[i * classes + j] / total : 1 / Double(classes - 1)
            }
        }
        self.init(mean: mean, cooccurrence: target)
    }

    /// The head's initial per-emotion bias h = ln p̄ − mean(ln p̄), so an untrained model predicts p̄.
    public var initialHeadBias: [Double] {
        let logs = mean.map { LibM.log(max($0, 1e-12)) }
        let average = logs.reduce(0, +) / Double(max(logs.count, 1))
        return logs.map { $0 - average }
    }
}
