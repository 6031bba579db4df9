/// Float kernels of the compiled inference plan (docs/PERFORMANCE.md): in place, no allocation, and
/// written over SIMD vectors so they vectorise for whatever CPU the package is built for (portable
/// Swift SIMD types; no architecture-specific intrinsics). The training tape keeps its own kernels.

/// In place LayerNorm over rows of `width`: y = (x − μ) · rstd · γ + β, rstd = 1/√(σ² + ε), biased
/// variance, ε = 1e-5 — the same arithmetic, in the same order, as `layerNormForward`.
@inlinable public func layerNormInPlace(
    _ x: UnsafeMutablePointer<Float>, gain: UnsafePointer<Float>, bias: UnsafePointer<Float>, rows: Int, width: Int,
    epsilon: Float = 1e-5
) {
    for r in 0..<rows {
        let row = x + r * width
        let mu = vectorSum(row, width) / Float(width)
        for j in 0..<width { row[j] -= mu }
        let variance = vectorDot(row, row, width) / Float(width)
        let inverse = 1 / (variance + epsilon).squareRoot()
        for j in 0..<width { row[j] = row[j] * inverse * gain[j] + bias[j] }
    }
}

/// In place exact GELU, y = ½ x (1 + erf(x/√2)), with the vectorised `FastMath.erf` (as `geluForward`).
@inlinable public func geluInPlace(_ x: UnsafeMutablePointer<Float>, count: Int) {
    let invSqrt2: Float = 0.707_106_781_186_547_524_40
    for i in 0..<count {
        let v = x[i]
        x[i] = 0.5 * v * (1 + FastMath.erf(v * invSqrt2))
    }
}

/// Rows of a matrix filled with one vector: y[r, 0..<n] = v (ldy floats between rows).
@inlinable public func fillRows(_ y: UnsafeMutablePointer<Float>, rows: Int, ldy: Int, with v: UnsafePointer<Float>, count n: Int) {
    for r in 0..<rows { (y + r * ldy).update(from: v, count: n) }
}

/// Adds one vector to every row: y[r, 0..<n] += v.
@inlinable public func addToRows(_ y: UnsafeMutablePointer<Float>, rows: Int, ldy: Int, _ v: UnsafePointer<Float>, count n: Int) {
    for r in 0..<rows {
        let row = y + r * ldy
        for j in 0..<n { row[j] += v[j] }
    }
}

/// One run of stored patterns (keys and values, d wide each) that a window's queries attend to.
/// Row t of window b has its key at `keys + b·windowStride + t·rowStride` and its value at the same
/// offset from `values`; a window stride of 0 means every window shares the rows (learned slots).
public struct KeyValueSegment {
    public var keys: UnsafePointer<Float>
    public var values: UnsafePointer<Float>
    public var rowStride: Int
    public var windowStride: Int
    public var count: Int

    @inlinable public init(keys: UnsafePointer<Float>, values: UnsafePointer<Float>, rowStride: Int, windowStride: Int, count: Int) {
        self.keys = keys
        self.values = values
        self.rowStride = rowStride
        self.windowStride = windowStride
        self.count = count
    }
}

/// Fused multi-scale modern Hopfield retrieval for every query row of every window — the attention
/// of one MSAM block, kept in cache instead of one BLAS call per window and product:
/// s_j = q · k_j over the window's keys (all segments, in order), then for each inverse temperature
/// β_s: p = softmax(β_s s) (computed as e^(β_s s_j − β_s max s) / Σ), Z_s = Σ_j p_j v_j.
/// Query row i of window b is at `queries + b·queryWindowStride + i·queryRowStride`; its output is
/// row b·rows + i of `output` [windows·rows, S·d] holding [Z_1 ‖ … ‖ Z_S]. `scratch` holds at least
/// 2·(total keys) floats.
@inlinable public func multiScaleRetrieval(
    queries: UnsafePointer<Float>, queryRowStride: Int, queryWindowStride: Int, rows: Int, windows: Int, width d: Int,
    segments: UnsafeBufferPointer<KeyValueSegment>, betas: UnsafeBufferPointer<Float>,
    output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>
) {
    var keyCount = 0
    for segment in segments { keyCount += segment.count }
    let scales = betas.count
    let scores = scratch
    let weights = scratch + keyCount
    for b in 0..<windows {
        for i in 0..<rows {
            let query = queries + b * queryWindowStride + i * queryRowStride
            var j = 0
            for segment in segments {
                let base = segment.keys + b * segment.windowStride
                for t in 0..<segment.count {
                    scores[j] = vectorDot(query, base + t * segment.rowStride, d)
                    j += 1
                }
            }
            let peak = vectorMax(scores, keyCount)
            let out = output + (b * rows + i) * scales * d
            for s in 0..<scales {
                let beta = betas[s]
                let shift = beta * peak
                for j in 0..<keyCount { weights[j] = beta * scores[j] - shift }
                Float.exponentiate(weights, count: keyCount)
                let inverse = 1 / vectorSum(weights, keyCount)
                for j in 0..<keyCount { weights[j] *= inverse }
                weightedRows(segments, window: b, weights: weights, width: d, into: out + s * d)
            }
        }
    }
}

/// out[0..<d] = Σ_j w_j v_j over the value rows of every segment for window `b`, accumulated in
/// registers 16 (then 4) columns at a time.
@inlinable func weightedRows(
    _ segments: UnsafeBufferPointer<KeyValueSegment>, window b: Int, weights: UnsafePointer<Float>, width d: Int,
    into out: UnsafeMutablePointer<Float>
) {
    var c = 0
    while c + 16 <= d {
        var accumulator = SIMD16<Float>()
        var j = 0
        for segment in segments {
            let base = segment.values + b * segment.windowStride + c
            for t in 0..<segment.count {
                accumulator.addProduct(weights[j], UnsafeRawPointer(base + t * segment.rowStride).loadUnaligned(as: SIMD16<Float>.self))
                j += 1
            }
        }
        UnsafeMutableRawPointer(out + c).storeBytes(of: accumulator, as: SIMD16<Float>.self)
        c += 16
    }
    while c + 4 <= d {
        var accumulator = SIMD4<Float>()
        var j = 0
        for segment in segments {
            let base = segment.values + b * segment.windowStride + c
            for t in 0..<segment.count {
                accumulator.addProduct(weights[j], UnsafeRawPointer(base + t * segment.rowStride).loadUnaligned(as: SIMD4<Float>.self))
                j += 1
            }
        }
        UnsafeMutableRawPointer(out + c).storeBytes(of: accumulator, as: SIMD4<Float>.self)
        c += 4
    }
    while c < d {
        var total: Float = 0
        var j = 0
        for segment in segments {
            let base = segment.values + b * segment.windowStride + c
            for t in 0..<segment.count {
                total += weights[j] * base[t * segment.rowStride]
                j += 1
            }
        }
        out[c] = total
        c += 1
    }
}
