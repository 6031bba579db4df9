import MPCL
import MPCLMath
import TestSupport
import Testing

/// The whole training loss against central finite differences, every parameter tensor, in Double.
@Suite struct ModelGradientTests {
    static let configurations: [(String, ModuleSwitches)] = [
        ("all modules", ModuleSwitches()),
        ("no msam", ModuleSwitches(msam: false)),
        ("no prototypes", ModuleSwitches(prototypes: false)),
        ("no co-occurrence", ModuleSwitches(cooccurrence: false)),
        ("no compression", ModuleSwitches(compression: false)),
    ]

    /// ‖analytic − numeric‖ / max(‖analytic‖, ‖numeric‖) per parameter tensor. The numeric
    /// derivative is the fourth-order central difference
    /// (−L(θ+2h) + 8L(θ+h) − 8L(θ−h) + L(θ−2h)) / 12h with h = 1e-4: truncation O(h⁴) ≈ 1e-16 and
    /// round-off ≈ 1e-16·|L|/h ≈ 1e-12, so a 1e-6 bound leaves a wide margin. Some gradients are
    /// exactly zero by symmetry (a bias shared by every logit cancels in the softmax); when both
    /// norms are below 1e-7 the absolute difference is reported instead of a ratio of noise.
    func relativeErrors(_ model: Model<Double>, features: Tensor<Double>, targets: Tensor<Double>, training: Bool) -> [(String, Double)] {
        let weight = 0.7  // a mid-ramp co-occurrence weight, so those terms are exercised
        let analytic = model.lossAndGradients(features: features, targets: targets, cooccurrenceWeight: weight, training: training, seed: 5)
            .gradients
        var results: [(String, Double)] = []
        for slot in model.parameters.slots {
            let numeric = FiniteDifference.gradient(at: Array(model.parameters.buffer[slot.range]), step: 1e-4, order: .fourth) {
                var probe = model
                probe.parameters.buffer.replaceSubrange(slot.range, with: $0)
                return probe.loss(features: features, targets: targets, cooccurrenceWeight: weight, training: training, seed: 5)
            }
            results.append((slot.name, FiniteDifference.relativeError(Array(analytic[slot.range]), numeric, absoluteBelow: 1e-7)))
        }
        return results
    }

    @Test(arguments: 0..<configurations.count)
    func everyParameterMatchesFiniteDifferences(configuration: Int) throws {
        let (label, modules) = Self.configurations[configuration]
        let config = ModelFixtures.tinyConfig(modules: modules)
        let (features, targets): (Tensor<Double>, Tensor<Double>) = ModelFixtures.data(rows: 3, layout: config.layout, classes: 4, seed: 1)
        let model = try Model<Double>(config: config, labelStatistics: ModelFixtures.statistics(targets, classes: 4), seed: 2)
        // Training mode: dropout active with masks fixed by the seed, so its backward is checked too.
        let errors = relativeErrors(model, features: features, targets: targets, training: configuration == 0)
        #expect(errors.count == model.parameters.names.count)
        for (name, error) in errors {
            #expect(error < 1e-6, "\(label): \(name) relative error \(error)")
        }
    }

    @Test(arguments: [Architecture.mlp, .linear])
    func baselineGradientsMatchFiniteDifferences(architecture: Architecture) throws {
        let config = ModelFixtures.tinyConfig(architecture)
        let (features, targets): (Tensor<Double>, Tensor<Double>) = ModelFixtures.data(rows: 3, layout: config.layout, classes: 4, seed: 3)
        let model = try Model<Double>(config: config, labelStatistics: ModelFixtures.statistics(targets, classes: 4), seed: 4)
        for (name, error) in relativeErrors(model, features: features, targets: targets, training: true) {
            #expect(error < 1e-6, "\(architecture): \(name) relative error \(error)")
        }
    }
}
