/// Mean over `rows` rows of KL(y ‖ q) = Σ_c y_c (ln y_c − ln q_c), for a constant target
/// distribution y and log-probabilities ln q, both [rows, C] (`count` = rows · C values). Terms with
/// y_c = 0 contribute 0 (and no gradient), so −∞ in ln q where the target is 0 is fine.
@inlinable public func klDivergenceForward<S: Real>(target: UnsafePointer<S>, logQ: UnsafePointer<S>, count: Int, rows: Int) -> S {
    var total: S = 0
    for i in 0..<count where target[i] > 0 { total += target[i] * (S.log(target[i]) - logQ[i]) }
    return total / S(rows)
}

/// Gradient of `klDivergenceForward`, accumulated: d ln q_c += −dLoss · y_c / rows.
@inlinable public func klDivergenceBackward<S: Real>(
    dLogQ: UnsafeMutablePointer<S>, dLoss: S, target: UnsafePointer<S>, count: Int, rows: Int
) {
    let g = dLoss / S(rows)
    for i in 0..<count where target[i] > 0 { dLogQ[i] -= g * target[i] }
}

/// Mean over `rows` rows of KL(p ‖ q) = Σ_c p_c (ln p_c − ln q_c) with both sides learned, given
/// as log-probabilities [rows, C] (`count` = rows · C values).
@inlinable public func klDivergenceForward<S: Real>(logP: UnsafePointer<S>, logQ: UnsafePointer<S>, count: Int, rows: Int) -> S {
    var total: S = 0
    for i in 0..<count { total += S.exp(logP[i]) * (logP[i] - logQ[i]) }
    return total / S(rows)
}

/// Gradient of the two-sided `klDivergenceForward`, accumulated (either gradient may be nil), with
/// g = dLoss / rows: d ln p_c += g · p_c (ln p_c − ln q_c + 1); d ln q_c += −g · p_c.
@inlinable public func klDivergenceBackward<S: Real>(
    dLogP: UnsafeMutablePointer<S>?, dLogQ: UnsafeMutablePointer<S>?, dLoss: S, logP: UnsafePointer<S>, logQ: UnsafePointer<S>,
    count: Int, rows: Int
) {
    let g = dLoss / S(rows)
    if let dLogP { for i in 0..<count { dLogP[i] += g * S.exp(logP[i]) * (logP[i] - logQ[i] + 1) } }
    if let dLogQ { for i in 0..<count { dLogQ[i] -= g * S.exp(logP[i]) } }
}

extension Tape {
    /// Mean over rows of KL(target ‖ q) for a constant target and log-probabilities `logQ` of the
    /// same shape (`klDivergenceForward`).
    @inlinable public func klDivergence(target: Tensor<S>, logQ: Var) -> Var {
        let lq = values[logQ.id]
        precondition(target.count == lq.count, "klDivergence: target \(target.shape) vs \(lq.shape)")
        let (count, rows) = (lq.count, lq.rowCount)
        let loss = target.data.withUnsafeBufferPointer { tp in
            lq.data.withUnsafeBufferPointer {
                klDivergenceForward(target: tp.baseAddress!, logQ: $0.baseAddress!, count: count, rows: rows)
            }
        }
        return record(Tensor(shape: [], data: [loss]), from: [logQ]) { [unowned self] result in
            let dLoss = outputGradient(result)[0]
            accumulateGradient(logQ) { d in
                target.data.withUnsafeBufferPointer {
                    klDivergenceBackward(dLogQ: d.baseAddress!, dLoss: dLoss, target: $0.baseAddress!, count: count, rows: rows)
                }
            }
        }
    }

    /// Mean over rows of KL(p ‖ q) with both sides learned, given as log-probabilities.
    @inlinable public func klDivergence(logP: Var, logQ: Var) -> Var {
        let lp = values[logP.id]
        let lq = values[logQ.id]
        precondition(lp.count == lq.count, "klDivergence: \(lp.shape) vs \(lq.shape)")
        let (count, rows) = (lp.count, lp.rowCount)
        let loss = lp.data.withUnsafeBufferPointer { pp in
            lq.data.withUnsafeBufferPointer { klDivergenceForward(logP: pp.baseAddress!, logQ: $0.baseAddress!, count: count, rows: rows) }
        }
        return record(Tensor(shape: [], data: [loss]), from: [logP, logQ]) { [unowned self] result in
            let dLoss = outputGradient(result)[0]
            lp.data.withUnsafeBufferPointer { pp in
                lq.data.withUnsafeBufferPointer { qp in
                    accumulateGradient(logP) { d in
                        klDivergenceBackward(
                            dLogP: d.baseAddress!, dLogQ: nil, dLoss: dLoss, logP: pp.baseAddress!, logQ: qp.baseAddress!, count: count,
                            rows: rows)
                    }
                    accumulateGradient(logQ) { d in
                        klDivergenceBackward(
                            dLogP: nil, dLogQ: d.baseAddress!, dLoss: dLoss, logP: pp.baseAddress!, logQ: qp.baseAddress!, count: count,
                            rows: rows)
                    }
                }
            }
        }
    }
}
