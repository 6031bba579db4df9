#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The six label-distribution-learning metrics (docs/DATA.md), per window, computed in Double.
///
/// For a true distribution y and a prediction ŷ over C emotions:
/// Chebyshev max|y−ŷ|; Clark √Σ(y−ŷ)²/(y+ŷ)²; Canberra Σ|y−ŷ|/(y+ŷ); KL Σ y ln(y/ŷ);
/// Cosine Σyŷ/(‖y‖‖ŷ‖); Intersection Σ min(y, ŷ). Conventions: y_c = 0 contributes 0 to KL, ŷ is
/// clamped to ≥ 1e-12 inside KL's logarithm only, y_c + ŷ_c = 0 contributes 0 to Clark and Canberra.
public enum Metric: String, CaseIterable, Sendable {
    case chebyshev, clark, canberra, kl, cosine, intersection

    /// Whether a larger value is better.
    public var higherIsBetter: Bool { self == .cosine || self == .intersection }

    /// The metric for one window.
    public func value(truth y: some Collection<Double>, prediction p: some Collection<Double>) -> Double {
        let pairs = zip(y, p)
        switch self {
        case .chebyshev:
            return pairs.reduce(0) { max($0, abs($1.0 - $1.1)) }
        case .clark:
            return pairs.reduce(0) { total, pair in
                let sum = pair.0 + pair.1
                return sum == 0 ? total : total + (pair.0 - pair.1) * (pair.0 - pair.1) / (sum * sum)
            }.squareRoot()
        case .canberra:
            return pairs.reduce(0) { total, pair in
                let sum = pair.0 + pair.1
                return sum == 0 ? total : total + abs(pair.0 - pair.1) / sum
            }
        case .kl:
            return pairs.reduce(0) { total, pair in
                pair.0 == 0 ? total : total + pair.0 * log(pair.0 / max(pair.1, 1e-12))
            }
        case .cosine:
            var dot = 0.0
            var normY = 0.0
            var normP = 0.0
            for (a, b) in pairs {
                dot += a * b
                normY += a * a
                normP += b * b
            }
            let denominator = (normY * normP).squareRoot()
            return denominator == 0 ? 0 : dot / denominator
        case .intersection:
            return pairs.reduce(0) { $0 + min($1.0, $1.1) }
        }
    }
}

/// Mean and standard deviation (population, over windows) of one metric.
public struct MetricSummary: Equatable, Sendable {
    public var mean: Double
    public var std: Double

    public init(mean: Double, std: Double) {
        self.mean = mean
        self.std = std
    }

    /// The summary of `values` (std over the values themselves, divisor n).
    public init(_ values: [Double]) {
        let n = Double(max(values.count, 1))
        let mean = values.reduce(0, +) / n
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
        self.init(mean: mean, std: variance.squareRoot())
    }
}

/// Every metric of every window of a test set.
public struct MetricScores: Sendable {
    /// Per metric, one value per window, in window order.
    public private(set) var values: [Metric: [Double]] = [:]

    public init() {}

    /// Scores windows given as row-major truth and prediction matrices with `classes` columns.
    public init(truth: [Float], predictions: [Float], classes: Int) {
        precondition(truth.count == predictions.count, "truth and predictions differ in size")
        for row in 0..<(classes == 0 ? 0 : truth.count / classes) {
            let range = (row * classes)..<((row + 1) * classes)
            append(truth: truth[range].map { Double($0) }, prediction: predictions[range].map { Double($0) })
        }
    }

    /// Adds one window.
    public mutating func append(truth: [Double], prediction: [Double]) {
        for metric in Metric.allCases { values[metric, default: []].append(metric.value(truth: truth, prediction: prediction)) }
    }

    /// Adds every window of `other` (pooling folds).
    public mutating func append(contentsOf other: MetricScores) {
        for metric in Metric.allCases { values[metric, default: []].append(contentsOf: other.values[metric] ?? []) }
    }

    public var windowCount: Int { values[.kl]?.count ?? 0 }

    /// Mean ± std over windows of `metric`.
    public func summary(_ metric: Metric) -> MetricSummary { MetricSummary(values[metric] ?? []) }
}
