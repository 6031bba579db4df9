extension Tape {
    /// Per-group weighted sum of a shared bank: out[b, c, :] = Σ_k w[b, c, k] · bank[c, k, :], for
    /// w [B, C, K] and bank [C, K, d] → [B, C, d]. The prototype readout r_c = Σ_k αₖ P̂_{c,k}.
    /// Backward: dw[b,c,k] = dy[b,c,:]·bank[c,k,:]; dbank[c,k,:] += Σ_b w[b,c,k] dy[b,c,:].
    @inlinable public func groupedWeightedSum(_ w: Var, bank: Var) -> Var {
        let wv = values[w.id]
        let pv = values[bank.id]
        precondition(
            wv.shape.count == 3 && pv.shape.count == 3 && wv.shape[1] == pv.shape[0] && wv.shape[2] == pv.shape[1],
            "groupedWeightedSum: \(wv.shape), \(pv.shape)")
        let (batch, groups, members, width) = (wv.shape[0], wv.shape[1], wv.shape[2], pv.shape[2])
        var out = [S](repeating: 0, count: batch * groups * width)
        for b in 0..<batch {
            for c in 0..<groups {
                let o = (b * groups + c) * width
                for k in 0..<members {
                    let weight = wv.data[(b * groups + c) * members + k]
                    let p = (c * members + k) * width
                    for j in 0..<width { out[o + j] += weight * pv.data[p + j] }
                }
            }
        }
        return record(Tensor(shape: [batch, groups, width], data: out), from: [w, bank]) { [unowned self] result in
            let dy = outputGradient(result)
            accumulateGradient(w) { dw in
                for b in 0..<batch {
                    for c in 0..<groups {
                        let o = (b * groups + c) * width
                        for k in 0..<members {
                            let p = (c * members + k) * width
                            var dot: S = 0
                            for j in 0..<width { dot += dy[o + j] * pv.data[p + j] }
                            dw[(b * groups + c) * members + k] += dot
                        }
                    }
                }
            }
            accumulateGradient(bank) { dp in
                for b in 0..<batch {
                    for c in 0..<groups {
                        let o = (b * groups + c) * width
                        for k in 0..<members {
                            let weight = wv.data[(b * groups + c) * members + k]
                            let p = (c * members + k) * width
                            for j in 0..<width { dp[p + j] += weight * dy[o + j] }
                        }
                    }
                }
            }
        }
    }

    /// Modern Hopfield retrieval (attention) at inverse temperature β:
    /// Z = softmax(β · Q Kᵀ) V for Q [B, n, d], K and V [B, m, d] → [B, n, d].
    @inlinable public func hopfieldRetrieval(queries: Var, keys: Var, values v: Var, beta: S) -> Var {
        let scores = batchedMatmul(queries, keys, transposeB: true)
        return batchedMatmul(softmax(scores, beta: beta), v, transposeB: false)
    }
}
