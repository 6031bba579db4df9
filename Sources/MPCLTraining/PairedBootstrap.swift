import MPCLMath
import Randomness

/// A paired bootstrap of the mean difference between two models scored on the same test windows.
///
/// Windows are grouped into resampling units (test subjects, clips or single windows) because
/// windows of one subject or clip are not independent: resampling them one by one would make the
/// interval far too narrow. One resample draws `units` units with replacement and takes
/// d* = Σ_{u drawn} Σ_{w ∈ u} (b_w − a_w) / Σ_{u drawn} n_u, the window-weighted mean difference
/// (the statistic the reports pool). The 95 % interval is the 2.5th and 97.5th percentile of d*
/// (percentile bootstrap; linear interpolation between order statistics).
public struct PairedBootstrap: Sendable {
    /// The observed mean difference b − a over all windows.
    public var difference: Double
    public var low: Double
    public var high: Double
    public var units: Int

    /// Whether the interval excludes zero.
    public var excludesZero: Bool { low > 0 || high < 0 }

    /// `a`, `b`: one value per window (same order); `unit`: each window's unit index, 0..<unitCount.
    public init(a: [Double], b: [Double], unit: [Int], resamples: Int, seed: UInt64, level: Double = 0.95) {
        precondition(a.count == b.count && a.count == unit.count, "one value and unit per window")
        let unitCount = (unit.max() ?? -1) + 1
        var sums = [Double](repeating: 0, count: unitCount)
        var counts = [Double](repeating: 0, count: unitCount)
        for index in a.indices {
            sums[unit[index]] += b[index] - a[index]
            counts[unit[index]] += 1
        }
        units = unitCount
        difference = a.isEmpty ? 0 : sums.reduce(0, +) / counts.reduce(0, +)
        guard unitCount > 0, resamples > 0 else {
            (low, high) = (difference, difference)
            return
        }
        var generator = SeededGenerator(seed: seed)
        var statistics: [Double] = []
        statistics.reserveCapacity(resamples)
        for _ in 0..<resamples {
            var sum = 0.0
            var count = 0.0
            for _ in 0..<unitCount {
                let drawn = generator.nextInt(below: unitCount)
                sum += sums[drawn]
                count += counts[drawn]
            }
            statistics.append(count > 0 ? sum / count : 0)
        }
        statistics.sort()
        let tail = (1 - level) / 2
        low = Self.quantile(statistics, tail)
        high = Self.quantile(statistics, 1 - tail)
    }

    /// The q-quantile of sorted `values`, interpolating linearly between order statistics.
    static func quantile(_ values: [Double], _ q: Double) -> Double {
        let position = q * Double(values.count - 1)
        let below = Int(position.rounded(.down))
        let above = min(below + 1, values.count - 1)
        return values[below] + (values[above] - values[below]) * (position - Double(below))
    }
}
