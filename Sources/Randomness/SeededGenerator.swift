/// The package's one seeded generator: xoshiro256** (Blackman & Vigna 2018) with its 256-bit state
/// filled by SplitMix64 (Steele, Lea & Flood 2014). Every seeded draw — the synthetic corpus, the
/// evaluation splits, epoch order, initialisation, dropout, mixup, bootstrap, test data — comes from
/// here, so a seed fixes the same numbers on every platform and Swift version (the standard
/// library's generator and `shuffle` promise no fixed sequence).
///
/// xoshiro256** step, state (s₀, s₁, s₂, s₃):
///   output = rotl(s₁ · 5, 7) · 9
///   t = s₁ << 17; s₂ ^= s₀; s₃ ^= s₁; s₁ ^= s₂; s₀ ^= s₃; s₂ ^= t; s₃ = rotl(s₃, 45)
/// (all arithmetic modulo 2⁶⁴). The distributions built on it are in SeededGenerator+Distributions.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    @usableFromInline var state: (UInt64, UInt64, UInt64, UInt64)

    /// A generator whose whole sequence is determined by `seed`: the four state words are the first
    /// four SplitMix64 outputs for `seed` (never all zero, which xoshiro forbids).
    public init(seed: UInt64) {
        var splitMix = seed
        state = (
            Self.splitMix64(&splitMix), Self.splitMix64(&splitMix), Self.splitMix64(&splitMix),
            Self.splitMix64(&splitMix)
        )
    }

    /// A generator for one sub-task of a seeded run, named by `labels` (e.g. a fold and an epoch), so
    /// that adding draws in one place does not shift the numbers of another. The seed and labels are
    /// hashed with SplitMix64's step into one 64-bit seed:
    ///   h = splitMix64(seed);  h = splitMix64(h ⊕ labelᵢ · 0xD1B54A32D192ED03) for each label;
    /// the generator is then `SeededGenerator(seed: h)`. Different label lists give unrelated streams.
    public static func derived(from seed: UInt64, _ labels: UInt64...) -> SeededGenerator {
        var state = seed
        var hash = splitMix64(&state)
        for label in labels {
            state = hash ^ (label &* 0xD1B5_4A32_D192_ED03)
            hash = splitMix64(&state)
        }
        return SeededGenerator(seed: hash)
    }

    /// The next 64 uniformly distributed bits (one xoshiro256** step, formula above).
    @inlinable public mutating func next() -> UInt64 {
        let result = Self.rotateLeft(state.1 &* 5, by: 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = Self.rotateLeft(state.3, by: 45)
        return result
    }

    @inlinable static func rotateLeft(_ x: UInt64, by k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// One SplitMix64 step, used only to turn a 64-bit seed into state: the counter advances by the
    /// golden-ratio increment γ = 0x9E3779B97F4A7C15 and the output is its bijective mix
    ///   z = (z ⊕ z >> 30) · 0xBF58476D1CE4E5B9;  z = (z ⊕ z >> 27) · 0x94D049BB133111EB;  z ⊕ z >> 31.
    static func splitMix64(_ counter: inout UInt64) -> UInt64 {
        counter &+= 0x9E37_79B9_7F4A_7C15
        var z = counter
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
