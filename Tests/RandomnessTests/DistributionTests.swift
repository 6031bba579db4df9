import Randomness
import Testing

/// Ranges and known moments of the distributions. Every draw is seeded, so each check is a fixed
/// computation; the tolerances are several standard errors of the estimate for n draws, so a
/// correct formula passes and a wrong one (a missing factor, a biased range) fails.
@Suite struct DistributionTests {
    static let n = 100_000

    /// Sample mean and (population) variance.
    static func moments(_ values: [Double]) -> (mean: Double, variance: Double) {
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
        return (mean, variance)
    }

    @Test func unitIsInTheHalfOpenIntervalWithUniformMoments() {
        var generator = SeededGenerator(seed: 1)
        let values = (0..<Self.n).map { _ in generator.nextUnit() }
        #expect(values.allSatisfy { $0 >= 0 && $0 < 1 })
        let (mean, variance) = Self.moments(values)
        #expect(abs(mean - 0.5) < 0.005)  // standard error 0.0009
        #expect(abs(variance - 1.0 / 12) < 0.003)  // standard error 0.0002
    }

    @Test func integersBelowABoundAreInRangeAndEven() {
        var generator = SeededGenerator(seed: 2)
        var counts = [Int](repeating: 0, count: 6)
        for _ in 0..<60_000 { counts[generator.nextInt(below: 6)] += 1 }  // traps if out of range
        #expect(counts.allSatisfy { abs($0 - 10_000) < 500 })  // standard error about 91
        #expect((0..<100).allSatisfy { _ in generator.nextInt(below: 1) == 0 })
        let large = (0..<1000).map { _ in generator.nextInt(below: Int.max) }
        #expect(large.allSatisfy { $0 >= 0 && $0 < Int.max })
    }

    @Test func integersInAClosedRangeCoverBothEnds() {
        var generator = SeededGenerator(seed: 3)
        let values = (0..<10_000).map { _ in generator.nextInt(in: -3...4) }
        #expect(Set(values) == Set(-3...4))
        #expect((0..<100).allSatisfy { _ in generator.nextInt(in: 9...9) == 9 })
    }

    @Test func gaussianHasMeanZeroAndVarianceOne() {
        var generator = SeededGenerator(seed: 4)
        let values = (0..<Self.n).map { _ in generator.nextGaussian() }
        #expect(values.allSatisfy { $0.isFinite })
        let (mean, variance) = Self.moments(values)
        #expect(abs(mean) < 0.02)  // standard error 0.0032
        #expect(abs(variance - 1) < 0.03)  // standard error 0.0045
        // About 68.3 % within one standard deviation.
        let inside = Double(values.filter { abs($0) < 1 }.count) / Double(Self.n)
        #expect(abs(inside - 0.6827) < 0.01)
    }

    @Test(arguments: [0.4, 1.0, 2.5])
    func gammaHasMeanAndVarianceEqualToItsShape(shape: Double) {
        // Gamma(k, 1): mean k, variance k.
        var generator = SeededGenerator(seed: 5)
        let values = (0..<Self.n).map { _ in generator.nextGamma(shape: shape) }
        #expect(values.allSatisfy { $0 >= 0 && $0.isFinite })
        let (mean, variance) = Self.moments(values)
        #expect(abs(mean - shape) < 0.02 * shape.squareRoot() + 0.01)  // standard error √(k/n)
        #expect(abs(variance - shape) < 0.05 * shape + 0.02)  // standard error ≤ 0.012 for k ≤ 2.5
    }

    @Test func betaHasItsKnownMeanAndVariance() {
        // Beta(a, b): mean a/(a+b), variance ab/((a+b)²(a+b+1)); mixup's Beta(0.4, 0.4) and a skewed one.
        var generator = SeededGenerator(seed: 6)
        for (a, b) in [(0.4, 0.4), (2.0, 5.0)] {
            let values = (0..<Self.n).map { _ in generator.nextBeta(a, b) }
            #expect(values.allSatisfy { $0 >= 0 && $0 <= 1 })
            let (mean, variance) = Self.moments(values)
            #expect(abs(mean - a / (a + b)) < 0.006)  // standard error ≤ 0.0012
            #expect(abs(variance - a * b / ((a + b) * (a + b) * (a + b + 1))) < 0.004)
        }
    }
}
