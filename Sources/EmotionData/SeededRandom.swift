/// SplitMix64 (Steele, Lea & Flood 2014): a tiny, fast generator whose output depends only on the
/// seed, so corpora and splits are identical across runs, platforms and Swift versions (the
/// standard library's generator and `shuffle` make no such promise).
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Uniform integer in `range` (modulo bias is below 2^-40 for the small ranges used here).
    public mutating func integer(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.upperBound - range.lowerBound + 1))
    }

    /// Standard normal by Box–Muller: sqrt(-2 ln u1) cos(2π u2), with u1 in (0, 1].
    public mutating func gaussian() -> Double {
        let u1 = 1 - uniform()
        let u2 = uniform()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// Fisher–Yates shuffle with this generator (deterministic, unlike `Array.shuffle`).
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for index in stride(from: array.count - 1, to: 0, by: -1) {
            array.swapAt(index, integer(in: 0...index))
        }
    }

    /// A generator for a sub-task, so that adding draws in one place does not shift another.
    public static func derived(from seed: UInt64, _ labels: UInt64...) -> SeededRandom {
        var mixer = SeededRandom(seed: seed)
        var value = mixer.next()
        for label in labels {
            mixer = SeededRandom(seed: value ^ (label &* 0xD1B5_4A32_D192_ED03))
            value = mixer.next()
        }
        return SeededRandom(seed: value)
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
