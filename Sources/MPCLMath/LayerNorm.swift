/// LayerNorm over the last axis: y = (x − μ) · rstd · γ + β, rstd = 1/√(σ² + ε), biased variance,
/// ε = 1e-5 (PyTorch's default). Saves μ and rstd per row for the backward pass.
@inlinable public func layerNormForward<S: Real>(
    _ out: UnsafeMutablePointer<S>, mean: UnsafeMutablePointer<S>, rstd: UnsafeMutablePointer<S>,
    _ x: UnsafePointer<S>, gain: UnsafePointer<S>, bias: UnsafePointer<S>, rows: Int, width: Int, epsilon: S
) {
    for r in 0..<rows {
        let row = x + r * width
        let o = out + r * width
        let mu = vectorSum(row, width) / S(width)
        for j in 0..<width { o[j] = row[j] - mu }
        let variance = vectorDot(o, o, width) / S(width)
        let inverse = 1 / S.sqrt(variance + epsilon)
        for j in 0..<width { o[j] = o[j] * inverse * gain[j] + bias[j] }
        mean[r] = mu
        rstd[r] = inverse
    }
}

/// Gradient of `layerNormForward`, accumulated. With x̂ = (x − μ)·rstd and g = dy ⊙ γ:
/// dx = rstd · (g − mean(g) − x̂ · mean(g ⊙ x̂)); dγ += Σ_rows dy ⊙ x̂; dβ += Σ_rows dy.
@inlinable public func layerNormBackward<S: Real>(
    dx: UnsafeMutablePointer<S>?, dGain: UnsafeMutablePointer<S>?, dBias: UnsafeMutablePointer<S>?,
    dOut: UnsafePointer<S>, x: UnsafePointer<S>, gain: UnsafePointer<S>,
    mean: UnsafePointer<S>, rstd: UnsafePointer<S>, rows: Int, width: Int
) {
    for r in 0..<rows {
        let row = x + r * width
        let dy = dOut + r * width
        var meanG: S = 0
        var meanGX: S = 0
        for j in 0..<width {
            let normalised = (row[j] - mean[r]) * rstd[r]
            let g = dy[j] * gain[j]
            meanG += g
            meanGX += g * normalised
            dGain?[j] += dy[j] * normalised
            dBias?[j] += dy[j]
        }
        meanG /= S(width)
        meanGX /= S(width)
        if let dx {
            let d = dx + r * width
            for j in 0..<width {
                let normalised = (row[j] - mean[r]) * rstd[r]
                d[j] += rstd[r] * (dy[j] * gain[j] - meanG - normalised * meanGX)
            }
        }
    }
}

extension Tape {
    /// LayerNorm over the last axis with learned gain and bias (ε = 1e-5).
    @inlinable public func layerNorm(_ x: Var, gain: Var, bias: Var) -> Var {
        let xv = values[x.id]
        let gv = values[gain.id].data
        let bv = values[bias.id].data
        let width = xv.lastDimension
        let rows = xv.rowCount
        precondition(gv.count == width && bv.count == width, "layerNorm: gain/bias do not match width \(width)")
        var out: [S] = uninitializedArray(xv.count) { _ in }
        var mean: [S] = uninitializedArray(rows) { _ in }
        var rstd: [S] = uninitializedArray(rows) { _ in }
        out.withUnsafeMutableBufferPointer { o in
            mean.withUnsafeMutableBufferPointer { m in
                rstd.withUnsafeMutableBufferPointer { s in
                    xv.data.withUnsafeBufferPointer { xp in
                        gv.withUnsafeBufferPointer { gp in
                            bv.withUnsafeBufferPointer { bp in
                                layerNormForward(
                                    o.baseAddress!, mean: m.baseAddress!, rstd: s.baseAddress!, xp.baseAddress!, gain: gp.baseAddress!,
                                    bias: bp.baseAddress!, rows: rows, width: width, epsilon: S(1e-5))
                            }
                        }
                    }
                }
            }
        }
        return record(Tensor(shape: xv.shape, data: out), from: [x, gain, bias]) { [unowned self] result in
            let dy = outputGradient(result)
            var dGain = [S](repeating: 0, count: width)
            var dBias = [S](repeating: 0, count: width)
            var dx = [S](repeating: 0, count: xv.count)
            dy.withUnsafeBufferPointer { dyp in
                xv.data.withUnsafeBufferPointer { xp in
                    gv.withUnsafeBufferPointer { gp in
                        mean.withUnsafeBufferPointer { m in
                            rstd.withUnsafeBufferPointer { s in
                                layerNormBackward(
                                    dx: &dx, dGain: &dGain, dBias: &dBias, dOut: dyp.baseAddress!, x: xp.baseAddress!,
                                    gain: gp.baseAddress!, mean: m.baseAddress!, rstd: s.baseAddress!, rows: rows, width: width)
                            }
                        }
                    }
                }
            }
            accumulateGradient(x) { d in for i in 0..<d.count { d[i] += dx[i] } }
            accumulateGradient(gain) { d in for i in 0..<width { d[i] += dGain[i] } }
            accumulateGradient(bias) { d in for i in 0..<width { d[i] += dBias[i] } }
        }
    }
}
