import MPCLMath

/// Puts a model's parameters on a tape on first use, once each, so that a parameter used in several
/// places (a shared slot store, a prototype bank read twice) has one gradient that sums every use.
public final class ParameterBinding<S: Real> {
    let tape: Tape<S>
    let parameters: ParameterSet<S>
    private var bound: [Var?]

    init(tape: Tape<S>, parameters: ParameterSet<S>) {
        self.tape = tape
        self.parameters = parameters
        self.bound = [Var?](repeating: nil, count: parameters.slots.count)
    }

    /// The tape entry of parameter `name`.
    func callAsFunction(_ name: String) -> Var {
        guard let position = parameters.position(of: name) else { preconditionFailure("unknown parameter \(name)") }
        if let existing = bound[position] { return existing }
        let variable = tape.parameter(parameters.tensor(at: position))
        bound[position] = variable
        return variable
    }

    /// Every parameter's gradient as one buffer in the layout of `parameters.buffer` (zeros for
    /// parameters the pass never used).
    public func gradients() -> [S] {
        var buffer = [S](repeating: 0, count: parameters.scalarCount)
        for (position, variable) in bound.enumerated() {
            guard let variable else { continue }
            buffer.replaceSubrange(parameters.slots[position].range, with: tape.gradient(variable).data)
        }
        return buffer
    }
}
