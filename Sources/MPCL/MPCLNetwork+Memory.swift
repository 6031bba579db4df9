import MPCLMath

/// The four MSAM blocks of docs/MODEL.md step 2, each with its own weights.
enum MemoryBlock: CaseIterable {
    case physiological, behavioural, crossPhysiological, crossBehavioural

    var prefix: String {
        switch self {
        case .physiological: return "msam.phys"
        case .behavioural: return "msam.beh"
        case .crossPhysiological: return "msam.cross_phys"
        case .crossBehavioural: return "msam.cross_beh"
        }
    }

    /// The learned slot store it reads: the two cross blocks share one.
    var slots: String {
        switch self {
        case .physiological: return "msam.phys.slots"
        case .behavioural: return "msam.beh.slots"
        case .crossPhysiological, .crossBehavioural: return "msam.cross.slots"
        }
    }
}

extension MPCLNetwork {
    static func initializeMemory(_ p: inout ParameterSet<S>, config: ModelConfig, using initializer: inout Initializer) {
        let d = config.width
        for stores in ["msam.phys.slots", "msam.beh.slots", "msam.cross.slots"] {
            p.add(stores, initializer.normal([config.slots, d], std: 0.1))
        }
        for block in MemoryBlock.allCases {
            for projection in ["query", "key", "value"] {
                initializer.linear(&p, "\(block.prefix).\(projection)", in: d, out: d, bias: false)
            }
            initializer.linear(&p, "\(block.prefix).out", in: config.memoryScales.count * d, out: d)
            initializer.layerNorm(&p, "\(block.prefix).norm1", width: d)
            initializer.linear(&p, "\(block.prefix).ffn1", in: d, out: 2 * d)
            initializer.linear(&p, "\(block.prefix).ffn2", in: 2 * d, out: d)
            initializer.layerNorm(&p, "\(block.prefix).norm2", width: d)
        }
    }

    /// Keys and values of a block's slots [m, d]: input-independent, so cached at inference.
    func slotProjections(_ block: MemoryBlock) -> (Var, Var) {
        let keys = shared(block.prefix + ".slot_keys") { linear(parameter(block.slots), block.prefix + ".key", bias: false) }
        let values = shared(block.prefix + ".slot_values") { linear(parameter(block.slots), block.prefix + ".value", bias: false) }
        return (keys, values)
    }

    /// One MSAM block: modern Hopfield retrieval of states R [B, n, d] against stored patterns
    /// Y = [context ; slots] at each inverse temperature β_s = scale_s / √d, sharing W_q, W_k, W_v:
    /// Z_s = softmax(β_s (R W_q)(Y W_k)ᵀ)(Y W_v);
    /// F = LN(R + Drop(W_o [Z_1 ‖ … ‖ Z_S])); H = LN(F + Drop(W_2 Drop(GELU(W_1 F)))).
    func memoryBlock(_ block: MemoryBlock, states: Var, context: Var, batch: Int) -> Var {
        let prefix = block.prefix
        let queries = linear(states, prefix + ".query", bias: false)
        let (slotKeys, slotValues) = slotProjections(block)
        let keys = tape.concatTokens([linear(context, prefix + ".key", bias: false), slotKeys], batch: batch)
        let values = tape.concatTokens([linear(context, prefix + ".value", bias: false), slotValues], batch: batch)
        let scores = tape.batchedMatmul(queries, keys, transposeB: true)
        let inverseRoot = 1 / Double(d).squareRoot()
        let retrieved = config.memoryScales.map { scale in
            tape.batchedMatmul(tape.softmax(scores, beta: S(scale * inverseRoot)), values, transposeB: false)
        }
        let mixed = linear(retrieved.count == 1 ? retrieved[0] : tape.concatLast(retrieved), prefix + ".out")
        let fused = layerNorm(tape.add(states, tape.dropout(mixed, probability: dropout)), prefix + ".norm1")
        let hidden = tape.dropout(tape.gelu(linear(fused, prefix + ".ffn1")), probability: dropout)
        let feedForward = tape.dropout(linear(hidden, prefix + ".ffn2"), probability: dropout)
        return layerNorm(tape.add(fused, feedForward), prefix + ".norm2")
    }

    /// Multi-scale associative-memory fusion: within-stream blocks, then the two cross blocks in
    /// parallel on their outputs; each stream's rows are mean-pooled to z_phys, z_beh [B, d].
    func fuse(_ tokens: StreamTokens, batch: Int) -> (Var, Var) {
        let physStates = tape.concatTokens([tokens.eeg, tokens.globalPhys], batch: batch)
        let behStates = tape.concatTokens([tokens.face, tokens.globalBeh], batch: batch)
        let physContext = tape.concatTokens([physStates, tokens.peripheral], batch: batch)
        let hPhys = memoryBlock(.physiological, states: physStates, context: physContext, batch: batch)
        let hBeh = memoryBlock(.behavioural, states: behStates, context: behStates, batch: batch)
        let crossPhys = memoryBlock(.crossPhysiological, states: hPhys, context: hBeh, batch: batch)
        let crossBeh = memoryBlock(.crossBehavioural, states: hBeh, context: hPhys, batch: batch)
        return (tape.meanTokens(crossPhys), tape.meanTokens(crossBeh))
    }
}
