import MPCLMath

extension Model {
    /// The loss on one batch and the gradient of every parameter, as one buffer in the layout of
    /// `parameters.buffer`.
    /// `seed` fixes the dropout masks, so the same call is reproducible.
    @_specialize(exported:true,where S == Float)
    public func lossAndGradients(
        features: Tensor<S>, targets: Tensor<S>, cooccurrenceWeight: S = 1, training: Bool = true, seed: UInt64 = 0
    ) -> (loss: S, gradients: [S]) {
        let tape = Tape<S>(recording: true, training: training, seed: seed)
        let output = forward(tape, features: features, targets: targets, cooccurrenceWeight: cooccurrenceWeight)
        guard let loss = output.loss else { return (0, [S](repeating: 0, count: parameters.scalarCount)) }
        tape.backward(from: loss)
        return (tape.value(loss).data[0], output.parameters.gradients())
    }
}

extension Model {
    /// The training loss on one batch without gradients (same masks as `lossAndGradients` for the
    /// same seed): what finite-difference checks and validation need.
    @_specialize(exported:true,where S == Float)
    public func loss(features: Tensor<S>, targets: Tensor<S>, cooccurrenceWeight: S = 1, training: Bool = true, seed: UInt64 = 0) -> S {
        let tape = Tape<S>(recording: false, training: training, seed: seed)
        return forward(tape, features: features, targets: targets, cooccurrenceWeight: cooccurrenceWeight).loss.map {
            tape.value($0).data[0]
        } ?? 0
    }
}
