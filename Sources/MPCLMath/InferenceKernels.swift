/// Float kernels of the compiled inference plan (docs/PERFORMANCE.md): in place, no allocation. The
/// small ones are Swift, vectorised for whatever CPU the package is built for; the attention is C
/// (CInferenceKernels), like the matmul, so it can use the instruction set of the CPU it runs on.
/// The training tape keeps its own kernels.

import CInferenceKernels

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
/// Row t of window b has its key at `keys + b·keyWindowStride + t·keyRowStride` and its value at
/// `values + b·valueWindowStride + t·valueRowStride`; a window stride of 0 means every window
/// shares the rows (learned slots).
public struct KeyValueSegment {
    public var keys: UnsafePointer<Float>
    public var values: UnsafePointer<Float>
    public var keyRowStride: Int
    public var keyWindowStride: Int
    public var valueRowStride: Int
    public var valueWindowStride: Int
    public var count: Int

    public init(
        keys: UnsafePointer<Float>, keyRowStride: Int, keyWindowStride: Int, values: UnsafePointer<Float>, valueRowStride: Int,
        valueWindowStride: Int, count: Int
    ) {
        self.keys = keys
        self.values = values
        self.keyRowStride = keyRowStride
        self.keyWindowStride = keyWindowStride
        self.valueRowStride = valueRowStride
        self.valueWindowStride = valueWindowStride
        self.count = count
    }

    /// Keys and values laid out alike (interleaved in the same rows, or two matrices of one shape).
    public init(keys: UnsafePointer<Float>, values: UnsafePointer<Float>, rowStride: Int, windowStride: Int, count: Int) {
        self.init(
            keys: keys, keyRowStride: rowStride, keyWindowStride: windowStride, values: values, valueRowStride: rowStride,
            valueWindowStride: windowStride, count: count)
    }
}

/// Floats of scratch `multiScaleRetrieval` needs for windows with `keys` stored patterns.
public func multiScaleRetrievalScratch(keys: Int, width d: Int, scales: Int) -> Int {
    mpcl_retrieval_scratch_floats(keys, d, scales)
}

/// Fused multi-scale modern Hopfield retrieval for every query row of every window — the attention
/// of one MSAM block, kept in cache instead of one BLAS call per window and product:
/// s_j = q · k_j over the window's keys (all segments, in order), then for each inverse temperature
/// β_s: p = softmax(β_s s) (computed as e^(β_s s_j − β_s max s) / Σ), Z_s = Σ_j p_j v_j.
/// Query row i of window b is at `queries + b·queryWindowStride + i·queryRowStride`; its output is
/// row b·rows + i of `output` [windows·rows, S·d] holding [Z_1 ‖ … ‖ Z_S]. `scratch` holds
/// `multiScaleRetrievalScratch(keys:width:scales:)` floats.
///
/// The kernel is C (`mpcl_retrieval` in CInferenceKernels), compiled per instruction set and chosen
/// from the CPU's features like `packedMatmul`: each window's keys copied into 16-key tiles (shared
/// slots once per call), one query row against 16 keys per register tile summed by a lane-shuffle
/// tree, the S softmaxes 16 keys per vector, and the weighted sums of three scales (and, on AVX-512,
/// two rows) per value row loaded, values read where they lie.
public func multiScaleRetrieval(
    queries: UnsafePointer<Float>, queryRowStride: Int, queryWindowStride: Int, rows: Int, windows: Int, width d: Int,
    segments: UnsafeBufferPointer<KeyValueSegment>, betas: UnsafeBufferPointer<Float>,
    output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>
) {
    multiScaleRetrieval(
        at: .avx512, queries: queries, queryRowStride: queryRowStride, queryWindowStride: queryWindowStride, rows: rows,
        windows: windows, width: d, segments: segments, betas: betas, output: output, scratch: scratch)
}

/// `multiScaleRetrieval` forced to `level` (clamped to what this CPU supports), so tests cover every
/// path on one machine; returns the level that ran.
@discardableResult public func multiScaleRetrieval(
    at level: PackedMatmulLevel, queries: UnsafePointer<Float>, queryRowStride: Int, queryWindowStride: Int, rows: Int,
    windows: Int, width d: Int, segments: UnsafeBufferPointer<KeyValueSegment>, betas: UnsafeBufferPointer<Float>,
    output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>
) -> PackedMatmulLevel {
    withUnsafeTemporaryAllocation(of: mpcl_key_value_segment.self, capacity: max(segments.count, 1)) { converted in
        for (i, segment) in segments.enumerated() {
            converted[i] = mpcl_key_value_segment(
                keys: segment.keys, values: segment.values, keyRowStride: segment.keyRowStride,
                keyWindowStride: segment.keyWindowStride, valueRowStride: segment.valueRowStride,
                valueWindowStride: segment.valueWindowStride, count: segment.count)
        }
        let used = mpcl_retrieval_at(
            level.rawValue, queries, queryRowStride, queryWindowStride, rows, windows, d, converted.baseAddress, segments.count,
            betas.baseAddress, betas.count, output, scratch)
        return PackedMatmulLevel(rawValue: used) ?? .portable
    }
}
