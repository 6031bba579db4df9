import Foundation
import MPCL
import MPCLMath
import Randomness
import TestSupport
import Testing

@Suite struct TrainingTests {
    /// A small fixed dataset with a learnable mapping: targets are softmax(W x) for a hidden W.
    static func learnableData(rows: Int, config: ModelConfig, seed: UInt64) -> (Tensor<Float>, Tensor<Float>) {
        var generator = SeededGenerator(seed: seed)
        let features = config.layout.featureCount
        let classes = config.labels.count
        let hidden = (0..<(features * classes)).map { _ in generator.nextGaussian() * 0.6 }
        var x: [Float] = []
        var y: [Float] = []
        for _ in 0..<rows {
            let row = (0..<features).map { _ in generator.nextGaussian() }
            let logits = (0..<classes).map { c in (0..<features).reduce(0.0) { $0 + hidden[c * features + $1] * row[$1] } }
            let peak = logits.max()!
            let e = logits.map { Foundation.exp($0 - peak) }
            let total = e.reduce(0, +)
            x.append(contentsOf: row.map { Float($0) })
            y.append(contentsOf: e.map { Float($0 / total) })
        }
        return (Tensor(shape: [rows, features], data: x), Tensor(shape: [rows, classes], data: y))
    }

    @Test func trainingDrivesTheLossDownAndTheCheckpointReloadsBitIdentically() throws {
        var config = ModelFixtures.tinyConfig()
        config.width = 16
        let (features, targets) = Self.learnableData(rows: 64, config: config, seed: 21)
        var model = try Model<Float>(config: config, labelStatistics: LabelStatistics(targets: targets.data, classes: 4), seed: 3407)
        var optimizer = Adam(parameters: model.parameters, learningRate: 3e-3)
        let initial = model.loss(features: features, targets: targets, training: false)
        for step in 0..<300 {
            let (_, gradients) = model.lossAndGradients(features: features, targets: targets, training: false, seed: UInt64(step))
            optimizer.update(&model.parameters, gradients: gradients)
        }
        let final = model.loss(features: features, targets: targets, training: false)
        #expect(final < initial / 4, "loss went from \(initial) to \(final)")

        let directory = try TemporaryDirectory("checkpoint")
        defer { directory.remove() }
        let path = directory.file("model.safetensors")
        let normalization = FeatureNormalization.identity(count: config.layout.featureCount)
        try Checkpoint(model: model, normalization: normalization, training: ["seed": 3407]).write(to: path)
        let reloaded = try Checkpoint.read(from: path)
        let before = Predictor(model: model, normalization: normalization).distributions(rawFeatures: features.data, rows: 64)
        let after = Predictor(checkpoint: reloaded).distributions(rawFeatures: features.data, rows: 64)
        #expect(before.map(\.bitPattern) == after.map(\.bitPattern))
        #expect(reloaded.training["seed"] == 3407)
        #expect(reloaded.model.config == config)
        // Nothing but the checkpoint is left in the directory: no temporary files.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["model.safetensors"])
    }

    @Test func adamFollowsItsUpdateRule() {
        var parameters = ParameterSet<Double>()
        parameters.add("w", Tensor(shape: [2], data: [1, -2]))
        var optimizer = Adam(parameters: parameters, learningRate: 0.1, weightDecay: 0.5)
        optimizer.update(&parameters, gradients: [0.2, 0.4])
        // First step: m̂ = g', v̂ = g'², so θ moves by lr · sign(g') (up to ε), g' = g + λθ.
        #expect(abs(parameters["w"].data[0] - 0.9) < 1e-6)  // g' = 0.7
        #expect(abs(parameters["w"].data[1] - (-2 + 0.1)) < 1e-6)  // g' = -0.6
    }
}
