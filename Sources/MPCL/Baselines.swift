import MPCLMath

/// The baselines MPCL is compared with, behind the same `Model` interface (docs/MODEL.md).
struct Baselines<S: Real> {
    let model: Model<S>
    let tape: Tape<S>
    let parameter: ParameterBinding<S>

    static func initializeMLP(_ parameters: inout ParameterSet<S>, config: ModelConfig, using initializer: inout Initializer) {
        let features = config.layout.featureCount
        initializer.linear(&parameters, "mlp.fc1", in: features, out: config.mlpHidden)
        initializer.linear(&parameters, "mlp.fc2", in: config.mlpHidden, out: config.mlpHidden)
        initializer.linear(&parameters, "mlp.fc3", in: config.mlpHidden, out: config.labels.count)
    }

    static func initializeLinear(_ parameters: inout ParameterSet<S>, config: ModelConfig, using initializer: inout Initializer) {
        initializer.linear(&parameters, "linear", in: config.layout.featureCount, out: config.labels.count)
    }

    func forward(features: Tensor<S>, targets: Tensor<S>?) -> (Var, Var?) {
        let x = tape.constant(features)
        let logits: Var
        switch model.config.architecture {
        case .mlp:
            let p = S(model.config.mlpDropout)
            let h1 = tape.dropout(
                tape.gelu(tape.linear(x, weight: parameter("mlp.fc1.weight"), bias: parameter("mlp.fc1.bias"))), probability: p)
            let h2 = tape.dropout(
                tape.gelu(tape.linear(h1, weight: parameter("mlp.fc2.weight"), bias: parameter("mlp.fc2.bias"))), probability: p)
            logits = tape.linear(h2, weight: parameter("mlp.fc3.weight"), bias: parameter("mlp.fc3.bias"))
        case .linear:
            logits = tape.linear(x, weight: parameter("linear.weight"), bias: parameter("linear.bias"))
        default:
            let batch = features.shape[0]
            let logMean = model.labelStatistics.mean.map { S(LibM.log(max($0, 1e-12))) }
            logits = tape.constant(Tensor(shape: [batch, logMean.count], data: Array((0..<batch).map { _ in logMean }.joined())))
        }
        let logDistribution = tape.logSoftmax(logits)
        var loss: Var? = nil
        if let targets, model.config.architecture != .mean {
            loss = tape.klDivergence(target: targets, logQ: logDistribution)
        }
        return (logDistribution, loss)
    }
}
