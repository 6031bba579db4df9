/// A small, fast, seedable generator (xoshiro256**, seeded through SplitMix64) so that
/// initialisation, dropout masks, shuffles and synthetic data are reproducible on every platform.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    @usableFromInline var state: (UInt64, UInt64, UInt64, UInt64)

    /// A generator whose whole sequence is determined by `seed`.
    public init(seed: UInt64) {
        var splitmix = seed
        func next() -> UInt64 {
            splitmix &+= 0x9E37_79B9_7F4A_7C15
            var z = splitmix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (next(), next(), next(), next())
    }

    @inlinable public mutating func next() -> UInt64 {
        let result = rotate(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotate(state.3, 45)
        return result
    }

    @inlinable func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// A uniform Double in [0, 1) with 53 random bits.
    @inlinable public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A standard normal sample (Box–Muller; one of the pair is discarded for simplicity).
    @inlinable public mutating func nextGaussian() -> Double {
        var u = nextUnit()
        while u <= 0 { u = nextUnit() }
        let v = nextUnit()
        return (-2 * LibM.log(u)).squareRoot() * LibM.cos(2 * Double.pi * v)
    }

    /// A Gamma(shape, 1) sample (Marsaglia–Tsang; shape < 1 via the boost u^(1/shape)).
    public mutating func nextGamma(shape: Double) -> Double {
        if shape < 1 {
            let u = max(nextUnit(), .leastNonzeroMagnitude)
            return nextGamma(shape: shape + 1) * LibM.pow(u, 1 / shape)
        }
        let d = shape - 1.0 / 3.0
        let c = 1 / (9 * d).squareRoot()
        while true {
            var x: Double
            var v: Double
            repeat {
                x = nextGaussian()
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = nextUnit()
            if u < 1 - 0.0331 * x * x * x * x { return d * v }
            if LibM.log(max(u, .leastNonzeroMagnitude)) < 0.5 * x * x + d * (1 - v + LibM.log(v)) { return d * v }
        }
    }

    /// A Beta(a, b) sample, e.g. mixup's λ ~ Beta(0.4, 0.4).
    public mutating func nextBeta(_ a: Double, _ b: Double) -> Double {
        let x = nextGamma(shape: a)
        let y = nextGamma(shape: b)
        return x + y > 0 ? x / (x + y) : 0.5
    }

    /// A uniform integer in 0..<upperBound.
    @inlinable public mutating func nextInt(below upperBound: Int) -> Int {
        Int(next(upperBound: UInt64(upperBound)))
    }

    /// Fisher–Yates shuffle in place: for i from n−1 down to 1, swap element i with a uniform j ≤ i.
    /// Deterministic for a seed (the standard library's `shuffle(using:)` promises no fixed order).
    @inlinable public mutating func shuffle<T>(_ array: inout [T]) {
        for i in stride(from: array.count - 1, to: 0, by: -1) { array.swapAt(i, nextInt(below: i + 1)) }
    }
}
