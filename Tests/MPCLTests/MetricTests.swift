import MPCL
import Testing

/// The six LDL metrics against DATA.md's test vectors (exact to 1e-12).
@Suite struct MetricTests {
    static let vectors: [(truth: [Double], prediction: [Double], expected: [Metric: Double])] = [
        (
            [0.4, 0.3, 0.2, 0.1], [0.3, 0.3, 0.25, 0.15],
            [
                .chebyshev: 0.1, .clark: 0.269729201752, .canberra: 0.453968253968, .kl: 0.029897607907, .cosine: 0.975324490431,
                .intersection: 0.9,
            ]
        ),
        (
            [1, 1, 1, 1, 1, 2, 1, 1, 4, 1].map { $0 / 14.0 }, [0.05, 0.05, 0.05, 0.1, 0.1, 0.15, 0.05, 0.1, 0.3, 0.05],
            [
                .chebyshev: 0.028571428571, .clark: 0.490135128193, .canberra: 1.431133428981, .kl: 0.034372644630, .cosine: 0.984031489512,
                .intersection: 0.892857142857,
            ]
        ),
    ]

    @Test(arguments: [0, 1], Metric.allCases)
    func matchesTheTestVector(vector: Int, metric: Metric) {
        let (truth, prediction, expected) = Self.vectors[vector]
        #expect(abs(metric.value(truth: truth, prediction: prediction) - expected[metric]!) < 1e-12)
    }

    @Test func followsTheZeroConventions() {
        #expect(Metric.kl.value(truth: [0, 1], prediction: [0.5, 0.5]) == 1 * Foundation_log(2))
        #expect(Metric.kl.value(truth: [0.5, 0.5], prediction: [1, 0]).isFinite)
        #expect(Metric.clark.value(truth: [0, 1], prediction: [0, 1]) == 0)
        #expect(Metric.canberra.value(truth: [0, 1], prediction: [0, 1]) == 0)
    }

    @Test func summarisesOverWindows() {
        var scores = MetricScores()
        scores.append(truth: [0.5, 0.5], prediction: [0.5, 0.5])
        scores.append(truth: [1, 0], prediction: [0, 1])
        #expect(scores.summary(.chebyshev) == MetricSummary(mean: 0.5, std: 0.5))
        #expect(scores.windowCount == 2)
    }
}

#if canImport(Glibc)
    import Glibc
    func Foundation_log(_ x: Double) -> Double { Glibc.log(x) }
#elseif canImport(Darwin)
    import Darwin
    func Foundation_log(_ x: Double) -> Double { Darwin.log(x) }
#endif
