extension Tape {
    /// Σᵢ wᵢ · lossᵢ over scalar terms: how the model's losses combine.
    @inlinable public func weightedSum(_ terms: [(Var, S)]) -> Var {
        var total: S = 0
        for (term, weight) in terms { total += weight * values[term.id].data[0] }
        return record(Tensor(shape: [], data: [total]), from: terms.map(\.0)) { [unowned self] result in
            let g = outputGradient(result)[0]
            for (term, weight) in terms { accumulateGradient(term) { $0[0] += g * weight } }
        }
    }

    /// x · e^t for a learned scalar t (a temperature kept positive by construction).
    /// Backward: dx = dy · e^t; dt = e^t Σ dy ⊙ x.
    @inlinable public func scaleByExp(_ x: Var, _ t: Var) -> Var {
        let xv = values[x.id]
        let factor = S.exp(values[t.id].data[0])
        let out = xv.data.map { $0 * factor }
        return record(Tensor(shape: xv.shape, data: out), from: [x, t]) { [unowned self] result in
            let dy = outputGradient(result)
            accumulateGradient(x) { dx in for i in 0..<dx.count { dx[i] += dy[i] * factor } }
            accumulateGradient(t) { dt in
                var sum: S = 0
                for i in 0..<dy.count { sum += dy[i] * out[i] }
                dt[0] += sum
            }
        }
    }

    /// x + b · S for a learned scalar b and a constant pattern S tiled over x (S.count divides
    /// x.count). Backward: dx = dy; db = Σ dy ⊙ S.
    @inlinable public func addScaledPattern(_ x: Var, pattern: Tensor<S>, scale b: Var) -> Var {
        let xv = values[x.id]
        let width = pattern.count
        precondition(xv.count % width == 0, "addScaledPattern: pattern does not tile")
        let factor = values[b.id].data[0]
        var out = xv.data
        for i in 0..<out.count { out[i] += factor * pattern.data[i % width] }
        return record(Tensor(shape: xv.shape, data: out), from: [x, b]) { [unowned self] result in
            let dy = outputGradient(result)
            accumulateGradient(x) { dx in for i in 0..<dx.count { dx[i] += dy[i] } }
            accumulateGradient(b) { db in
                var sum: S = 0
                for i in 0..<dy.count { sum += dy[i] * pattern.data[i % width] }
                db[0] += sum
            }
        }
    }

    /// (1/rows) Σ x ⊙ W for a constant weight pattern W tiled over x: e.g. the mean, over emotions,
    /// of the association mass on emotions of the other valence. Backward: dx = W / rows.
    @inlinable public func weightedMean(_ x: Var, weights: Tensor<S>, rows: Int) -> Var {
        let xv = values[x.id]
        let width = weights.count
        precondition(xv.count % width == 0, "weightedMean: weights do not tile")
        var total: S = 0
        for i in 0..<xv.count { total += xv.data[i] * weights.data[i % width] }
        let inverse = 1 / S(rows)
        return record(Tensor(shape: [], data: [total * inverse]), from: [x]) { [unowned self] result in
            let g = outputGradient(result)[0] * inverse
            accumulateGradient(x) { dx in for i in 0..<dx.count { dx[i] += g * weights.data[i % width] } }
        }
    }
}
