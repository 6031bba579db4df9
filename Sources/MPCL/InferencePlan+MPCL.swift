import MPCLMath

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// MPCL (docs/MODEL.md, revision 2, with every ablation switch) compiled for inference.
///
/// What differs from the tape, all algebraically exact:
/// - tokens are written straight into per-stream buffers ([T_e ; g_phys], T_p, [T_f ; g_beh]) by
///   BLAS calls whose output stride skips the other rows — no concatenation; token embeddings are
///   folded into the biases;
/// - each MSAM block projects its states once with the stacked [W_q ; W_k] (the cross blocks stack
///   their own W_q with the other cross block's W_k, since those read the same stream), the slots'
///   keys are precomputed, and the attention reads keys and values where they lie
///   (`KeyValueSegment`) in one fused kernel per block;
/// - the value projection is folded into the output projection: with Y the stored patterns
///   (context states and slots), W_o [Z_1 ‖ … ‖ Z_S] = Σ_s W_o,s P_s (Y W_vᵀ) = Σ_s (P_s Y)(W_o,s W_v)ᵀ,
///   so the attention sums the states themselves and W_o,s W_v is precomputed — no V is computed
///   (W_v has no bias; the weights of each softmax sum to 1);
/// - residuals and biases are written into the output first and the BLAS call accumulates onto
///   them (β = 1); LayerNorm and GELU run in place;
/// - the prototype readout's projection is folded into the bank: W_r [R_phys ‖ R_beh] =
///   Σ_stream Σ_k α_k (W_r,stream P̂_{c,k}), with W_r,stream P̂ precomputed; the retrieval query
///   projection is folded into the prototype keys: (Q U_qᵀ)(P̂U_k)ᵀ = Q (P̂ U_kᵀ U_q)ᵀ.
struct MPCLProgram {
    let d: Int
    let classes: Int
    let prototypesPerEmotion: Int
    let modules: ModuleSwitches
    let features: Int
    // Layout.
    let eegChannels: Int
    let eegBands: Int
    let physTokens: Int
    let peripheralTokens: Int
    let behTokens: Int
    let facePlanes: Int
    let faceBins: Int
    let faceStart: Int
    let groupStarts: [Int]
    // Tokenisers.
    let eegWeightTransposed: Int
    let eegRowBias: Int
    let peripheral: [Dense]
    let face: Dense
    let facePlaneBias: Int
    let globalPhys: Dense
    let globalBeh: Dense
    // MSAM.
    let memory: MemoryWeights?
    // Prototypes and queries.
    let inverseTemperature: Float
    /// The normalised prototype banks P̂ (physiological, behavioural) as packed layers (inputs d,
    /// outputs CK): every window's similarities to a bank are one packed matmul.
    let normalizedPrototypes: (Dense, Dense)?
    let projectedPrototypes: (Int, Int)
    let queryBase: Int
    let pooled: Dense
    let queryNorm: Norm
    // Co-occurrence.
    /// K′/√d as a packed layer (inputs d, outputs 2CK): the scores are one packed matmul.
    let retrievalKeys: Dense?
    /// Vᵀ as a packed layer (inputs 2CK, outputs d), accumulated onto Q⁰ (the residual).
    let retrievalValues: Dense?
    let retrievalNorm: Norm?
    let association: Dense?
    let associationFactor: Float
    let associationPattern: Int
    let propagate: Dense?
    let cooccurrenceNorm: Norm?
    // Head.
    let compress: (Dense, Norm, Dense, Norm)?
    let headWeight: Int
    let headInputs: Int
    let headBias: Int
    // Arena regions.
    let regions: Regions

    struct Norm {
        let gain: Int
        let bias: Int
    }

    struct Block {
        let slotKeyValues: Int
        let slots: Int
        let out: Dense
        let norm1: Norm
        let ffn1: Dense
        let ffn2: Dense
        let norm2: Norm
    }

    struct MemoryWeights {
        let physProjection: Dense
        let peripheralProjection: Dense
        let behProjection: Dense
        let crossPhysSideProjection: Dense
        let crossBehSideProjection: Dense
        let blocks: [Block]
        let betas: Int
        let scales: Int
    }

