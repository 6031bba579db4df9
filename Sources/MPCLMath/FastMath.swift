/// Vectorisable single-precision elementary functions. libm's `expf`/`erff` are scalar calls; the
/// softmaxes and GELUs of a forward pass make hundreds of thousands of them per batch, so these
/// branch-free versions, which the compiler turns into SIMD loops, matter (docs/PERFORMANCE.md).
/// Double keeps libm: gradient checks need exactness.
public enum FastMath {
    /// eˣ, Cephes' `expf` scheme: n = round(x·log₂e), r = x − n·ln2 (ln2 split in two so r is exact
    /// to single precision), eʳ by a degree-6 minimax polynomial on [−ln2/2, ln2/2], result eʳ·2ⁿ
    /// built in the exponent bits. Relative error ≤ 2 ulp. Inputs below −87.33 (including −∞)
    /// give exactly 0; inputs above 88.37 are clamped (the result stays finite, ≈ 2.7e38).
    @inlinable @inline(__always) public static func exp(_ v: Float) -> Float {
        let low: Float = -87.336_54
        let high: Float = 88.376_26
        let x = v < low ? low : (v > high ? high : v)
        // Adding 1.5·2²³ leaves round-to-nearest(x·log₂e) in the low mantissa bits: no float→int
        // conversion, and the integer is a bit-pattern difference.
        let magic: Float = 12_582_912
        let shifted = x * 1.442_695_04 + magic
        let n = shifted - magic
        var r = x - n * 0.693_359_375
        r = r - n * -2.121_944_4e-4
        var p: Float = 1.987_569_15e-4
        p = p * r + 1.398_199_95e-3
        p = p * r + 8.333_451_9e-3
        p = p * r + 4.166_579_59e-2
        p = p * r + 1.666_666_55e-1
        p = p * r + 5.000_000_12e-1
        let y = p * r * r + r + 1
        let exponent = (shifted.bitPattern &- magic.bitPattern &+ 127) &<< 23
        let scaled = y * Float(bitPattern: exponent)
        return v < low ? 0 : scaled
    }

    /// erf(x), Abramowitz & Stegun 7.1.26: with t = 1/(1 + p|x|),
    /// erf(|x|) = 1 − (a₁t + a₂t² + a₃t³ + a₄t⁴ + a₅t⁵)·e^(−x²). The formula's error is 1.5e-7;
    /// evaluated in Float the measured absolute error is ≤ 5e-7 (FastMathTests), a few ulp of
    /// GELU's 1 + erf term, far inside the 1e-5 parity budget of the served distributions.
    @inlinable @inline(__always) public static func erf(_ v: Float) -> Float {
        let a = v < 0 ? -v : v
        let t = 1 / (1 + 0.327_591_1 * a)
        var poly: Float = 1.061_405_429
        poly = poly * t - 1.453_152_027
        poly = poly * t + 1.421_413_741
        poly = poly * t - 0.284_496_736
        poly = poly * t + 0.254_829_592
        poly = poly * t
        let magnitude = 1 - poly * exp(-(a * a))
        return v < 0 ? -magnitude : magnitude
    }
}

/// Σ p[0..<n], eight lanes at a time.
@inlinable public func vectorSum<S: Real>(_ p: UnsafePointer<S>, _ n: Int) -> S {
    var accumulator = SIMD8<S>()
    var i = 0
    while i + 8 <= n {
        accumulator += UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<S>.self)
        i += 8
    }
    var total = accumulator.sum()
    while i < n {
        total += p[i]
        i += 1
    }
    return total
}

/// Σ a[i]·b[i] over n values, eight lanes at a time.
@inlinable public func vectorDot<S: Real>(_ a: UnsafePointer<S>, _ b: UnsafePointer<S>, _ n: Int) -> S {
    var accumulator = SIMD8<S>()
    var i = 0
    while i + 8 <= n {
        accumulator +=
            UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<S>.self) * UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<S>.self)
        i += 8
    }
    var total = accumulator.sum()
    while i < n {
        total += a[i] * b[i]
        i += 1
    }
    return total
}

/// max p[0..<n] (−∞ for n = 0). Written as selects over eight independent lanes so it vectorises.
@inlinable public func vectorMax<S: Real>(_ p: UnsafePointer<S>, _ n: Int) -> S {
    var lanes = (
        -S.infinity, -S.infinity, -S.infinity, -S.infinity, -S.infinity, -S.infinity, -S.infinity, -S.infinity
    )
    var i = 0
    while i + 8 <= n {
        lanes.0 = p[i] > lanes.0 ? p[i] : lanes.0
        lanes.1 = p[i + 1] > lanes.1 ? p[i + 1] : lanes.1
        lanes.2 = p[i + 2] > lanes.2 ? p[i + 2] : lanes.2
        lanes.3 = p[i + 3] > lanes.3 ? p[i + 3] : lanes.3
        lanes.4 = p[i + 4] > lanes.4 ? p[i + 4] : lanes.4
        lanes.5 = p[i + 5] > lanes.5 ? p[i + 5] : lanes.5
        lanes.6 = p[i + 6] > lanes.6 ? p[i + 6] : lanes.6
        lanes.7 = p[i + 7] > lanes.7 ? p[i + 7] : lanes.7
        i += 8
    }
    var peak = max(max(max(lanes.0, lanes.1), max(lanes.2, lanes.3)), max(max(lanes.4, lanes.5), max(lanes.6, lanes.7)))
    while i < n {
        peak = p[i] > peak ? p[i] : peak
        i += 1
    }
    return peak
}

/// A new array of `count` elements that `initialize` must fill completely (no zero-fill pass: the
/// kernels overwrite every element, and BLAS with β = 0 never reads its output).
@inlinable public func uninitializedArray<S: Real>(_ count: Int, _ initialize: (UnsafeMutablePointer<S>) -> Void) -> [S] {
    [S](unsafeUninitializedCapacity: count) { buffer, initialized in
        if count > 0 { initialize(buffer.baseAddress!) }
        initialized = count
    }
}
