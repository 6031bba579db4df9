/// Per-feature mean and standard deviation for z-scoring, computed in Double.
///
/// z = (x − mean) / max(std, 1e-6): the floor keeps constant features (e.g. a dead channel) at 0
/// instead of dividing by zero. std is the population standard deviation over the given rows.
public struct FeatureStatistics: Equatable, Sendable {
    public static let standardDeviationFloor = 1e-6
    public var mean: [Double]
    public var standardDeviation: [Double]

    public init(mean: [Double], standardDeviation: [Double]) {
        self.mean = mean
        self.standardDeviation = standardDeviation
    }

    /// Statistics of `rows` of a row-major windows × `featureCount` matrix (two passes, in Double).
    public init(features: [Float], featureCount: Int, rows: [Int]) {
        var mean = [Double](repeating: 0, count: featureCount)
        var variance = [Double](repeating: 0, count: featureCount)
        let count = Double(max(rows.count, 1))
        for row in rows {
            let base = row * featureCount
            for column in 0..<featureCount { mean[column] += Double(features[base + column]) }
        }
        for column in 0..<featureCount { mean[column] /= count }
        for row in rows {
            let base = row * featureCount
            for column in 0..<featureCount {
                let delta = Double(features[base + column]) - mean[column]
                variance[column] += delta * delta
            }
        }
        self.mean = mean
        standardDeviation = variance.map { max(($0 / count).squareRoot(), Self.standardDeviationFloor) }
    }

    /// Statistics of `rows` of a dataset.
    public init(_ dataset: EmotionDataset, rows: [Int]) {
        self.init(features: dataset.features, featureCount: dataset.layout.featureCount, rows: rows)
    }

    /// Z-scores `rows` of a row-major matrix in place.
    public func apply(to features: inout [Float], rows: [Int]) {
        let featureCount = mean.count
        for row in rows {
            let base = row * featureCount
            for column in 0..<featureCount {
                features[base + column] = Float(
                    (Double(features[base + column]) - mean[column]) / standardDeviation[column])
            }
        }
    }
}

/// Which windows' statistics z-score which windows.
public enum Normalisation: String, Equatable, Sendable {
    /// Every window with the training rows' statistics (what a checkpoint carries).
    case global
    /// Each subject's windows with that subject's own statistics (needs calibration data in use).
    case perSubject = "per-subject"

    /// Z-scores `dataset` in place; returns the global statistics (nil for per-subject).
    @discardableResult
    public func apply(to dataset: inout EmotionDataset, trainingRows: [Int]) -> FeatureStatistics? {
        switch self {
        case .global:
            let statistics = FeatureStatistics(dataset, rows: trainingRows)
            statistics.apply(to: &dataset.features, rows: Array(0..<dataset.windowCount))
            return statistics
        case .perSubject:
            for (_, rows) in WindowGroups.bySubject(dataset) {
                FeatureStatistics(dataset, rows: rows).apply(to: &dataset.features, rows: rows)
            }
            return nil
        }
    }
}
