import EmotionVocabulary
import Foundation
import MPCL
import Testing

@testable import MPCLService

/// Checkpoints for tests: small seeded models written to a fresh temporary directory.
enum TestModels {
    /// A model with the DMER layout (the built-in default's) and the default architecture.
    static func checkpoint(seed: UInt64, perSubject: Bool = false, layout: InputLayout = .dmer) throws -> Checkpoint {
        var config = ModelConfig(layout: layout)
        config.perSubjectNormalization = perSubject
        let classes = config.labels.count
        var targets: [Float] = []
        for row in 0..<8 {
            for c in 0..<classes { targets.append(Float((row + c * 3 + Int(seed)) % 5) / 4) }
        }
        let statistics = LabelStatistics(targets: targets, classes: classes)
        let model = try Model<Float>(config: config, labelStatistics: statistics, seed: seed)
        let features = layout.featureCount
        let normalization =
            perSubject
            ? FeatureNormalization.identity(count: features)
            : FeatureNormalization(
                mean: (0..<features).map { Float($0 % 7) * 0.1 }, std: (0..<features).map { 0.5 + Float($0 % 5) * 0.25 })
        return Checkpoint(
            model: model, normalization: normalization,
            training: ["seed": .number(Double(seed)), "note": "test model", "metrics": ["test": ["f1_macro": 0.5]]])
    }
}

@Suite struct PlaceholderCheckpoint {
    /// Regenerates the untrained built-in checkpoint when asked to (not a behaviour test):
    /// `MPCL_WRITE_DEFAULT_CHECKPOINT=Sources/MPCLService/Resources/default.safetensors swift test --filter PlaceholderCheckpoint`.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["MPCL_WRITE_DEFAULT_CHECKPOINT"] != nil))
    func writeDefaultCheckpoint() throws {
        let path = ProcessInfo.processInfo.environment["MPCL_WRITE_DEFAULT_CHECKPOINT"]!
        var checkpoint = try checkpoint(seed: 20_240_601)
        checkpoint.training = [
            "note": "untrained placeholder (seeded initialisation); replace with a trained checkpoint", "seed": 20_240_601,
        ]
        try checkpoint.write(to: path)
    }

    private func checkpoint(seed: UInt64) throws -> Checkpoint {
        let config = ModelConfig()
        let classes = config.labels.count
        let statistics = LabelStatistics(targets: [Float](repeating: 0.5, count: classes * 2), classes: classes)
        let model = try Model<Float>(config: config, labelStatistics: statistics, seed: seed)
        return Checkpoint(model: model, normalization: .identity(count: config.layout.featureCount), training: [:])
    }
}
