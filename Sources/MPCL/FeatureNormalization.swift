/// Per-feature z-scoring with statistics from training data: x̂ = (x − μ) / σ, σ floored at 1e-6
/// so a constant feature maps to 0 instead of dividing by zero. The statistics travel inside the
/// checkpoint; per-subject models get them from the client's calibration instead.
public struct FeatureNormalization: Equatable, Sendable {
    public var mean: [Float]
    public var std: [Float]

    public static let stdFloor: Double = 1e-6

    public init(mean: [Float], std: [Float]) {
        self.mean = mean
        self.std = std.map { Float(max(Double($0), FeatureNormalization.stdFloor)) }
    }

    /// The identity (μ = 0, σ = 1) for `count` features.
    public static func identity(count: Int) -> FeatureNormalization {
        FeatureNormalization(mean: [Float](repeating: 0, count: count), std: [Float](repeating: 1, count: count))
    }

    /// Statistics over `rows` of a row-major matrix with `columns` features, computed in Double.
    public init(features: [Float], columns: Int, rows: some Sequence<Int>) {
        var sum = [Double](repeating: 0, count: columns)
        var sumSquares = [Double](repeating: 0, count: columns)
        var count = 0
        for r in rows {
            count += 1
            for j in 0..<columns {
                let value = Double(features[r * columns + j])
                sum[j] += value
                sumSquares[j] += value * value
            }
        }
        let n = Double(max(count, 1))
        let mean = sum.map { $0 / n }
        let std = (0..<columns).map { j in max(sumSquares[j] / n - mean[j] * mean[j], 0).squareRoot() }
        self.init(mean: mean.map { Float($0) }, std: std.map { Float($0) })
    }

    /// z-scores `features` (rows × mean.count) in place.
    public func apply(to features: inout [Float]) {
        features.withUnsafeMutableBufferPointer { apply(to: $0) }
    }

    /// z-scores rows of features in place (an inference arena's input), allocating nothing:
    /// x̂ = (x − μ) · (1/σ), the same arithmetic as the array form.
    public func apply(to buffer: UnsafeMutableBufferPointer<Float>) {
        let columns = mean.count
        guard columns > 0, let base = buffer.baseAddress else { return }
        mean.withUnsafeBufferPointer { means in
            std.withUnsafeBufferPointer { stds in
                var row = base
                let end = base + buffer.count
                while row < end {
                    for j in 0..<columns { row[j] = (row[j] - means[j]) * (1 / stds[j]) }
                    row += columns
                }
            }
        }
    }
}
