import MPCLMath
import Randomness
import TestSupport
import Testing

/// Kernels against central finite differences (`FiniteDifference`, second order): ∂L/∂x ≈
/// (L(x + h) − L(x − h)) / 2h, truncation error O(h²·L‴). With h = 1e-5 in Double the truncation (~1e-10) and round-off (~1e-16/h = 1e-11) errors are
/// both far below the 1e-6 relative bound the checks assert.
struct GradientCheck {
    static let step = 1e-5

    /// Relative error ‖analytic − numeric‖ / max(‖analytic‖, ‖numeric‖) for each input, where the
    /// scalar under test is Σ out ⊙ R for a fixed random R (or `out` itself when it is a scalar).
    static func relativeErrors(
        inputs: [Tensor<Double>], training: Bool = false, seed: UInt64 = 11,
        _ build: (Tape<Double>, [Var]) -> Var
    ) -> [Double] {
        var projection: Tensor<Double>? = nil
        func loss(_ tape: Tape<Double>, _ vars: [Var]) -> Var {
            let out = build(tape, vars)
            if tape.value(out).count == 1 { return out }
            if projection == nil {
                var generator = SeededGenerator(seed: 99)
                let shape = tape.shape(out)
                projection = Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in generator.nextGaussian() })
            }
            return tape.weightedMean(out, weights: projection!, rows: 1)
        }
        let tape = Tape<Double>(recording: true, training: training, seed: seed)
        let vars = inputs.map { tape.parameter($0) }
        let total = loss(tape, vars)
        tape.backward(from: total)
        var errors: [Double] = []
        for (index, input) in inputs.enumerated() {
            let numeric = FiniteDifference.gradient(at: input.data, step: step) { values in
                var perturbed = inputs
                perturbed[index].data = values
                let probe = Tape<Double>(recording: false, training: training, seed: seed)
                return probe.value(loss(probe, perturbed.map { probe.parameter($0) })).data[0]
            }
            errors.append(FiniteDifference.relativeError(tape.gradient(vars[index]).data, numeric))
        }
        return errors
    }

    static func random(_ shape: [Int], seed: UInt64, scale: Double = 1) -> Tensor<Double> {
        var generator = SeededGenerator(seed: seed)
        return Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in generator.nextGaussian() * scale })
    }
}

extension GradientCheck {
    /// The same check for a plain forward/backward pair, without a tape: the scalar is Σ out ⊙ R for
    /// a fixed random R. `backward` receives R as dOut and gradient buffers pre-filled with 0.5, so
    /// the check also proves that it accumulates (adds to what is there) rather than overwrites.
    static func pairErrors(
        inputs: [[Double]], forward: ([[Double]]) -> [Double], backward: ([[Double]], [Double], inout [[Double]]) -> Void
    ) -> [Double] {
        let outputCount = forward(inputs).count
        var generator = SeededGenerator(seed: 99)
        let projection = (0..<outputCount).map { _ in generator.nextGaussian() }
        func loss(_ values: [[Double]]) -> Double { zip(forward(values), projection).map { $0 * $1 }.reduce(0, +) }
        let prefill = 0.5
        var gradients = inputs.map { [Double](repeating: prefill, count: $0.count) }
        backward(inputs, projection, &gradients)
        var errors: [Double] = []
        for (index, input) in inputs.enumerated() {
            let analytic = gradients[index].map { $0 - prefill }
            let numeric = FiniteDifference.gradient(at: input, step: step) { values in
                var perturbed = inputs
                perturbed[index] = values
                return loss(perturbed)
            }
            errors.append(FiniteDifference.relativeError(analytic, numeric))
        }
        return errors
    }
}

/// The suites that check backward passes with `GradientCheck`: one bound and one assertion.
protocol GradientChecking {}

extension GradientChecking {
    /// Far above the check's own error (see `GradientCheck`), far below any real mistake.
    var bound: Double { 1e-6 }

    /// At least one error (an empty list would pass vacuously), and every one below `bound`.
    func expectAccurate(_ errors: [Double], _ comment: Comment, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!errors.isEmpty, comment, sourceLocation: sourceLocation)
        for error in errors { #expect(error < bound, comment, sourceLocation: sourceLocation) }
    }
}
