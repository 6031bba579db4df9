extension Tape {
    /// Mean over the token axis: x [B, n, d] → [B, d]. Backward: dx[b, t, :] += dy[b, :] / n.
    @inlinable public func meanTokens(_ x: Var) -> Var {
        let xv = values[x.id]
        precondition(xv.shape.count == 3, "meanTokens expects [B, n, d], got \(xv.shape)")
        let (batch, tokens, width) = (xv.shape[0], xv.shape[1], xv.shape[2])
        var out = [S](repeating: 0, count: batch * width)
        let inverse = 1 / S(tokens)
        for b in 0..<batch {
            for t in 0..<tokens {
                for j in 0..<width { out[b * width + j] += xv.data[(b * tokens + t) * width + j] }
            }
            for j in 0..<width { out[b * width + j] *= inverse }
        }
        return record(Tensor(shape: [batch, width], data: out), from: [x]) { [unowned self] result in
            let dy = outputGradient(result)
            accumulateGradient(x) { dx in
                for b in 0..<batch {
                    for t in 0..<tokens {
                        for j in 0..<width { dx[(b * tokens + t) * width + j] += dy[b * width + j] * inverse }
                    }
                }
            }
        }
    }
}
