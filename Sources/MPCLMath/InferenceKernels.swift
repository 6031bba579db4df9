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

/// A residual plus a bias in one pass: y[r, 0..<n] = x[r, 0..<n] + v (rows n apart).
@inlinable public func residualRows(
    _ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, rows: Int, _ v: UnsafePointer<Float>, count n: Int
) {
    for r in 0..<rows {
        let target = y + r * n
        let source = x + r * n
        for j in 0..<n { target[j] = source[j] + v[j] }
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

/// Floats of scratch `multiScaleRetrieval` needs for windows with `keys` stored patterns.
@inlinable public func multiScaleRetrievalScratch(keys: Int, width d: Int, scales: Int) -> Int {
    let padded = (keys + 15) / 16 * 16
    return padded * d + 4 * padded + 4 * scales * padded + padded + 64
}

/// Fused multi-scale modern Hopfield retrieval for every query row of every window — the attention
/// of one MSAM block, kept in cache instead of one BLAS call per window and product:
/// s_j = q · k_j over the window's keys (all segments, in order), then for each inverse temperature
/// β_s: p = softmax(β_s s) (computed as e^(β_s s_j − β_s max s) / Σ), Z_s = Σ_j p_j v_j.
/// Query row i of window b is at `queries + b·queryWindowStride + i·queryRowStride`; its output is
/// row b·rows + i of `output` [windows·rows, S·d] holding [Z_1 ‖ … ‖ Z_S]. `scratch` holds
/// `multiScaleRetrievalScratch(keys:width:scales:)` floats.
///
/// When d is a multiple of 16 the products are register-tiled: each window's keys are transposed
/// once into Kᵀ [d, m padded to 16] so the scores of four query rows come from 16-key × 4-row tiles
/// of independent FMA chains, and each row's weighted sums for three scales at a time accumulate
/// 32 (or 16) columns per value row loaded. Other widths take a plain loop.
@inlinable public func multiScaleRetrieval(
    queries: UnsafePointer<Float>, queryRowStride: Int, queryWindowStride: Int, rows: Int, windows: Int, width d: Int,
    segments: UnsafeBufferPointer<KeyValueSegment>, betas: UnsafeBufferPointer<Float>,
    output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>
) {
    guard d % 16 == 0 else {
        multiScaleRetrievalPlain(
            queries: queries, queryRowStride: queryRowStride, queryWindowStride: queryWindowStride, rows: rows, windows: windows,
            width: d, segments: segments, betas: betas, output: output, scratch: scratch)
        return
    }
    var keyCount = 0
    for segment in segments { keyCount += segment.count }
    let padded = (keyCount + 15) / 16 * 16
    let scales = betas.count
    let transposed = scratch
    let scores = transposed + padded * d  // [4, padded]
    let weights = scores + 4 * padded  // [4 rows][scales][padded]
    let zeros = weights + 4 * scales * padded  // [padded] of 0: the missing scales of a group of three
    zeros.update(repeating: 0, count: padded)
    /// Writes the keys of `segment` for window `b` into Kᵀ from column `column` on.
    @inline(__always) func transpose(_ segment: KeyValueSegment, window b: Int, column: Int) {
        let base = segment.keys + b &* segment.windowStride
        for t in 0..<segment.count {
            let key = base + t &* segment.rowStride
            var destination = transposed + (column &+ t)
            for k in 0..<d {
                destination.pointee = key[k]
                destination += padded
            }
        }
    }
    // Kᵀ, zero-padded to a multiple of 16 keys: the padding and the keys every window shares
    // (learned slots) are written once; only each window's own keys are rewritten per window.
    transposed.update(repeating: 0, count: padded * d)
    var column = 0
    for segment in segments {
        if segment.windowStride == 0 { transpose(segment, window: 0, column: column) }
        column += segment.count
    }
    for b in 0..<windows {
        var j = 0
        for segment in segments {
            if segment.windowStride != 0 { transpose(segment, window: b, column: j) }
            j += segment.count
        }
        var first = 0
        while first < rows {
            let valid = min(4, rows - first)
            // Rows past the end repeat the last valid one; their results are not used.
            let base = queries + b * queryWindowStride
            let q0 = base + first * queryRowStride
            let q1 = base + (first + min(1, valid - 1)) * queryRowStride
            let q2 = base + (first + min(2, valid - 1)) * queryRowStride
            let q3 = base + (first + min(3, valid - 1)) * queryRowStride
            var column = 0
            while column < padded {
                var a0 = SIMD16<Float>()
                var a1 = SIMD16<Float>()
                var a2 = SIMD16<Float>()
                var a3 = SIMD16<Float>()
                var row = UnsafeRawPointer(transposed + column)
                for k in 0..<d {
                    let keys = row.loadUnaligned(as: SIMD16<Float>.self)
                    a0.addProduct(q0[k], keys)
                    a1.addProduct(q1[k], keys)
                    a2.addProduct(q2[k], keys)
                    a3.addProduct(q3[k], keys)
                    row += padded * MemoryLayout<Float>.stride
                }
                UnsafeMutableRawPointer(scores + column).storeBytes(of: a0, as: SIMD16<Float>.self)
                UnsafeMutableRawPointer(scores + padded + column).storeBytes(of: a1, as: SIMD16<Float>.self)
                UnsafeMutableRawPointer(scores + 2 * padded + column).storeBytes(of: a2, as: SIMD16<Float>.self)
                UnsafeMutableRawPointer(scores + 3 * padded + column).storeBytes(of: a3, as: SIMD16<Float>.self)
                column += 16
            }
            for r in 0..<valid {
                let score = scores + r * padded
                let peak = vectorMax(score, keyCount)
                for s in 0..<scales {
                    let beta = betas[s]
                    let shift = beta * peak
                    let p = weights + (r * scales + s) * padded
                    for j in 0..<keyCount { p[j] = beta * score[j] - shift }
                    Float.exponentiate(p, count: keyCount)
                    let inverse = 1 / vectorSum(p, keyCount)
                    for j in 0..<keyCount { p[j] *= inverse }
                }
                let out = output + (b * rows + first + r) * scales * d
                var group = 0
                while group < scales {
                    let p0 = weights + (r * scales + group) * padded
                    let p1 = group + 1 < scales ? p0 + padded : UnsafeMutablePointer(zeros)
                    let p2 = group + 2 < scales ? p0 + 2 * padded : UnsafeMutablePointer(zeros)
                    weightedRowsThreeScales(
                        segments, window: b, weights: (p0, p1, p2), width: d, into: out + group * d,
                        scales: min(3, scales - group))
                    group += 3
                }
            }
            first += 4
        }
    }
}

/// out[s·d ..< (s+1)·d] = Σ_j w_s[j] v_j for up to three scales s at once, 32 or 16 columns at a
/// time (d a multiple of 16): every value row loaded feeds three independent FMA chains per half.
@inlinable func weightedRowsThreeScales(
    _ segments: UnsafeBufferPointer<KeyValueSegment>, window b: Int,
    weights: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>), width d: Int,
    into out: UnsafeMutablePointer<Float>, scales: Int
) {
    var c = 0
    while c + 32 <= d {
        var x0 = SIMD16<Float>()
        var y0 = SIMD16<Float>()
        var x1 = SIMD16<Float>()
        var y1 = SIMD16<Float>()
        var x2 = SIMD16<Float>()
        var y2 = SIMD16<Float>()
        var j = 0
        for segment in segments {
            var value = UnsafeRawPointer(segment.values + b * segment.windowStride + c)
            for _ in 0..<segment.count {
                let low = value.loadUnaligned(as: SIMD16<Float>.self)
                let high = value.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self)
                let w0 = weights.0[j]
                let w1 = weights.1[j]
                let w2 = weights.2[j]
                x0.addProduct(w0, low)
                y0.addProduct(w0, high)
                x1.addProduct(w1, low)
                y1.addProduct(w1, high)
                x2.addProduct(w2, low)
                y2.addProduct(w2, high)
                value += segment.rowStride * MemoryLayout<Float>.stride
                j += 1
            }
        }
        let o = UnsafeMutableRawPointer(out + c)
        o.storeBytes(of: x0, as: SIMD16<Float>.self)
        o.storeBytes(of: y0, toByteOffset: 64, as: SIMD16<Float>.self)
        if scales > 1 {
            o.storeBytes(of: x1, toByteOffset: d * 4, as: SIMD16<Float>.self)
            o.storeBytes(of: y1, toByteOffset: d * 4 + 64, as: SIMD16<Float>.self)
        }
        if scales > 2 {
            o.storeBytes(of: x2, toByteOffset: d * 8, as: SIMD16<Float>.self)
            o.storeBytes(of: y2, toByteOffset: d * 8 + 64, as: SIMD16<Float>.self)
        }
        c += 32
    }
    while c + 16 <= d {
        var x0 = SIMD16<Float>()
        var x1 = SIMD16<Float>()
        var x2 = SIMD16<Float>()
        var j = 0
        for segment in segments {
            var value = UnsafeRawPointer(segment.values + b * segment.windowStride + c)
            for _ in 0..<segment.count {
                let v = value.loadUnaligned(as: SIMD16<Float>.self)
                x0.addProduct(weights.0[j], v)
                x1.addProduct(weights.1[j], v)
                x2.addProduct(weights.2[j], v)
                value += segment.rowStride * MemoryLayout<Float>.stride
                j += 1
            }
        }
        let o = UnsafeMutableRawPointer(out + c)
        o.storeBytes(of: x0, as: SIMD16<Float>.self)
        if scales > 1 { o.storeBytes(of: x1, toByteOffset: d * 4, as: SIMD16<Float>.self) }
        if scales > 2 { o.storeBytes(of: x2, toByteOffset: d * 8, as: SIMD16<Float>.self) }
        c += 16
    }
}

/// The same retrieval as a plain loop (any width that is a multiple of 4).
@inlinable func multiScaleRetrievalPlain(
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
