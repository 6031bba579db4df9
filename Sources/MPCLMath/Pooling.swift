/// Mean over the token axis: out[b, :] = (1/n) Σ_t x[b, t, :], for x [B, n, d] → out [B, d].
@inlinable public func meanTokensForward<S: Real>(
    _ out: UnsafeMutablePointer<S>, _ x: UnsafePointer<S>, batch: Int, tokens: Int, width: Int
) {
    let inverse = 1 / S(tokens)
    for b in 0..<batch {
        for j in 0..<width { out[b * width + j] = 0 }
        for t in 0..<tokens {
            for j in 0..<width { out[b * width + j] += x[(b * tokens + t) * width + j] }
        }
        for j in 0..<width { out[b * width + j] *= inverse }
    }
}

/// Gradient of `meanTokensForward`, accumulated: dx[b, t, :] += dOut[b, :] / n.
@inlinable public func meanTokensBackward<S: Real>(
    dx: UnsafeMutablePointer<S>, dOut: UnsafePointer<S>, batch: Int, tokens: Int, width: Int
) {
    let inverse = 1 / S(tokens)
    for b in 0..<batch {
        for t in 0..<tokens {
            for j in 0..<width { dx[(b * tokens + t) * width + j] += dOut[b * width + j] * inverse }
        }
    }
}

extension Tape {
    /// Mean over the token axis (`meanTokensForward`): x [B, n, d] → [B, d].
    @inlinable public func meanTokens(_ x: Var) -> Var {
        let xv = values[x.id]
        precondition(xv.shape.count == 3, "meanTokens expects [B, n, d], got \(xv.shape)")
        let (batch, tokens, width) = (xv.shape[0], xv.shape[1], xv.shape[2])
        let out: [S] = uninitializedArray(batch * width) { o in
            xv.data.withUnsafeBufferPointer { meanTokensForward(o, $0.baseAddress!, batch: batch, tokens: tokens, width: width) }
        }
        return record(Tensor(shape: [batch, width], data: out), from: [x]) { [unowned self] result in
            let dy = outputGradient(result)
            accumulateGradient(x) { dx in
                dy.withUnsafeBufferPointer {
                    meanTokensBackward(dx: dx.baseAddress!, dOut: $0.baseAddress!, batch: batch, tokens: tokens, width: width)
                }
            }
        }
    }
}