    struct Regions {
        let physStates: ArenaRegion
        let peripheral: ArenaRegion
        let behStates: ArenaRegion
        let projectedPhys: ArenaRegion
        let projectedBeh: ArenaRegion
        let peripheralKeys: ArenaRegion
        let hPhys: ArenaRegion
        let hBeh: ArenaRegion
        let crossPhys: ArenaRegion
        let crossBeh: ArenaRegion
        let retrieved: ArenaRegion
        let hidden: ArenaRegion
        let attentionScratch: ArenaRegion
        let pooledStreams: ArenaRegion
        let pooledProjection: ArenaRegion
        let similarities: ArenaRegion
        let queries: ArenaRegion
        let retrievalScores: ArenaRegion
        let leftRight: ArenaRegion
        let associationWeights: ArenaRegion
        let associated: ArenaRegion
        let compressed1: ArenaRegion
        let compressed2: ArenaRegion
    }

    init(_ model: Model<Float>, blob: inout WeightBlob, layout arena: inout ArenaLayout) {
        let config = model.config
        let p = model.parameters
        let cache = model.inferenceCache
        let layout = config.layout
        let d = config.width
        let C = config.labels.count
        let K = config.prototypesPerEmotion
        self.d = d
        classes = C
        prototypesPerEmotion = K
        modules = config.modules
        features = layout.featureCount
        eegChannels = layout.eegChannels
        eegBands = layout.eegBands
        physTokens = layout.eegChannels + 1
        peripheralTokens = layout.peripheralGroups.count * config.tokensPerGroup
        behTokens = layout.facePlanes + 1
        facePlanes = layout.facePlanes
        faceBins = layout.faceBins
        faceStart = layout.faceRange.lowerBound
        groupStarts = layout.peripheralGroups.indices.map { layout.peripheralGroupRange($0).lowerBound }
        func norm(_ name: String) -> Norm { Norm(gain: blob.add(p[name + ".weight"].data), bias: blob.add(p[name + ".bias"].data)) }
        func stacked(_ names: [String]) -> Dense {
            blob.dense(names.flatMap { p[$0 + ".weight"].data }, bias: nil, inputs: d, outputs: names.count * d)
        }

        // Tokenisers: EEG as Σ_band x·Wᵀ[band] (bands is small), biases with embeddings folded in.
        let eegWeight = p["tokenizer.eeg.weight"].data
        let bands = layout.eegBands
        eegWeightTransposed = blob.add((0..<(bands * d)).map { eegWeight[($0 % d) * bands + $0 / d] })
        let eegBias = p["tokenizer.eeg.bias"].data
        let channelEmbedding = p["tokenizer.eeg.channel_embedding"].data
        eegRowBias = blob.add((0..<(layout.eegChannels * d)).map { eegBias[$0 % d] + channelEmbedding[$0] })
        peripheral = layout.peripheralGroups.map { group in
            let name = "tokenizer.peripheral.\(group.name)"
            let bias = p[name + ".bias"].data
            let embedding = p[name + ".embedding"].data
            return blob.dense(
                p[name + ".weight"].data, bias: bias.indices.map { bias[$0] + embedding[$0 % d] }, inputs: group.dims,
                outputs: config.tokensPerGroup * d)
        }
        face = blob.dense(p["tokenizer.face.weight"].data, bias: nil, inputs: layout.faceBins, outputs: d)
        let faceBias = p["tokenizer.face.bias"].data
        let planeEmbedding = p["tokenizer.face.plane_embedding"].data
        facePlaneBias = blob.add((0..<(layout.facePlanes * d)).map { faceBias[$0 % d] + planeEmbedding[$0] })
        globalPhys = blob.dense(p, "tokenizer.global_phys")
        globalBeh = blob.dense(p, "tokenizer.global_beh")

        // MSAM: stacked projections, slot keys|values interleaved per row.
        let scales = config.memoryScales.count
        if config.modules.msam {
            func block(_ block: MemoryBlock) -> Block {
                let keys = cache[block.prefix + ".slot_keys"]!.data
                let values = p[block.slots].data  // the slots themselves: W_v is folded into W_o
                let slots = keys.count / d
                var interleaved: [Float] = []
                for row in 0..<slots {
                    interleaved.append(contentsOf: keys[(row * d)..<((row + 1) * d)])
                    interleaved.append(contentsOf: values[(row * d)..<((row + 1) * d)])
                }
                // W'_o = [W_o,1 W_v ‖ … ‖ W_o,S W_v], summed in Double.
                let out = p[block.prefix + ".out.weight"].data  // [d, S·d]
                let value = p[block.prefix + ".value.weight"].data  // [d, d]
                var folded = [Float](repeating: 0, count: out.count)
                for o in 0..<d {
                    for scale in 0..<scales {
                        for i in 0..<d {
                            var total = 0.0
                            for k in 0..<d { total += Double(out[o * scales * d + scale * d + k]) * Double(value[k * d + i]) }
                            folded[o * scales * d + scale * d + i] = Float(total)
                        }
                    }
                }
                return Block(
                    slotKeyValues: blob.add(interleaved), slots: slots,
                    out: blob.dense(folded, bias: p[block.prefix + ".out.bias"].data, inputs: scales * d, outputs: d),
                    norm1: norm(block.prefix + ".norm1"), ffn1: blob.dense(p, block.prefix + ".ffn1"),
                    ffn2: blob.dense(p, block.prefix + ".ffn2"), norm2: norm(block.prefix + ".norm2"))
            }
            let inverseRoot = 1 / Double(d).squareRoot()
            memory = MemoryWeights(
                physProjection: stacked(["msam.phys.query", "msam.phys.key"]),
                peripheralProjection: stacked(["msam.phys.key"]),
                behProjection: stacked(["msam.beh.query", "msam.beh.key"]),
                crossPhysSideProjection: stacked(["msam.cross_phys.query", "msam.cross_beh.key"]),
                crossBehSideProjection: stacked(["msam.cross_beh.query", "msam.cross_phys.key"]),
                blocks: MemoryBlock.allCases.map(block),
                betas: blob.add(config.memoryScales.map { Float($0 * inverseRoot) }), scales: scales)
        } else {
            memory = nil
        }

        // Prototypes and queries.
        inverseTemperature = Float(1 / config.prototypeTemperature)
        let labelEmbedding = p["queries.label_embedding"].data
        let pooledBias = p["queries.pooled.bias"].data
        var base = (0..<(C * d)).map { labelEmbedding[$0] + pooledBias[$0 % d] }
        pooled = blob.dense(p["queries.pooled.weight"].data, bias: nil, inputs: 2 * d, outputs: d)
        if config.modules.prototypes {
            let readout = p["queries.readout.weight"].data  // [d, 2d]
            let readoutBias = p["queries.readout.bias"].data
            for i in base.indices { base[i] += readoutBias[i % d] }
            func projected(_ bank: [Float], half: Int) -> [Float] {
                var out = [Float](repeating: 0, count: bank.count)
                for row in 0..<(bank.count / d) {
                    for o in 0..<d {
                        var total = 0.0
                        for i in 0..<d { total += Double(readout[o * 2 * d + half * d + i]) * Double(bank[row * d + i]) }
                        out[row * d + o] = Float(total)
                    }
                }
                return out
            }
            let phys = cache["prototypes.phys.normalized"]!.data
            let beh = cache["prototypes.beh.normalized"]!.data
            normalizedPrototypes = (
                blob.dense(phys, bias: nil, inputs: d, outputs: phys.count / d),
                blob.dense(beh, bias: nil, inputs: d, outputs: beh.count / d)
            )
            projectedPrototypes = (blob.add(projected(phys, half: 0)), blob.add(projected(beh, half: 1)))
        } else {
            normalizedPrototypes = nil
            projectedPrototypes = (0, 0)
        }
        queryBase = blob.add(base)
        queryNorm = norm("queries.norm")

        // Co-occurrence.
        if config.modules.cooccurrence {
            if config.modules.prototypes {
                let keys = cache["cooccurrence.prototype_keys"]!.data  // [2CK, d]
                let queryWeight = p["cooccurrence.retrieval.query.weight"].data  // U_q [d, d]
                let patterns = keys.count / d
                let inverseRoot = 1 / Double(d).squareRoot()
                var folded = [Float](repeating: 0, count: keys.count)
                for row in 0..<patterns {
                    for o in 0..<d {
                        var total = 0.0
                        for i in 0..<d { total += Double(keys[row * d + i]) * Double(queryWeight[i * d + o]) }
                        folded[row * d + o] = Float(total * inverseRoot)
                    }
                }
                retrievalKeys = blob.dense(folded, bias: nil, inputs: d, outputs: patterns)
                let values = cache["cooccurrence.prototype_values"]!.data  // V [2CK, d]
                retrievalValues = blob.dense(
                    (0..<(d * patterns)).map { values[($0 % patterns) * d + $0 / patterns] }, bias: nil, inputs: patterns, outputs: d)
                retrievalNorm = norm("cooccurrence.retrieval_norm")
            } else {
                retrievalKeys = nil
                retrievalValues = nil
                retrievalNorm = nil
            }
            association = stacked(["cooccurrence.association.left", "cooccurrence.association.right"])
            associationFactor = Float(1 / Double(d).squareRoot()) * Float.exp(p["cooccurrence.temperature"].data[0])
            let valenceBias = p["cooccurrence.valence_bias"].data[0]
            let valence = config.labels.valence
            associationPattern = blob.add(
                (0..<(C * C)).map { i in
                    i / C == i % C ? -Float.infinity : valenceBias * (valence[i / C] == valence[i % C] ? 1 : -1)
                })
            propagate = blob.dense(p, "cooccurrence.propagate")
            cooccurrenceNorm = norm("cooccurrence.norm")
        } else {
            retrievalKeys = nil
            retrievalValues = nil
            retrievalNorm = nil
            association = nil
            associationFactor = 0
            associationPattern = 0
            propagate = nil
            cooccurrenceNorm = nil
        }

        // Head: the output layer's bias folded into the per-emotion bias h.
        if config.modules.compression {
            compress = (blob.dense(p, "head.compress1"), norm("head.norm1"), blob.dense(p, "head.compress2"), norm("head.norm2"))
        } else {
            compress = nil
        }
        headWeight = blob.add(p["head.out.weight"].data)
        headInputs = p["head.out.weight"].shape[1]
        let outBias = p["head.out.bias"].data[0]
        headBias = blob.add(p["head.label_bias"].data.map { $0 + outBias })

        // Arena: per-window regions (and the attention's fixed scratch).
        let msam = config.modules.msam
        let widest = max(physTokens, behTokens)
        let slotCount = memory?.blocks.map(\.slots).max() ?? 0
        let mostKeys = physTokens + peripheralTokens + behTokens + slotCount
        func perWindow(_ floats: Int, _ needed: Bool = true) -> ArenaRegion { arena.perWindow(needed ? floats : 0) }
        regions = Regions(
            physStates: perWindow(physTokens * d), peripheral: perWindow(peripheralTokens * d), behStates: perWindow(behTokens * d),
            projectedPhys: perWindow(physTokens * 2 * d, msam), projectedBeh: perWindow(behTokens * 2 * d, msam),
            peripheralKeys: perWindow(peripheralTokens * d, msam),
            hPhys: perWindow(physTokens * d, msam), hBeh: perWindow(behTokens * d, msam),
            crossPhys: perWindow(physTokens * d, msam), crossBeh: perWindow(behTokens * d, msam),
            retrieved: perWindow(widest * scales * d, msam), hidden: perWindow(widest * 2 * d, msam),
            attentionScratch: arena.fixed(msam ? multiScaleRetrievalScratch(keys: mostKeys, width: d, scales: scales) : 0),
            pooledStreams: perWindow(2 * d), pooledProjection: perWindow(d),
            similarities: perWindow(2 * C * K, config.modules.prototypes), queries: perWindow(C * d),
            retrievalScores: perWindow(C * 2 * C * K, config.modules.cooccurrence && config.modules.prototypes),
            leftRight: perWindow(C * 2 * d, config.modules.cooccurrence),
            associationWeights: perWindow(C * C, config.modules.cooccurrence),
            associated: perWindow(C * d, config.modules.cooccurrence),
            compressed1: perWindow(C * (d / 2), config.modules.compression),
            compressed2: perWindow(C * (d / 4), config.modules.compression))
    }

