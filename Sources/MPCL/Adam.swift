import MPCLMath

/// Adam (Kingma & Ba) with L2 weight decay added to the gradient (not decoupled AdamW):
/// g ← g + λθ; m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²;
/// θ ← θ − lr · (m / (1−β₁ᵗ)) / (√(v / (1−β₂ᵗ)) + ε).
/// The moments are buffers in the layout of `ParameterSet.buffer`, so an update is one loop over
/// every scalar of the model. The caller sets `learningRate` before each step (the trainer's
/// schedule is `TrainingRecipe.learningRate(afterSteps:)`).
public struct Adam<S: Real>: Sendable {
    public var learningRate: Double
    public var beta1 = 0.9
    public var beta2 = 0.999
    public var epsilon = 1e-8
    public var weightDecay: Double
    public private(set) var step = 0
    /// m, in the layout of `ParameterSet.buffer`.
    public var firstMoments: [S]
    /// v, in the layout of `ParameterSet.buffer`.
    public var secondMoments: [S]

    public init(parameters: ParameterSet<S>, learningRate: Double = 1e-3, weightDecay: Double = 1e-5) {
        self.learningRate = learningRate
        self.weightDecay = weightDecay
        firstMoments = [S](repeating: 0, count: parameters.scalarCount)
        secondMoments = firstMoments
    }

    /// Restores a saved optimiser state (resumed training).
    public init(learningRate: Double, weightDecay: Double, step: Int, firstMoments: [S], secondMoments: [S]) {
        self.learningRate = learningRate
        self.weightDecay = weightDecay
        self.step = step
        self.firstMoments = firstMoments
        self.secondMoments = secondMoments
    }

    /// One update of every parameter from the gradient buffer (layout of `parameters.buffer`).
    @_specialize(exported:true,where S == Float)
    public mutating func update(_ parameters: inout ParameterSet<S>, gradients: [S]) {
        precondition(gradients.count == parameters.scalarCount, "one gradient per parameter scalar")
        precondition(firstMoments.count == gradients.count && secondMoments.count == gradients.count, "moments do not match the model")
        step += 1
        let b1 = S(beta1)
        let b2 = S(beta2)
        let correction1 = S(1 - LibM.pow(beta1, Double(step)))
        let correction2 = S(1 - LibM.pow(beta2, Double(step)))
        let rate = S(learningRate)
        let decayTerm = S(weightDecay)
        let eps = S(epsilon)
        parameters.buffer.withUnsafeMutableBufferPointer { theta in
            firstMoments.withUnsafeMutableBufferPointer { m in
                secondMoments.withUnsafeMutableBufferPointer { v in
                    for i in 0..<theta.count {
                        let g = gradients[i] + decayTerm * theta[i]
                        m[i] = b1 * m[i] + (1 - b1) * g
                        v[i] = b2 * v[i] + (1 - b2) * g * g
                        theta[i] -= rate * (m[i] / correction1) / ((v[i] / correction2).squareRoot() + eps)
                    }
                }
            }
        }
    }
}
