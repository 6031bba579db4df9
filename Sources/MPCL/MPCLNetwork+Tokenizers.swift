import MPCLMath

/// Step 1 of docs/MODEL.md: every modality becomes a sequence of d-wide tokens.
struct StreamTokens {
    /// EEG channel tokens [B, channels, d].
    var eeg: Var
    /// Peripheral tokens [B, groups·n_p, d].
    var peripheral: Var
    /// Face plane tokens [B, planes, d].
    var face: Var
    /// Global physiological token [B, 1, d].
    var globalPhys: Var
    /// Global behavioural token [B, 1, d].
    var globalBeh: Var
}

extension MPCLNetwork {
    static func initializeTokenizers(_ p: inout ParameterSet<S>, config: ModelConfig, using initializer: inout Initializer) {
        let layout = config.layout
        let d = config.width
        initializer.linear(&p, "tokenizer.eeg", in: layout.eegBands, out: d)
        p.add("tokenizer.eeg.channel_embedding", initializer.normal([layout.eegChannels, d], std: 0.02))
        for group in layout.peripheralGroups {
            initializer.linear(&p, "tokenizer.peripheral.\(group.name)", in: group.dims, out: config.tokensPerGroup * d)
            p.add("tokenizer.peripheral.\(group.name).embedding", initializer.normal([d], std: 0.02))
        }
        initializer.linear(&p, "tokenizer.face", in: layout.faceBins, out: d)
        p.add("tokenizer.face.plane_embedding", initializer.normal([layout.facePlanes, d], std: 0.02))
        initializer.linear(&p, "tokenizer.global_phys", in: layout.physiologicalDims, out: d)
        initializer.linear(&p, "tokenizer.global_beh", in: layout.faceDims, out: d)
    }

    /// Columns `range` of every row of `features` [B, F], as a constant of shape `shape`.
    func columns(_ features: Tensor<S>, _ range: Range<Int>, shape: [Int]) -> Var {
        let batch = features.shape[0]
        let width = features.shape[1]
        var data: [S] = []
        data.reserveCapacity(batch * range.count)
        features.data.withUnsafeBufferPointer { buffer in
            for b in 0..<batch { data.append(contentsOf: buffer[(b * width + range.lowerBound)..<(b * width + range.upperBound)]) }
        }
        return tape.constant(Tensor(shape: shape, data: data))
    }

    func tokenize(_ features: Tensor<S>) -> StreamTokens {
        let layout = config.layout
        let batch = features.shape[0]
        let eegInput = columns(features, layout.eegRange, shape: [batch, layout.eegChannels, layout.eegBands])
        let eeg = tape.add(linear(eegInput, "tokenizer.eeg"), parameter("tokenizer.eeg.channel_embedding"))
        var groups: [Var] = []
        for (index, group) in layout.peripheralGroups.enumerated() {
            let input = columns(features, layout.peripheralGroupRange(index), shape: [batch, group.dims])
            let projected = tape.reshape(linear(input, "tokenizer.peripheral.\(group.name)"), [batch, config.tokensPerGroup, d])
            groups.append(tape.add(projected, parameter("tokenizer.peripheral.\(group.name).embedding")))
        }
        let peripheral = groups.count == 1 ? groups[0] : tape.concatTokens(groups, batch: batch)
        let faceInput = columns(features, layout.faceRange, shape: [batch, layout.facePlanes, layout.faceBins])
        let face = tape.add(linear(faceInput, "tokenizer.face"), parameter("tokenizer.face.plane_embedding"))
        let physInput = columns(features, 0..<layout.physiologicalDims, shape: [batch, layout.physiologicalDims])
        let globalPhys = tape.reshape(linear(physInput, "tokenizer.global_phys"), [batch, 1, d])
        let behInput = columns(features, layout.faceRange, shape: [batch, layout.faceDims])
        let globalBeh = tape.reshape(linear(behInput, "tokenizer.global_beh"), [batch, 1, d])
        return StreamTokens(eeg: eeg, peripheral: peripheral, face: face, globalPhys: globalPhys, globalBeh: globalBeh)
    }

    /// The no-MSAM ablation: z_phys = mean of [T_e ; g_phys ; T_p], z_beh = mean of [T_f ; g_beh].
    func poolTokens(_ tokens: StreamTokens) -> (Var, Var) {
        let batch = tape.shape(tokens.eeg)[0]
        let phys = tape.concatTokens([tokens.eeg, tokens.globalPhys, tokens.peripheral], batch: batch)
        let beh = tape.concatTokens([tokens.face, tokens.globalBeh], batch: batch)
        return (tape.meanTokens(phys), tape.meanTokens(beh))
    }
}