    func run(_ context: PlanContext) {
        tokenize(context)
        if let memory { fuse(context, memory) } else { poolTokens(context) }
        emotionQueries(context)
        if modules.cooccurrence { cooccurrence(context) }
        head(context)
    }

    // MARK: - Step 1: tokenisers

    func tokenize(_ context: PlanContext) {
        let windows = context.windows
        let input = context.input
        let phys = context.buffer(regions.physStates)
        let eegWeight = context.weight(eegWeightTransposed)
        let eegBias = context.weight(eegRowBias)
        for b in 0..<windows {
            let x = input + b * features
            for c in 0..<eegChannels {
                let row = phys + (b * physTokens + c) * d
                row.update(from: eegBias + c * d, count: d)
                for k in 0..<eegBands {
                    let value = x[c * eegBands + k]
                    let weight = eegWeight + k * d
                    for j in 0..<d { row[j] += value * weight[j] }
                }
            }
        }
        context.affine(globalPhys, input, rows: windows, lda: features, into: phys + eegChannels * d, ldy: physTokens * d)
        let periph = context.buffer(regions.peripheral)
        var tokenOffset = 0
        for (index, layer) in peripheral.enumerated() {
            context.affine(
                layer, input + groupStarts[index], rows: windows, lda: features, into: periph + tokenOffset, ldy: peripheralTokens * d)
            tokenOffset += layer.outputs
        }
        let beh = context.buffer(regions.behStates)
        for plane in 0..<facePlanes {
            context.apply(
                face, input + faceStart + plane * faceBins, rows: windows, lda: features, into: beh + plane * d, ldy: behTokens * d,
                accumulate: false, bias: context.weight(facePlaneBias) + plane * d)
        }
        context.affine(globalBeh, input + faceStart, rows: windows, lda: features, into: beh + facePlanes * d, ldy: behTokens * d)
    }

