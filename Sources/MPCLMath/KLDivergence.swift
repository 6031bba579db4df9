extension Tape {
    /// Mean over rows of KL(y ‖ q) = Σ_c y_c (ln y_c − ln q_c), for a constant target distribution
    /// `target` and log-probabilities `logQ` of the same shape. Terms with y_c = 0 contribute 0 (and
    /// no gradient), so −∞ in `logQ` where the target is 0 is fine. Backward: d ln q_c = −y_c / rows.
    @inlinable public func klDivergence(target: Tensor<S>, logQ: Var) -> Var {
        let lq = values[logQ.id]
        precondition(target.count == lq.count, "klDivergence: target \(target.shape) vs \(lq.shape)")
        let rows = S(lq.rowCount)
        var total: S = 0
        for i in 0..<lq.count where target.data[i] > 0 {
            total += target.data[i] * (S.log(target.data[i]) - lq.data[i])
        }
        return record(Tensor(shape: [], data: [total / rows]), from: [logQ]) { [unowned self] result in
            let g = outputGradient(result)[0] / rows
            accumulateGradient(logQ) { d in
                for i in 0..<d.count where target.data[i] > 0 { d[i] -= g * target.data[i] }
            }
        }
    }

    /// Mean over rows of KL(p ‖ q) = Σ_c p_c (ln p_c − ln q_c) with both sides learned, given as
    /// log-probabilities. Backward: d ln p_c = p_c (ln p_c − ln q_c + 1), d ln q_c = −p_c.
    @inlinable public func klDivergence(logP: Var, logQ: Var) -> Var {
        let lp = values[logP.id]
        let lq = values[logQ.id]
        precondition(lp.count == lq.count, "klDivergence: \(lp.shape) vs \(lq.shape)")
        let rows = S(lp.rowCount)
        var total: S = 0
        for i in 0..<lp.count { total += S.exp(lp.data[i]) * (lp.data[i] - lq.data[i]) }
        return record(Tensor(shape: [], data: [total / rows]), from: [logP, logQ]) { [unowned self] result in
            let g = outputGradient(result)[0] / rows
            accumulateGradient(logP) { d in
                for i in 0..<d.count { d[i] += g * S.exp(lp.data[i]) * (lp.data[i] - lq.data[i] + 1) }
            }
            accumulateGradient(logQ) { d in
                for i in 0..<d.count { d[i] -= g * S.exp(lp.data[i]) }
            }
        }
    }
}
