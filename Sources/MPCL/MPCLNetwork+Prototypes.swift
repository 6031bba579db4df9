import MPCLMath

/// What one stream's prototype bank yields (docs/MODEL.md steps 3–4).
struct PrototypeStream {
    /// R_stream [B, C, d]: per-emotion readout of the bank.
    var readout: Var
    /// ln ŷ_stream [B, C] = log softmax_c(logsumexp_k s_{c,k}): the prototype-label head.
    var logPrediction: Var
    /// ln q_stream [B, C·K]: log softmax over all similarities, for relation distillation.
    var logAssignment: Var
}

extension MPCLNetwork {
    static func initializePrototypesAndQueries(_ p: inout ParameterSet<S>, config: ModelConfig, using initializer: inout Initializer) {
        let d = config.width
        let classes = config.labels.count
        if config.modules.prototypes {
            for stream in ["phys", "beh"] {
                p.add("prototypes.\(stream)", initializer.normal([classes, config.prototypesPerEmotion, d], std: 1))
            }
        }
        p.add("queries.label_embedding", initializer.normal([classes, d], std: 1))
        if config.modules.prototypes { initializer.linear(&p, "queries.readout", in: 2 * d, out: d) }
        initializer.linear(&p, "queries.pooled", in: 2 * d, out: d)
        initializer.layerNorm(&p, "queries.norm", width: d)
    }

    /// P̂: the bank's prototypes L2-normalised, [C·K, d] (input-independent: cached at inference).
    func normalizedPrototypes(_ stream: String) -> Var {
        shared("prototypes.\(stream).normalized") {
            tape.l2Normalize(tape.reshape(parameter("prototypes.\(stream)"), [C * K, d]))
        }
    }

    /// s_{c,k} = cos(z, P̂_{c,k}) / τ; readout r_c = Σ_k softmax_k(s_{c,·}) P̂_{c,k}.
    func prototypeStream(_ z: Var, stream: String) -> PrototypeStream {
        let batch = tape.shape(z)[0]
        let bank = normalizedPrototypes(stream)
        let similarities = tape.scale(
            tape.matmul(tape.l2Normalize(z), bank, transposeB: true), by: S(1 / config.prototypeTemperature))
        let grouped = tape.reshape(similarities, [batch, C, K])
        let readout = tape.groupedWeightedSum(tape.softmax(grouped), bank: tape.reshape(bank, [C, K, d]))
        let logPrediction = tape.logSoftmax(tape.logSumExp(grouped))
        return PrototypeStream(readout: readout, logPrediction: logPrediction, logAssignment: tape.logSoftmax(similarities))
    }

    /// Q⁰ = LN(E + W_r [R_phys ‖ R_beh] + Drop(W_z [z_phys ‖ z_beh])) [B, C, d]; without prototypes
    /// Q⁰ = LN(E + Drop(W_z [z_phys ‖ z_beh])).
    func emotionQueries(zPhys: Var, zBeh: Var, readouts: (Var, Var)?) -> Var {
        let pooled = tape.dropout(linear(tape.concatLast([zPhys, zBeh]), "queries.pooled"), probability: dropout)
        var sum = tape.add(tape.repeatRows(pooled, copies: C), parameter("queries.label_embedding"))
        if let (phys, beh) = readouts {
            sum = tape.add(sum, linear(tape.concatLast([phys, beh]), "queries.readout"))
        }
        return layerNorm(sum, "queries.norm")
    }
}