    /// The no-MSAM ablation: z_phys = mean of [T_e ; g_phys ; T_p], z_beh = mean of [T_f ; g_beh].
    func poolTokens(_ context: PlanContext) {
        let z = context.buffer(regions.pooledStreams)
        for b in 0..<context.windows {
            let phys = z + b * 2 * d
            meanRows(
                context.buffer(regions.physStates) + b * physTokens * d, physTokens,
                then: context.buffer(regions.peripheral) + b * peripheralTokens * d, peripheralTokens, into: phys)
            meanRows(context.buffer(regions.behStates) + b * behTokens * d, behTokens, into: phys + d)
        }
    }

    /// out = the mean of `n` rows (d wide) followed by `m` more rows, summed in order.
    @inline(__always) func meanRows(
        _ rows: UnsafeMutablePointer<Float>, _ n: Int, then more: UnsafeMutablePointer<Float>? = nil, _ m: Int = 0,
        into out: UnsafeMutablePointer<Float>
    ) {
        out.update(repeating: 0, count: d)
        for t in 0..<n {
            let row = rows + t * d
            for j in 0..<d { out[j] += row[j] }
        }
        if let more {
            for t in 0..<m {
                let row = more + t * d
                for j in 0..<d { out[j] += row[j] }
            }
        }
        let inverse = 1 / Float(n + m)
        for j in 0..<d { out[j] *= inverse }
    }

