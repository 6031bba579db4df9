#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The distributions every seeded draw uses, each written once and exactly, so that their numbers are
/// fixed by the generator's sequence alone (no standard-library algorithm that may change).
extension SeededGenerator {
    /// Uniform in [0, 1) with 53 random bits: u = (x >> 11) · 2⁻⁵³.
    @inlinable public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform integer in 0..<upperBound (upperBound > 0), without modulo bias, by Lemire's
    /// multiply-and-reject method (Lemire 2019): m = x · n as a 128-bit product; when its low word is
    /// below t = 2⁶⁴ mod n, draw again; the result is m's high word, ⌊x · n / 2⁶⁴⌋.
    @inlinable public mutating func nextInt(below upperBound: Int) -> Int {
        precondition(upperBound > 0, "nextInt(below:) needs a positive bound")
        let bound = UInt64(upperBound)
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold { product = next().multipliedFullWidth(by: bound) }
        }
        return Int(product.high)
    }

    /// Uniform integer in `range`: lowerBound + nextInt(below: count).
    @inlinable public mutating func nextInt(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + nextInt(below: range.upperBound - range.lowerBound + 1)
    }

    /// Standard normal by Box–Muller: z = √(−2 ln u) · cos(2π v), u uniform in (0, 1) (a zero is
    /// redrawn), v uniform in [0, 1). The second value of the pair, √(−2 ln u) · sin(2π v), is not
    /// kept, so each call costs two uniforms and no state is carried between calls.
    @inlinable public mutating func nextGaussian() -> Double {
        var u = nextUnit()
        while u <= 0 { u = nextUnit() }
        let v = nextUnit()
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }

    /// Gamma(shape, 1) by Marsaglia & Tsang (2000): d = shape − 1/3, c = 1/√(9d); draw x ~ N(0, 1)
    /// until v = (1 + c x)³ > 0, u ~ U[0, 1); accept d·v when u < 1 − 0.0331 x⁴ or
    /// ln u < x²/2 + d (1 − v + ln v). For shape < 1: Gamma(shape) = Gamma(shape + 1) · u^(1/shape).
    public mutating func nextGamma(shape: Double) -> Double {
        if shape < 1 {
            let u = max(nextUnit(), .leastNonzeroMagnitude)
            return nextGamma(shape: shape + 1) * pow(u, 1 / shape)
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
            if log(max(u, .leastNonzeroMagnitude)) < 0.5 * x * x + d * (1 - v + log(v)) { return d * v }
        }
    }

    /// Beta(a, b) as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b) (½ if both underflow to 0), e.g.
    /// mixup's λ ~ Beta(0.4, 0.4).
    public mutating func nextBeta(_ a: Double, _ b: Double) -> Double {
        let x = nextGamma(shape: a)
        let y = nextGamma(shape: b)
        return x + y > 0 ? x / (x + y) : 0.5
    }

    /// Fisher–Yates shuffle in place: for i from n − 1 down to 1, swap element i with element
    /// j = nextInt(below: i + 1). Every permutation is equally likely.
    @inlinable public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) { array.swapAt(i, nextInt(below: i + 1)) }
    }
}
