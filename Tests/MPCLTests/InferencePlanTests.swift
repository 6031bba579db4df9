import EmotionVocabulary
import MPCL
import MPCLMath
import Randomness
import Testing

/// The compiled inference plan against the training tape's forward pass: every architecture and
/// ablation, windows alone and in batches of 1, 7, 64 and 256, one reused arena — equal to 1e-5,
/// and within 1e-5 of the float64 tape (the exact answer). The test models are perturbed (every
/// parameter off its initial value) but not so sharp that Float rounding alone nears 1e-5: with a
/// head gain of 3 and 3σ windows the Float *tape* drifted 2.7e-5 from float64 at width 8, and the
/// plan by as much — rounding amplified, not a difference between the two.
@Suite struct InferencePlanTests {
    struct Variant: CustomStringConvertible, Sendable {
        let name: String
        let config: ModelConfig
        var description: String { name }
    }

    static func tiny(_ name: String, _ architecture: Architecture = .mpcl, ablating: [String] = []) -> Variant {
        Variant(name: "tiny " + name, config: ModelFixtures.tinyConfig(architecture, modules: try! ModuleSwitches(ablating: ablating)))
    }

    static func dmer(_ name: String, ablating: [String] = [], _ adjust: (inout ModelConfig) -> Void = { _ in }) -> Variant {
        var config = ModelConfig(architecture: .mpcl)
        config.modules = try! ModuleSwitches(ablating: ablating)
        adjust(&config)
        return Variant(name: "dmer " + name, config: config)
    }

    /// Width 8 in the tiny layout exercises the kernels' 4-wide paths, width 64 the 16-wide ones.
    static let variants: [Variant] = [
        tiny("mpcl"), tiny("no msam", ablating: ["msam"]), tiny("no proto", ablating: ["proto"]),
        tiny("no cooc", ablating: ["cooc"]), tiny("no comp", ablating: ["comp"]),
        tiny("all off", ablating: ["msam", "proto", "cooc", "comp"]), tiny("no proto no cooc", ablating: ["proto", "cooc"]),
        tiny("mlp", .mlp), tiny("linear", .linear), tiny("mean", .mean),
        dmer("mpcl"), dmer("no msam", ablating: ["msam"]), dmer("no proto", ablating: ["proto"]), dmer("no cooc", ablating: ["cooc"]),
        dmer("no comp", ablating: ["comp"]), dmer("all off", ablating: ["msam", "proto", "cooc", "comp"]),
        dmer("one scale, no slots, one group") {
            $0.memoryScales = [1]
            $0.slots = 0
            $0.layout = InputLayout(
                eegChannels: 4, eegBands: 3, peripheralGroups: [.init(name: "gsr", dims: 5)], facePlanes: 1, faceBins: 7)
        },
        dmer("width 20, K 1, n_p 1") {
            $0.width = 20
            $0.prototypesPerEmotion = 1
            $0.tokensPerGroup = 1
        },
        Variant(name: "dmer mlp", config: ModelConfig(architecture: .mlp)),
        Variant(name: "dmer linear", config: ModelConfig(architecture: .linear)),
    ]

    /// A model whose every parameter is perturbed (so LayerNorm gains, e^t and b·S are not at their
    /// initial values) and whose predictions depend strongly on the input.
    static func perturbedModel(_ config: ModelConfig, seed: UInt64) throws -> Model<Float> {
        let classes = config.labels.count
        var generator = SeededGenerator(seed: seed)
        let targets = (0..<(40 * classes)).map { _ in Float(0.05 + generator.nextUnit()) }
        var model = try Model<Float>(config: config, labelStatistics: LabelStatistics(targets: targets, classes: classes), seed: seed)
        var parameters = model.parameters
        for slot in parameters.slots {
            let spread: Double = slot.name.hasPrefix("head.out") ? 1 : 0.1
            for j in slot.range { parameters.buffer[j] += Float(spread * generator.nextGaussian()) }
        }
        model.parameters = parameters
        return model
    }