    // MARK: - Step 2: MSAM

    func fuse(_ context: PlanContext, _ memory: MemoryWeights) {
        let windows = context.windows
        let phys = context.buffer(regions.physStates)
        let periph = context.buffer(regions.peripheral)
        let beh = context.buffer(regions.behStates)
        let projectedPhys = context.buffer(regions.projectedPhys)
        let projectedBeh = context.buffer(regions.projectedBeh)
        let periphKeys = context.buffer(regions.peripheralKeys)
        let hPhys = context.buffer(regions.hPhys)
        let hBeh = context.buffer(regions.hBeh)
        let stride2 = 2 * d
        /// `tokens` rows per window: keys in a stacked [Q | K] projection, values the states themselves
        /// (W_v is folded into the output projection).
        func stateSegment(_ projected: UnsafeMutablePointer<Float>, states: UnsafeMutablePointer<Float>, tokens: Int) -> KeyValueSegment {
            KeyValueSegment(
                keys: projected + d, keyRowStride: stride2, keyWindowStride: tokens * stride2, values: states, valueRowStride: d,
                valueWindowStride: tokens * d, count: tokens)
        }

        // Physiological: R_phys against [T_e ; g_phys ; T_p ; M_phys].
        context.apply(memory.physProjection, phys, rows: windows * physTokens, lda: d, into: projectedPhys, ldy: stride2, accumulate: false)
        context.apply(
            memory.peripheralProjection, periph, rows: windows * peripheralTokens, lda: d, into: periphKeys, ldy: d, accumulate: false)
        block(
            context, memory, memory.blocks[0], states: phys, tokens: physTokens, queries: projectedPhys,
            context: stateSegment(projectedPhys, states: phys, tokens: physTokens),
            KeyValueSegment(
                keys: periphKeys, keyRowStride: d, keyWindowStride: peripheralTokens * d, values: periph, valueRowStride: d,
                valueWindowStride: peripheralTokens * d, count: peripheralTokens),
            into: hPhys)
        // Behavioural: R_beh against [T_f ; g_beh ; M_beh].
        context.apply(memory.behProjection, beh, rows: windows * behTokens, lda: d, into: projectedBeh, ldy: stride2, accumulate: false)
        block(
            context, memory, memory.blocks[1], states: beh, tokens: behTokens, queries: projectedBeh,
            context: stateSegment(projectedBeh, states: beh, tokens: behTokens), into: hBeh)
        // Cross, in parallel: H_phys against [H_beh ; M_x], H_beh against [H_phys ; M_x].
        context.apply(
            memory.crossPhysSideProjection, hPhys, rows: windows * physTokens, lda: d, into: projectedPhys, ldy: stride2, accumulate: false)
        context.apply(
            memory.crossBehSideProjection, hBeh, rows: windows * behTokens, lda: d, into: projectedBeh, ldy: stride2, accumulate: false)
        let crossPhys = context.buffer(regions.crossPhys)
        let crossBeh = context.buffer(regions.crossBeh)
        block(
            context, memory, memory.blocks[2], states: hPhys, tokens: physTokens, queries: projectedPhys,
            context: stateSegment(projectedBeh, states: hBeh, tokens: behTokens), into: crossPhys)
        block(
            context, memory, memory.blocks[3], states: hBeh, tokens: behTokens, queries: projectedBeh,
            context: stateSegment(projectedPhys, states: hPhys, tokens: physTokens), into: crossBeh)
        let z = context.buffer(regions.pooledStreams)
        for b in 0..<windows {
            meanRows(crossPhys + b * physTokens * d, physTokens, into: z + b * 2 * d)
            meanRows(crossBeh + b * behTokens * d, behTokens, into: z + b * 2 * d + d)
        }
    }

