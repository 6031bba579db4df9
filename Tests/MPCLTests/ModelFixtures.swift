import EmotionVocabulary
import MPCL
import MPCLMath
import Randomness

/// Small, fast models and data for the model's tests.
enum ModelFixtures {
    /// A tiny layout with every structural feature of DMER's: several channels and bands, two
    /// peripheral groups of different widths, several face planes.
    static let tinyLayout = InputLayout(
        eegChannels: 3, eegBands: 2,
        peripheralGroups: [.init(name: "gsr", dims: 3), .init(name: "ppg", dims: 2)],
        facePlanes: 2, faceBins: 3)

    static let tinyLabels = LabelSet(names: ["joy", "calm", "fear", "anger"], valence: [1, 1, -1, -1])

    static func tinyConfig(_ architecture: Architecture = .mpcl, modules: ModuleSwitches = ModuleSwitches()) -> ModelConfig {
        var config = ModelConfig(architecture: architecture, layout: tinyLayout, labels: tinyLabels)
        config.width = 8
        config.prototypesPerEmotion = 2
        config.slots = 3
        config.tokensPerGroup = 2
        config.mlpHidden = 6
        config.modules = modules
        return config
    }

    /// Random features [rows, F] and target distributions [rows, C].
    static func data<S: Real>(rows: Int, layout: InputLayout, classes: Int, seed: UInt64) -> (Tensor<S>, Tensor<S>) {
        var generator = SeededGenerator(seed: seed)
        let features = (0..<(rows * layout.featureCount)).map { _ in S(generator.nextGaussian()) }
        var targets: [S] = []
        for _ in 0..<rows {
            let raw = (0..<classes).map { _ in 0.05 + generator.nextUnit() }
            let total = raw.reduce(0, +)
            targets.append(contentsOf: raw.map { S($0 / total) })
        }
        return (Tensor(shape: [rows, layout.featureCount], data: features), Tensor(shape: [rows, classes], data: targets))
    }

    static func statistics(_ targets: Tensor<Double>, classes: Int) -> LabelStatistics {
        LabelStatistics(targets: targets.data.map { Float($0) }, classes: classes)
    }
}
