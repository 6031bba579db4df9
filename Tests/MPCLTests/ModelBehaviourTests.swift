import MPCL
import MPCLMath
import Randomness
import Testing

@Suite struct ModelBehaviourTests {
    static func dmerModel(_ architecture: Architecture = .mpcl) throws -> Model<Float> {
        let (_, targets): (Tensor<Double>, Tensor<Double>) = ModelFixtures.data(rows: 50, layout: .emotionDictSample, classes: 10, seed: 9)
        return try Model<Float>(
            config: ModelConfig(architecture: architecture), labelStatistics: ModelFixtures.statistics(targets, classes: 10), seed: 3407)
    }

    @Test func dmerLayoutHasAboutThePublishedSize() throws {
        let count = try Self.dmerModel().parameters.scalarCount
        #expect((300_000...320_000).contains(count), "docs/MODEL.md expects about 310 k parameters, got \(count)")
    }

    @Test func theRealSampleLayoutIsExpressible() throws {
        let config = ModelConfig(layout: .emotionDictSample)
        let model = try Model<Float>(
            config: config, labelStatistics: LabelStatistics(targets: [Float](repeating: 0.1, count: 20), classes: 10), seed: 1)
        #expect(model.config.layout.featureCount == 18 * 4 + 4 + 4 + 32)
    }

    @Test(arguments: [Architecture.mpcl, .mlp, .linear, .mean])
    func aWindowGetsTheSameDistributionAloneAndInAnyBatch(architecture: Architecture) throws {
        let model = try Self.dmerModel(architecture)
        let predictor = Predictor(model: model, normalization: .identity(count: 913))
        var generator = SeededGenerator(seed: 12)
        let windows = (0..<(128 * 913)).map { _ in Float(generator.nextGaussian()) }
        let alone = predictor.distributions(rawFeatures: Array(windows[0..<913]), rows: 1)
        #expect(abs(alone.reduce(0, +) - 1) < 1e-5)
        for batch in [1, 7, 128] {
            let together = predictor.distributions(rawFeatures: Array(windows[0..<(batch * 913)]), rows: batch)
            for c in 0..<10 { #expect(abs(together[c] - alone[c]) < 1e-5, "batch \(batch), class \(c)") }
        }
        // The last window of the big batch, alone, matches its row inside the batch.
        let last = predictor.distributions(rawFeatures: Array(windows[(127 * 913)...]), rows: 1)
        let inBatch = predictor.distributions(rawFeatures: windows, rows: 128)
        for c in 0..<10 { #expect(abs(inBatch[127 * 10 + c] - last[c]) < 1e-5) }
    }

    @Test func theCachedInferencePathEqualsTheUncachedOne() throws {
        var model = try Self.dmerModel()
        var generator = SeededGenerator(seed: 4)
        let features = Tensor<Float>(shape: [3, 913], data: (0..<(3 * 913)).map { _ in Float(generator.nextGaussian()) })
        let cached = model.distributions(features: features)
        let parameters = model.parameters
        model.parameters = parameters  // any assignment drops the cache
        #expect(model.inferenceCache.isEmpty)
        let uncached = model.distributions(features: features)
        for (a, b) in zip(cached.data, uncached.data) { #expect(abs(a - b) < 1e-6) }
    }

    @Test func anUntrainedModelPredictsTheTrainingMean() throws {
        // h = ln p̄ − mean(ln p̄) makes the head start at p̄ only when the logits are equal across
        // emotions; the mean baseline predicts p̄ exactly.
        let model = try Self.dmerModel(.mean)
        let prediction = model.distributions(features: Tensor(zeros: [1, 913])).data
        for (p, m) in zip(prediction, model.labelStatistics.mean) { #expect(abs(Double(p) - m) < 1e-6) }
    }
}