    @Test(arguments: variants)
    func planEqualsTheTapeAloneAndInBatches(variant: Variant) throws {
        let model = try Self.perturbedModel(variant.config, seed: 41)
        let features = model.config.layout.featureCount
        let classes = model.config.labels.count
        var generator = SeededGenerator(seed: 7)
        let windows = 256
        let raw = (0..<(windows * features)).map { i in Float((i / features % 5 == 0 ? 2 : 1) * generator.nextGaussian()) }
        let tape = model.distributions(features: Tensor(shape: [windows, features], data: raw)).data
        let predictor = Predictor(model: model, normalization: .identity(count: features))
        let arena = InferenceArena(plan: predictor.plan, windows: windows)

        var spread: Float = 0
        for index in classes..<tape.count { spread = max(spread, abs(tape[index] - tape[index % classes])) }
        let exact = try Model<Double>(
            config: model.config, parameters: inDouble(model.parameters), labelStatistics: model.labelStatistics
        ).distributions(features: Tensor(shape: [windows, features], data: raw.map { Double($0) })).data
        #expect(model.config.architecture == .mean || spread > 1e-3, "the test windows should get different distributions")

        for batch in [256, 1, 7, 64] {
            let output = predictor.distributions(rawFeatures: Array(raw[0..<(batch * features)]), rows: batch, arena: arena)
            let difference = zip(output, tape[0..<(batch * classes)]).map { abs($0 - $1) }.max() ?? 0
            #expect(output.count == batch * classes)
            #expect(difference <= 1e-5, "\(variant.name), batch \(batch): max |plan − tape| = \(difference)")
            let planError = zip(output, exact).map { abs(Double($0) - $1) }.max() ?? 0
            #expect(planError <= 1e-5, "\(variant.name), batch \(batch): max |plan − float64 tape| = \(planError)")
        }
        for window in 0..<7 {
            let alone = predictor.distributions(rawFeatures: Array(raw[(window * features)..<((window + 1) * features)]), rows: 1)
            let difference = zip(alone, tape[(window * classes)..<((window + 1) * classes)]).map { abs($0 - $1) }.max() ?? 0
            #expect(difference <= 1e-5, "\(variant.name), window \(window) alone: max |plan − tape| = \(difference)")
            #expect(abs(alone.reduce(0, +) - 1) < 1e-5)
        }
    }

    /// The checkpoint mpcl-serve ships: the served answers must not move (to 1e-6) with the plan.
    @Test func theDefaultCheckpointAnswersAsTheTapeDid() throws {
        let path = #filePath.split(separator: "/").dropLast(3).joined(separator: "/") + "/Sources/MPCLService/Resources/default.safetensors"
        let checkpoint = try Checkpoint.read(from: "/" + path)
        let predictor = Predictor(checkpoint: checkpoint)
        let features = predictor.featureCount
        var generator = SeededGenerator(seed: 5)
        let mean = checkpoint.normalization.mean
        let std = checkpoint.normalization.std
        let rows = 64
        let raw = (0..<(rows * features)).map { i in mean[i % features] + 2 * std[i % features] * Float(generator.nextGaussian()) }
        var z = raw
        checkpoint.normalization.apply(to: &z)
        let tape = predictor.model.distributions(features: Tensor(shape: [rows, features], data: z)).data
        let plan = predictor.distributions(rawFeatures: raw, rows: rows)
        let difference = zip(plan, tape).map { abs($0 - $1) }.max() ?? 0
        #expect(difference <= 1e-6, "default checkpoint: max |plan − tape| = \(difference)")
        let alone = predictor.distributions(rawFeatures: Array(raw[0..<features]), rows: 1)
        #expect((zip(alone, tape[0..<alone.count]).map { abs($0 - $1) }.max() ?? 0) <= 1e-6)
    }

    /// A batch larger than the plan's pass size runs in passes (the last one shorter) over one
    /// arena and must give what one pass gives: windows are independent.
    @Test(arguments: [variants[0], variants[7], variants[10]])
    func aBatchRunInPassesEqualsOnePass(variant: Variant) throws {
        let model = try Self.perturbedModel(variant.config, seed: 17)
        let features = model.config.layout.featureCount
        var generator = SeededGenerator(seed: 9)
        let rows = 23
        let standardized = (0..<(rows * features)).map { _ in Float(generator.nextGaussian()) }
        let whole = InferencePlan(model: model, windowsPerPass: rows).distributions(standardized: standardized, rows: rows)
        let passes = InferencePlan(model: model, windowsPerPass: 5)
        let arena = InferenceArena(plan: passes, windows: rows)
        for batch in [rows, 6, 5, rows] {
            let input = passes.input(in: arena, windows: batch)
            for i in 0..<(batch * features) { input[i] = standardized[i] }
            let output = Array(passes.run(windows: batch, in: arena))
            let difference = zip(output, whole).map { abs($0 - $1) }.max() ?? 0
            #expect(output.count == batch * model.config.labels.count)
            #expect(difference <= 1e-6, "\(variant.name), batch \(batch) in passes of 5: max difference \(difference)")
        }
    }

    @Test func anArenaGrowsOnlyWhenABatchNeedsMore() throws {
        let model = try Self.perturbedModel(ModelFixtures.tinyConfig(), seed: 3)
        let plan = InferencePlan(model: model)
        let arena = InferenceArena(plan: plan, windows: 8)
        let sized = arena.capacity
        arena.reserve(plan: plan, windows: 3)
        #expect(arena.capacity == sized)
        arena.reserve(plan: plan, windows: 9)
        #expect(arena.capacity == plan.arenaFloats(windows: 9))
    }
}

/// The same parameters in Double, for the exact reference forward pass.
private func inDouble(_ parameters: ParameterSet<Float>) -> ParameterSet<Double> {
    var result = ParameterSet<Double>()
    for (name, tensor) in zip(parameters.names, parameters.tensors) {
        result.add(name, Tensor(shape: tensor.shape, data: tensor.data.map { Double($0) }))
    }
    return result
}
