import MPCLMath
import Randomness

/// A model ready to train or serve: configuration, parameters, and what it learned from the training
/// labels. Generic over the scalar so gradient checks run the very same code in Double.
public struct Model<S: Real>: Sendable {
    public var config: ModelConfig
    /// Trainable tensors. Changing them drops the inference cache, which `refreshInferenceCache()`
    /// rebuilds; until then inference recomputes the input-independent tensors, so it is never stale.
    public var parameters: ParameterSet<S> {
        didSet { inferenceCache = [:] }
    }
    public var labelStatistics: LabelStatistics
    /// Input-independent tensors (slot and prototype keys/values) computed once for inference.
    public private(set) var inferenceCache: [String: Tensor<S>] = [:]

    /// A freshly initialised model (seeded, reproducible).
    public init(config: ModelConfig, labelStatistics: LabelStatistics, seed: UInt64) throws(ConfigError) {
        let errors = config.validationErrors()
        guard errors.isEmpty else { throw ConfigError(errors.joined(separator: "; ")) }
        guard labelStatistics.mean.count == config.labels.count,
            labelStatistics.cooccurrence.count == config.labels.count * config.labels.count
        else { throw ConfigError("label statistics do not match \(config.labels.count) labels") }
        self.config = config
        self.labelStatistics = labelStatistics
        var initializer = Initializer(generator: SeededGenerator(seed: seed))
        var parameters = ParameterSet<S>()
        switch config.architecture {
        case .mpcl: MPCLNetwork.initialize(&parameters, config: config, labels: labelStatistics, using: &initializer)
        case .mlp: Baselines.initializeMLP(&parameters, config: config, using: &initializer)
        case .linear: Baselines.initializeLinear(&parameters, config: config, using: &initializer)
        case .mean: break
        }
        self.parameters = parameters
        refreshInferenceCache()
    }

    /// A model from stored parts (a checkpoint); shapes must match what `config` builds.
    public init(config: ModelConfig, parameters: ParameterSet<S>, labelStatistics: LabelStatistics) throws(ConfigError) {
        let reference = try Model(config: config, labelStatistics: labelStatistics, seed: 0)
        for expected in reference.parameters.slots {
            guard let position = parameters.position(of: expected.name) else { throw ConfigError("missing tensor '\(expected.name)'") }
            let shape = parameters.slots[position].shape
            guard shape == expected.shape else {
                throw ConfigError("tensor '\(expected.name)' has shape \(shape), the configuration needs \(expected.shape)")
            }
        }
        var ordered = ParameterSet<S>()
        for name in reference.parameters.names { ordered.add(name, parameters[name]) }
        self.config = config
        self.parameters = ordered
        self.labelStatistics = labelStatistics
        refreshInferenceCache()
    }

    /// Recomputes the input-independent keys and values after the parameters change.
    public mutating func refreshInferenceCache() {
        inferenceCache = config.architecture == .mpcl ? MPCLNetwork.inferenceCache(self) : [:]
    }

    /// What one forward pass produced.
    public struct Output {
        /// ln ŷ [B, C].
        public var logDistribution: Var
        /// The training loss, when targets were given.
        public var loss: Var?
        /// Where the parameters sit on the tape (their gradients after `backward`).
        public var parameters: ParameterBinding<S>
    }

    /// Runs the model on z-scored features [B, F]; with `targets` [B, C] also builds the loss, whose
    /// co-occurrence terms are scaled by `cooccurrenceWeight` (the 0→1 ramp of docs/MODEL.md).
    @_specialize(exported:true,where S == Float)
    public func forward(_ tape: Tape<S>, features: Tensor<S>, targets: Tensor<S>? = nil, cooccurrenceWeight: S = 1) -> Output {
        precondition(
            features.shape.count == 2 && features.shape[1] == config.layout.featureCount,
            "features must be [B, \(config.layout.featureCount)]")
        let binding = ParameterBinding(tape: tape, parameters: parameters)
        let (logDistribution, loss): (Var, Var?)
        switch config.architecture {
        case .mpcl:
            (logDistribution, loss) = MPCLNetwork(model: self, tape: tape, parameter: binding)
                .forward(features: features, targets: targets, cooccurrenceWeight: cooccurrenceWeight)
        case .mlp, .linear, .mean:
            (logDistribution, loss) = Baselines(model: self, tape: tape, parameter: binding).forward(features: features, targets: targets)
        }
        return Output(logDistribution: logDistribution, loss: loss, parameters: binding)
    }

    /// Distributions [B, C] for z-scored features [B, F], without recording anything.
    @_specialize(exported:true,where S == Float)
    public func distributions(features: Tensor<S>) -> Tensor<S> {
        let tape = Tape<S>(recording: false)
        let output = forward(tape, features: features)
        let logs = tape.value(output.logDistribution)
        return Tensor(shape: logs.shape, data: logs.data.map { S.exp($0) })
    }
}
