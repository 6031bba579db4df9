/// Row L2 normalisation: y = x / max(‖x‖, ε), ε = 1e-12 (PyTorch's `F.normalize`), over x
/// [rows, width]; saves the clamped norm of each row in `norms` [rows] for the backward pass.
@inlinable public func l2NormalizeForward<S: Real>(
    _ out: UnsafeMutablePointer<S>, norms: UnsafeMutablePointer<S>, _ x: UnsafePointer<S>, rows: Int, width: Int
) {
    for r in 0..<rows {
        var sum: S = 0
        for j in 0..<width { sum += x[r * width + j] * x[r * width + j] }
        let norm = max(S.sqrt(sum), l2NormalizeEpsilon())
        norms[r] = norm
        for j in 0..<width { out[r * width + j] = x[r * width + j] / norm }
    }
}

/// Gradient of `l2NormalizeForward`, accumulated. Where ‖x‖ > ε: dx = (dy − y (y·dy)) / ‖x‖;
/// below ε the map is x/ε, so dx = dy/ε.
@inlinable public func l2NormalizeBackward<S: Real>(
    dx: UnsafeMutablePointer<S>, dOut: UnsafePointer<S>, y: UnsafePointer<S>, norms: UnsafePointer<S>, rows: Int, width: Int
) {
    let epsilon: S = l2NormalizeEpsilon()
    for r in 0..<rows {
        var dot: S = 0
        if norms[r] > epsilon { for j in 0..<width { dot += y[r * width + j] * dOut[r * width + j] } }
        for j in 0..<width {
            dx[r * width + j] += (dOut[r * width + j] - y[r * width + j] * dot) / norms[r]
        }
    }
}

/// The ε below which `l2NormalizeForward` divides by ε instead of the norm.
@inlinable func l2NormalizeEpsilon<S: Real>() -> S { S(1e-12) }

extension Tape {
    /// Row L2 normalisation over the last axis (`l2NormalizeForward`). Cosine similarity is then a
    /// matmul of normalised rows.
    @inlinable public func l2Normalize(_ x: Var) -> Var {
        let xv = values[x.id]
        let width = xv.lastDimension
        let rows = xv.rowCount
        var norms = [S](repeating: 0, count: rows)
        let out: [S] = uninitializedArray(xv.count) { o in
            norms.withUnsafeMutableBufferPointer { n in
                xv.data.withUnsafeBufferPointer {
                    l2NormalizeForward(o, norms: n.baseAddress!, $0.baseAddress!, rows: rows, width: width)
                }
            }
        }
        return record(Tensor(shape: xv.shape, data: out), from: [x]) { [unowned self] result in
            let dy = outputGradient(result)
            accumulateGradient(x) { dx in
                dy.withUnsafeBufferPointer { dyp in
                    out.withUnsafeBufferPointer { yp in
                        norms.withUnsafeBufferPointer {
                            l2NormalizeBackward(
                                dx: dx.baseAddress!, dOut: dyp.baseAddress!, y: yp.baseAddress!, norms: $0.baseAddress!, rows: rows,
                                width: width)
                        }
                    }
                }
            }
        }
    }
}
