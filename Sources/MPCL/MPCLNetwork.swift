import MPCLMath

/// The MPCL forward pass of docs/MODEL.md (revision 2), bottom-up: tokenisers → MSAM fusion → prototype
/// banks and relation distillation → per-emotion queries → co-occurrence retrieval and association →
/// hierarchical compression and the softmax head. Each stage lives in its own file as an extension.
///
/// Shapes: B windows, C emotions, K prototypes per emotion, d model width.
struct MPCLNetwork<S: Real> {
    let model: Model<S>
    let tape: Tape<S>
    /// Whether input-independent tensors come from the model's inference cache.
    let usesCache: Bool

    /// The parameters' tape entries.
    let parameter: ParameterBinding<S>

    init(model: Model<S>, tape: Tape<S>, parameter: ParameterBinding<S>, usesCache: Bool = true) {
        self.model = model
        self.tape = tape
        self.parameter = parameter
        self.usesCache = usesCache && !tape.isRecording && !tape.isTraining
    }

    var config: ModelConfig { model.config }
    var d: Int { config.width }
    var C: Int { config.labels.count }
    var K: Int { config.prototypesPerEmotion }
    var dropout: S { S(config.dropout) }

    /// An input-independent tensor: from the cache at inference, computed (differentiably) otherwise.
    func shared(_ key: String, _ compute: () -> Var) -> Var {
        if usesCache, let cached = model.inferenceCache[key] { return tape.constant(cached) }
        return compute()
    }

    func linear(_ x: Var, _ name: String, bias: Bool = true) -> Var {
        tape.linear(x, weight: parameter(name + ".weight"), bias: bias ? parameter(name + ".bias") : nil)
    }

    func layerNorm(_ x: Var, _ name: String) -> Var {
        tape.layerNorm(x, gain: parameter(name + ".weight"), bias: parameter(name + ".bias"))
    }

    static func initialize(_ p: inout ParameterSet<S>, config: ModelConfig, labels: LabelStatistics, using initializer: inout Initializer) {
        initializeTokenizers(&p, config: config, using: &initializer)
        if config.modules.msam { initializeMemory(&p, config: config, using: &initializer) }
        initializePrototypesAndQueries(&p, config: config, using: &initializer)
        if config.modules.cooccurrence { initializeCooccurrence(&p, config: config, using: &initializer) }
        initializeHead(&p, config: config, labels: labels, using: &initializer)
    }

    /// Every input-independent tensor the inference path reuses, computed once.
    static func inferenceCache(_ model: Model<S>) -> [String: Tensor<S>] {
        let tape = Tape<S>(recording: false)
        let network = MPCLNetwork(
            model: model, tape: tape, parameter: ParameterBinding(tape: tape, parameters: model.parameters), usesCache: false)
        var cache: [String: Tensor<S>] = [:]
        for (key, value) in network.sharedTensors() { cache[key] = tape.value(value) }
        return cache
    }

    func forward(features: Tensor<S>, targets: Tensor<S>?, cooccurrenceWeight: S) -> (Var, Var?) {
        let batch = features.shape[0]
        let tokens = tokenize(features)
        let (zPhys, zBeh) = config.modules.msam ? fuse(tokens, batch: batch) : poolTokens(tokens)
        var losses: [(Var, S)] = []
        let queries: Var
        if config.modules.prototypes {
            let phys = prototypeStream(zPhys, stream: "phys")
            let beh = prototypeStream(zBeh, stream: "beh")
            queries = emotionQueries(zPhys: zPhys, zBeh: zBeh, readouts: (phys.readout, beh.readout))
            if let targets {
                losses.append((tape.klDivergence(target: targets, logQ: phys.logPrediction), 0.5))
                losses.append((tape.klDivergence(target: targets, logQ: beh.logPrediction), 0.5))
                let distillation = tape.weightedSum([
                    (tape.klDivergence(logP: beh.logAssignment, logQ: phys.logAssignment), 0.5),
                    (tape.klDivergence(logP: phys.logAssignment, logQ: beh.logAssignment), 0.5),
                ])
                losses.append((distillation, 1))
            }
        } else {
            queries = emotionQueries(zPhys: zPhys, zBeh: zBeh, readouts: nil)
        }
        var headInput = queries
        if config.modules.cooccurrence {
            let association = cooccurrence(queries, batch: batch)
            headInput = association.output
            if targets != nil {
                losses.append((association.cooccurrenceLoss, 0.1 * cooccurrenceWeight))
                losses.append((association.valenceLoss, 0.1 * cooccurrenceWeight))
            }
        }
        let logDistribution = head(headInput, batch: batch)
        guard let targets else { return (logDistribution, nil) }
        losses.insert((tape.klDivergence(target: targets, logQ: logDistribution), 1), at: 0)
        return (logDistribution, tape.weightedSum(losses))
    }

    /// The tensors `shared(_:_:)` may serve from the cache.
    func sharedTensors() -> [(String, Var)] {
        var result: [(String, Var)] = []
        if config.modules.msam {
            for block in MemoryBlock.allCases {
                let (keys, values) = slotProjections(block)
                result.append((block.prefix + ".slot_keys", keys))
                result.append((block.prefix + ".slot_values", values))
            }
        }
        if config.modules.prototypes {
            for stream in ["phys", "beh"] { result.append(("prototypes.\(stream).normalized", normalizedPrototypes(stream))) }
            if config.modules.cooccurrence {
                let (keys, values) = prototypeProjections()
                result.append(("cooccurrence.prototype_keys", keys))
                result.append(("cooccurrence.prototype_values", values))
            }
        }
        return result
    }
}
