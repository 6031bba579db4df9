extension Tape {
    /// Row L2 normalisation: y = x / max(‖x‖, ε), ε = 1e-12 (PyTorch's `F.normalize`).
    /// Backward (‖x‖ > ε): dx = (dy − y (y·dy)) / ‖x‖; below ε the map is x/ε, so dx = dy/ε.
    /// Cosine similarity is then a matmul of normalised rows.
    @inlinable public func l2Normalize(_ x: Var) -> Var {
        let xv = values[x.id]
        let width = xv.lastDimension
        let rows = xv.rowCount
        let epsilon = S(1e-12)
        var norms = [S](repeating: 0, count: rows)
        var out = xv.data
        for r in 0..<rows {
            var sum: S = 0
            for j in 0..<width { sum += xv.data[r * width + j] * xv.data[r * width + j] }
            let norm = max(S.sqrt(sum), epsilon)
            norms[r] = norm
            for j in 0..<width { out[r * width + j] /= norm }
        }
        return record(Tensor(shape: xv.shape, data: out), from: [x]) { [unowned self] result in
            let dy = outputGradient(result)
            accumulateGradient(x) { dx in
                for r in 0..<rows {
                    var dot: S = 0
                    if norms[r] > epsilon { for j in 0..<width { dot += out[r * width + j] * dy[r * width + j] } }
                    for j in 0..<width {
                        dx[r * width + j] += (dy[r * width + j] - out[r * width + j] * dot) / norms[r]
                    }
                }
            }
        }
    }
}
