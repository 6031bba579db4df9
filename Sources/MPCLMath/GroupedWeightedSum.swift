/// Per-group weighted sum of a shared bank: out[b, c, :] = Σ_k w[b, c, k] · bank[c, k, :], for
/// w [B, C, K] and bank [C, K, d] → out [B, C, d]. The prototype readout r_c = Σ_k αₖ P̂_{c,k}.
@inlinable public func groupedWeightedSumForward<S: Real>(
    _ out: UnsafeMutablePointer<S>, _ w: UnsafePointer<S>, bank: UnsafePointer<S>, batch: Int, groups: Int, members: Int, width: Int
) {
    for b in 0..<batch {
        for c in 0..<groups {
            let o = (b * groups + c) * width
            for j in 0..<width { out[o + j] = 0 }
            for k in 0..<members {
                let weight = w[(b * groups + c) * members + k]
                let p = (c * members + k) * width
                for j in 0..<width { out[o + j] += weight * bank[p + j] }
            }
        }
    }
}

/// Gradient of `groupedWeightedSumForward`, accumulated (either gradient may be nil):
/// dw[b, c, k] += dOut[b, c, :] · bank[c, k, :]; dBank[c, k, :] += Σ_b w[b, c, k] dOut[b, c, :].
@inlinable public func groupedWeightedSumBackward<S: Real>(
    dw: UnsafeMutablePointer<S>?, dBank: UnsafeMutablePointer<S>?, dOut: UnsafePointer<S>, w: UnsafePointer<S>,
    bank: UnsafePointer<S>, batch: Int, groups: Int, members: Int, width: Int
) {
    for b in 0..<batch {
        for c in 0..<groups {
            let o = (b * groups + c) * width
            for k in 0..<members {
                let p = (c * members + k) * width
                if let dw {
                    var dot: S = 0
                    for j in 0..<width { dot += dOut[o + j] * bank[p + j] }
                    dw[(b * groups + c) * members + k] += dot
                }
                if let dBank {
                    let weight = w[(b * groups + c) * members + k]
                    for j in 0..<width { dBank[p + j] += weight * dOut[o + j] }
                }
            }
        }
    }
}

extension Tape {
    /// Per-group weighted sum of a shared bank (`groupedWeightedSumForward`): w [B, C, K] and
    /// bank [C, K, d] → [B, C, d].
    @inlinable public func groupedWeightedSum(_ w: Var, bank: Var) -> Var {
        let wv = values[w.id]
        let pv = values[bank.id]
        precondition(
            wv.shape.count == 3 && pv.shape.count == 3 && wv.shape[1] == pv.shape[0] && wv.shape[2] == pv.shape[1],
            "groupedWeightedSum: \(wv.shape), \(pv.shape)")
        let (batch, groups, members, width) = (wv.shape[0], wv.shape[1], wv.shape[2], pv.shape[2])
        let out: [S] = uninitializedArray(batch * groups * width) { o in
            wv.data.withUnsafeBufferPointer { wp in
                pv.data.withUnsafeBufferPointer {
                    groupedWeightedSumForward(
                        o, wp.baseAddress!, bank: $0.baseAddress!, batch: batch, groups: groups, members: members, width: width)
                }
            }
        }
        return record(Tensor(shape: [batch, groups, width], data: out), from: [w, bank]) { [unowned self] result in
            let dy = outputGradient(result)
            dy.withUnsafeBufferPointer { dyp in
                wv.data.withUnsafeBufferPointer { wp in
                    pv.data.withUnsafeBufferPointer { pp in
                        accumulateGradient(w) { dw in
                            groupedWeightedSumBackward(
                                dw: dw.baseAddress!, dBank: nil, dOut: dyp.baseAddress!, w: wp.baseAddress!, bank: pp.baseAddress!,
                                batch: batch, groups: groups, members: members, width: width)
                        }
                        accumulateGradient(bank) { dp in
                            groupedWeightedSumBackward(
                                dw: nil, dBank: dp.baseAddress!, dOut: dyp.baseAddress!, w: wp.baseAddress!, bank: pp.baseAddress!,
                                batch: batch, groups: groups, members: members, width: width)
                        }
                    }
                }
            }
        }
    }
}