    /// One MSAM block after its projections: Y′ = [P_1 Y ‖ … ‖ P_S Y] by the fused retrieval (the
    /// stored patterns Y themselves as values), then F = LN(R + W′_o Y′ + b_o) with W′_o the folded
    /// [W_o,1 W_v ‖ … ‖ W_o,S W_v], H = LN(F + W_2 GELU(W_1 F + b_1) + b_2), written to `output`.
    func block(
        _ context: PlanContext, _ memory: MemoryWeights, _ weights: Block, states: UnsafeMutablePointer<Float>, tokens: Int,
        queries: UnsafeMutablePointer<Float>, context first: KeyValueSegment, _ second: KeyValueSegment? = nil,
        into output: UnsafeMutablePointer<Float>
    ) {
        let rows = context.windows * tokens
        let retrieved = context.buffer(regions.retrieved)
        let slots = KeyValueSegment(
            keys: context.weight(weights.slotKeyValues), values: context.weight(weights.slotKeyValues) + d, rowStride: 2 * d,
            windowStride: 0,
            count: weights.slots)
        withUnsafeTemporaryAllocation(of: KeyValueSegment.self, capacity: 3) { segments in
            segments[0] = first
            var count = 1
            if let second {
                segments[1] = second
                count = 2
            }
            segments[count] = slots
            count += 1
            multiScaleRetrieval(
                queries: queries, queryRowStride: 2 * d, queryWindowStride: tokens * 2 * d, rows: tokens, windows: context.windows,
                width: d,
                segments: UnsafeBufferPointer(rebasing: segments[0..<count]),
                betas: UnsafeBufferPointer(start: context.weight(memory.betas), count: memory.scales),
                output: retrieved, scratch: context.buffer(regions.attentionScratch))
        }
        residualRows(output, states, rows: rows, context.weight(weights.out.bias!), count: d)
        context.apply(weights.out, retrieved, rows: rows, lda: memory.scales * d, into: output, ldy: d)
        layerNormInPlace(output, gain: context.weight(weights.norm1.gain), bias: context.weight(weights.norm1.bias), rows: rows, width: d)
        let hidden = context.buffer(regions.hidden)
        context.affine(weights.ffn1, output, rows: rows, lda: d, into: hidden, ldy: 2 * d, gelu: true)
        context.apply(weights.ffn2, hidden, rows: rows, lda: 2 * d, into: output, ldy: d, bias: context.bias(weights.ffn2))
        layerNormInPlace(output, gain: context.weight(weights.norm2.gain), bias: context.weight(weights.norm2.bias), rows: rows, width: d)
    }

