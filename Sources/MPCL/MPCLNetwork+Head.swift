import MPCLMath

extension MPCLNetwork {
    static func initializeHead(
        _ p: inout ParameterSet<S>, config: ModelConfig, labels: LabelStatistics, using initializer: inout Initializer
    ) {
        let d = config.width
        if config.modules.compression {
            initializer.linear(&p, "head.compress1", in: d, out: d / 2)
            initializer.layerNorm(&p, "head.norm1", width: d / 2)
            initializer.linear(&p, "head.compress2", in: d / 2, out: d / 4)
            initializer.layerNorm(&p, "head.norm2", width: d / 4)
            initializer.linear(&p, "head.out", in: d / 4, out: 1)
        } else {
            initializer.linear(&p, "head.out", in: d, out: 1)
        }
        p.add("head.label_bias", Tensor(shape: [config.labels.count], data: labels.initialHeadBias.map { S($0) }))
    }

    /// Hierarchical semantic compression shared across emotions,
    /// Linear(d→d/2)+GELU+LN → Linear(d/2→d/4)+GELU+LN → Linear(d/4→1), one logit per emotion,
    /// plus the per-emotion bias h: ln ŷ = log softmax(logits + h). Without compression: Linear(d→1) + h.
    func head(_ queries: Var, batch: Int) -> Var {
        var x = queries
        if config.modules.compression {
            x = layerNorm(tape.gelu(linear(x, "head.compress1")), "head.norm1")
            x = layerNorm(tape.gelu(linear(x, "head.compress2")), "head.norm2")
        }
        let logits = tape.reshape(linear(x, "head.out"), [batch, C])
        return tape.logSoftmax(tape.add(logits, parameter("head.label_bias")))
    }
}
