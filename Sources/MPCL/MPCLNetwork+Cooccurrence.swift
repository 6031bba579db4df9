import MPCLMath

/// What co-occurrence retrieval and association yield (docs/MODEL.md step 6).
struct Association {
    /// Q² [B, C, d].
    var output: Var
    /// L_co = mean_c KL(Ĉ_c ‖ A_c) over c′ ≠ c.
    var cooccurrenceLoss: Var
    /// L_val = mean_c Σ_{c′ of other valence} A_{cc′}.
    var valenceLoss: Var
}

extension MPCLNetwork {
    static func initializeCooccurrence(_ p: inout ParameterSet<S>, config: ModelConfig, using initializer: inout Initializer) {
        let d = config.width
        if config.modules.prototypes {
            for projection in ["query", "key", "value"] {
                initializer.linear(&p, "cooccurrence.retrieval.\(projection)", in: d, out: d, bias: false)
            }
            initializer.layerNorm(&p, "cooccurrence.retrieval_norm", width: d)
        }
        initializer.linear(&p, "cooccurrence.association.left", in: d, out: d, bias: false)
        initializer.linear(&p, "cooccurrence.association.right", in: d, out: d, bias: false)
        p.add("cooccurrence.temperature", Tensor(zeros: [1]))
        p.add("cooccurrence.valence_bias", Tensor(zeros: [1]))
        initializer.linear(&p, "cooccurrence.propagate", in: d, out: d)
        initializer.layerNorm(&p, "cooccurrence.norm", width: d)
    }

    /// Keys and values of all 2·C·K normalised prototypes [2CK, d] (cached at inference).
    func prototypeProjections() -> (Var, Var) {
        func all() -> Var {
            let phys = tape.reshape(normalizedPrototypes("phys"), [1, C * K, d])
            let beh = tape.reshape(normalizedPrototypes("beh"), [1, C * K, d])
            return tape.reshape(tape.concatTokens([phys, beh], batch: 1), [2 * C * K, d])
        }
        let keys = shared("cooccurrence.prototype_keys") { linear(all(), "cooccurrence.retrieval.key", bias: false) }
        let values = shared("cooccurrence.prototype_values") { linear(all(), "cooccurrence.retrieval.value", bias: false) }
        return (keys, values)
    }

    /// S_{cc′} = +1 for the same valence, −1 otherwise.
    var valencePattern: Tensor<S> {
        let valence = config.labels.valence
        return Tensor(shape: [C, C], data: (0..<(C * C)).map { S(valence[$0 / C] == valence[$0 % C] ? 1 : -1) })
    }

    /// −∞ on the diagonal, 0 elsewhere: an emotion does not associate with itself.
    var diagonalMask: Tensor<S> {
        Tensor(shape: [C, C], data: (0..<(C * C)).map { $0 / C == $0 % C ? -S.infinity : 0 })
    }

    /// Retrieval over the prototypes, Q¹ = LN(Q⁰ + Drop(softmax((Q⁰U_q)(P̂U_k)ᵀ/√d)(P̂U_v))) (identity
    /// without prototypes), then association
    /// a_{cc′} = e^t (Q¹W₁)_c·(Q¹W₂)_{c′}/√d + b·S_{cc′}, a_{cc} = −∞, A = softmax_row(a),
    /// and propagation Q² = LN(Q¹ + Drop(W_a (A Q¹))).
    func cooccurrence(_ queries: Var, batch: Int) -> Association {
        let inverseRoot = S(1 / Double(d).squareRoot())
        var q1 = queries
        if config.modules.prototypes {
            let (keys, values) = prototypeProjections()
            let scores = tape.matmul(linear(queries, "cooccurrence.retrieval.query", bias: false), keys, transposeB: true)
            let retrieved = tape.matmul(tape.softmax(scores, beta: inverseRoot), values, transposeB: false)
            q1 = layerNorm(tape.add(queries, tape.dropout(retrieved, probability: dropout)), "cooccurrence.retrieval_norm")
        }
        let left = linear(q1, "cooccurrence.association.left", bias: false)
        let right = linear(q1, "cooccurrence.association.right", bias: false)
        let affinity = tape.scaleByExp(
            tape.scale(tape.batchedMatmul(left, right, transposeB: true), by: inverseRoot), parameter("cooccurrence.temperature"))
        let biased = tape.addScaledPattern(affinity, pattern: valencePattern, scale: parameter("cooccurrence.valence_bias"))
        let logAssociation = tape.logSoftmax(tape.add(biased, tape.constant(diagonalMask)))
        let association = tape.exp(logAssociation)
        let propagated = linear(tape.batchedMatmul(association, q1, transposeB: false), "cooccurrence.propagate")
        let q2 = layerNorm(tape.add(q1, tape.dropout(propagated, probability: dropout)), "cooccurrence.norm")

        var target = [S]()
        target.reserveCapacity(batch * C * C)
        let rowTarget = model.labelStatistics.cooccurrence.map { S($0) }
        for _ in 0..<batch { target.append(contentsOf: rowTarget) }
        let cooccurrenceLoss = tape.klDivergence(target: Tensor(shape: [batch, C, C], data: target), logQ: logAssociation)
        let otherValence = Tensor<S>(shape: [C, C], data: valencePattern.data.map { $0 < 0 ? S(1) : S(0) })
        let valenceLoss = tape.weightedMean(association, weights: otherValence, rows: batch * C)
        return Association(output: q2, cooccurrenceLoss: cooccurrenceLoss, valenceLoss: valenceLoss)
    }
}