    // MARK: - Steps 3 and 5: prototype banks and per-emotion queries

    func emotionQueries(_ context: PlanContext) {
        let windows = context.windows
        let C = classes
        let K = prototypesPerEmotion
        let z = context.buffer(regions.pooledStreams)
        let pooledProjection = context.buffer(regions.pooledProjection)
        context.apply(pooled, z, rows: windows, lda: 2 * d, into: pooledProjection, ldy: d, accumulate: false)
        let queries = context.buffer(regions.queries)
        let base = context.weight(queryBase)
        let similarities = context.buffer(regions.similarities)
        if let banks = normalizedPrototypes {
            // s_{c,k} = cos(z, P̂_{c,k}) / τ = (z · P̂_{c,k}) · (1/τ)/‖z‖, then α = softmax_k(s_{c,·}) per
            // emotion: the dot products of all windows with each bank are one packed matmul.
            context.apply(banks.0, z, rows: windows, lda: 2 * d, into: similarities, ldy: 2 * C * K, accumulate: false)
            context.apply(banks.1, z + d, rows: windows, lda: 2 * d, into: similarities + C * K, ldy: 2 * C * K, accumulate: false)
            for b in 0..<windows {
                for stream in 0..<2 {
                    let vector = z + b * 2 * d + stream * d
                    let norm = max(vectorDot(vector, vector, d).squareRoot(), 1e-12)
                    let scale = inverseTemperature / norm
                    let out = similarities + (b * 2 + stream) * C * K
                    for row in 0..<(C * K) { out[row] *= scale }
                    context.softmaxRows(out, rows: C, width: K)
                }
            }
        }
        let projected = (context.weight(projectedPrototypes.0), context.weight(projectedPrototypes.1))
        for b in 0..<windows {
            let pooledRow = pooledProjection + b * d
            for c in 0..<C {
                let row = queries + (b * C + c) * d
                let baseRow = base + c * d
                for j in 0..<d { row[j] = baseRow[j] + pooledRow[j] }
                guard modules.prototypes else { continue }
                for stream in 0..<2 {
                    let weights = similarities + (b * 2 + stream) * C * K + c * K
                    for k in 0..<K {
                        let weight = weights[k]
                        let prototype = (stream == 0 ? projected.0 : projected.1) + (c * K + k) * d
                        for j in 0..<d { row[j] += weight * prototype[j] }
                    }
                }
            }
        }
        layerNormInPlace(
            queries, gain: context.weight(queryNorm.gain), bias: context.weight(queryNorm.bias), rows: windows * C, width: d)
    }

    // MARK: - Step 6: co-occurrence retrieval and association

    func cooccurrence(_ context: PlanContext) {
        let windows = context.windows
        let C = classes
        let rows = windows * C
        let queries = context.buffer(regions.queries)
        if let retrievalNorm, let retrievalKeys, let retrievalValues {
            // Q¹ = LN(Q⁰ + softmax(Q⁰ K′ᵀ / √d) V), K′ = (P̂ U_kᵀ) U_q: both products are packed matmuls
            // (small shapes that sgemm ran through its generic packing).
            let patterns = retrievalKeys.outputs
            let scores = context.buffer(regions.retrievalScores)
            context.apply(retrievalKeys, queries, rows: rows, lda: d, into: scores, ldy: patterns, accumulate: false)
            context.softmaxRows(scores, rows: rows, width: patterns)
            context.apply(retrievalValues, scores, rows: rows, lda: patterns, into: queries, ldy: d)
            layerNormInPlace(
                queries, gain: context.weight(retrievalNorm.gain), bias: context.weight(retrievalNorm.bias), rows: rows, width: d)
        }
        // a_{cc′} = e^t (Q¹W₁)_c·(Q¹W₂)_{c′}/√d + b·S_{cc′}, a_{cc} = −∞; A = softmax_row(a).
        let leftRight = context.buffer(regions.leftRight)
        context.apply(association!, queries, rows: rows, lda: d, into: leftRight, ldy: 2 * d, accumulate: false)
        let weights = context.buffer(regions.associationWeights)
        let associated = context.buffer(regions.associated)
        let pattern = context.weight(associationPattern)
        for b in 0..<windows {
            let a = weights + b * C * C
            for c in 0..<C {
                let left = leftRight + (b * C + c) * 2 * d
                for other in 0..<C {
                    let right = leftRight + (b * C + other) * 2 * d + d
                    a[c * C + other] = associationFactor * vectorDot(left, right, d) + pattern[c * C + other]
                }
            }
            context.softmaxRows(a, rows: C, width: C)
            // (A Q¹)_c = Σ_c′ A_{cc′} Q¹_{c′}.
            for c in 0..<C {
                let out = associated + (b * C + c) * d
                out.update(repeating: 0, count: d)
                for other in 0..<C {
                    let weight = a[c * C + other]
                    let source = queries + (b * C + other) * d
                    for j in 0..<d { out[j] += weight * source[j] }
                }
            }
        }
        // Q² = LN(Q¹ + W_a (A Q¹) + b_a).
        let propagate = propagate!
        context.apply(propagate, associated, rows: rows, lda: d, into: queries, ldy: d, bias: context.bias(propagate))
        let norm = cooccurrenceNorm!
        layerNormInPlace(queries, gain: context.weight(norm.gain), bias: context.weight(norm.bias), rows: rows, width: d)
    }

    // MARK: - Step 7: compression and head

    func head(_ context: PlanContext) {
        let windows = context.windows
        let C = classes
        let rows = windows * C
        var x = UnsafePointer(context.buffer(regions.queries))
        if let (compress1, norm1, compress2, norm2) = compress {
            let h1 = context.buffer(regions.compressed1)
            context.affine(compress1, x, rows: rows, lda: d, into: h1, ldy: compress1.outputs, gelu: true)
            layerNormInPlace(h1, gain: context.weight(norm1.gain), bias: context.weight(norm1.bias), rows: rows, width: compress1.outputs)
            let h2 = context.buffer(regions.compressed2)
            context.affine(compress2, h1, rows: rows, lda: compress1.outputs, into: h2, ldy: compress2.outputs, gelu: true)
            layerNormInPlace(h2, gain: context.weight(norm2.gain), bias: context.weight(norm2.bias), rows: rows, width: compress2.outputs)
            x = UnsafePointer(h2)
        }
        // logits_c = x_c · w + b + h_c, then ŷ = softmax(logits) per window.
        let output = context.output
        fillRows(output, rows: windows, ldy: C, with: context.weight(headBias), count: C)
        Float.gemv(
            transposeA: false, m: rows, n: headInputs, alpha: 1, a: x, lda: headInputs, x: context.weight(headWeight), beta: 1, y: output)
        context.softmaxRows(output, rows: windows, width: C)
    }
}
