import Randomness

/// A handle to a value recorded on a `Tape`.
public struct Var: Hashable, Sendable {
    public let id: Int
}

/// Records a forward pass so that it can be run backwards.
///
/// Every kernel is a plain forward/backward pair (outputs first, gradients accumulated, in the
/// style of llm.c); an op on the tape runs the forward kernel eagerly and, when the tape records
/// and an input needs a gradient, remembers a closure that calls the backward kernel. The model is
/// written once, as a forward pass; `backward(from:)` replays the closures in reverse. With
/// `isRecording == false` (inference) no closure is kept and nothing but the values is stored.
public final class Tape<S: Real> {
    /// Whether ops remember how to run backwards.
    public let isRecording: Bool
    /// Whether training-only ops (dropout) are active.
    public let isTraining: Bool
    /// Dropout masks come from here, so a seeded tape replays the same masks.
    public var generator: SeededGenerator

    @usableFromInline var values: [Tensor<S>] = []
    @usableFromInline var gradients: [[S]] = []
    @usableFromInline var needsGradient: [Bool] = []
    @usableFromInline var steps: [(output: Int, run: () -> Void)] = []

    public init(recording: Bool, training: Bool = false, seed: UInt64 = 0) {
        self.isRecording = recording
        self.isTraining = training
        self.generator = SeededGenerator(seed: seed)
        values.reserveCapacity(256)
    }

    /// Adds an input that never needs a gradient (data, masks, cached projections).
    @inlinable public func constant(_ tensor: Tensor<S>) -> Var {
        append(tensor, needsGradient: false)
    }

    /// Adds a trainable tensor: its gradient is available after `backward(from:)` when recording.
    @inlinable public func parameter(_ tensor: Tensor<S>) -> Var {
        append(tensor, needsGradient: isRecording)
    }

    /// The value of `v`.
    @inlinable public func value(_ v: Var) -> Tensor<S> { values[v.id] }

    /// The shape of `v`.
    @inlinable public func shape(_ v: Var) -> [Int] { values[v.id].shape }

    /// The gradient accumulated into `v`, or zeros if nothing reached it.
    public func gradient(_ v: Var) -> Tensor<S> {
        let shape = values[v.id].shape
        let gradient = gradients[v.id]
        return gradient.isEmpty ? Tensor(zeros: shape) : Tensor(shape: shape, data: gradient)
    }

    /// Runs the recorded ops backwards from the scalar `loss`, seeding d(loss)/d(loss) = 1.
    public func backward(from loss: Var) {
        precondition(isRecording, "backward needs a recording tape")
        precondition(values[loss.id].count == 1, "backward starts from a scalar")
        gradients[loss.id] = [1]
        for step in steps.reversed() where !gradients[step.output].isEmpty {
            step.run()
        }
    }

    @usableFromInline func append(_ tensor: Tensor<S>, needsGradient flag: Bool) -> Var {
        values.append(tensor)
        gradients.append([])
        needsGradient.append(flag)
        return Var(id: values.count - 1)
    }

    /// Records `output` as computed from `inputs`; `backward` runs only if some input needs a
    /// gradient, and only once the output's gradient is non-zero.
    @inlinable public func record(_ output: Tensor<S>, from inputs: [Var], backward: @escaping (Var) -> Void) -> Var {
        let required = isRecording && inputs.contains { needsGradient[$0.id] }
        let result = append(output, needsGradient: required)
        if required { steps.append((output: result.id, run: { backward(result) })) }
        return result
    }

    /// Calls `body` with the gradient buffer of `v` (created as zeros on first use) when `v` needs a
    /// gradient; does nothing otherwise, so constants cost nothing on the way back.
    @inlinable public func accumulateGradient(_ v: Var, _ body: (UnsafeMutableBufferPointer<S>) -> Void) {
        guard needsGradient[v.id] else { return }
        if gradients[v.id].isEmpty { gradients[v.id] = [S](repeating: 0, count: values[v.id].count) }
        gradients[v.id].withUnsafeMutableBufferPointer { body($0) }
    }

    /// The gradient flowing into an op's output (never empty when a backward closure runs).
    @inlinable public func outputGradient(_ v: Var) -> [S] { gradients[v.id] }

    /// Records a one-input op over the rows of the last axis of `x` [.., width] (an elementwise op
    /// treats them as rows · width values), whose output is [.., width] (`keepsLastAxis`) or one
    /// value a row, [..]: it runs `forward(out, x, rows, width)` now and, on the way back,
    /// `backward(dx, dOut, x, y, rows, width)` with the input and the saved output y.
    @inlinable public func unary(
        _ x: Var, keepsLastAxis: Bool,
        forward: (UnsafeMutablePointer<S>, UnsafePointer<S>, Int, Int) -> Void,
        backward: @escaping (UnsafeMutablePointer<S>, UnsafePointer<S>, UnsafePointer<S>, UnsafePointer<S>, Int, Int) -> Void
    ) -> Var {
        let xv = values[x.id]
        let (rows, width) = (xv.rowCount, xv.lastDimension)
        let out: [S] = uninitializedArray(keepsLastAxis ? xv.count : rows) { o in
            xv.data.withUnsafeBufferPointer { forward(o, $0.baseAddress!, rows, width) }
        }
        let shape = keepsLastAxis ? xv.shape : Array(xv.shape.dropLast())
        return record(Tensor(shape: shape, data: out), from: [x]) { [unowned self] result in
            let dy = outputGradient(result)
            accumulateGradient(x) { dx in
                dy.withUnsafeBufferPointer { dyp in
                    xv.data.withUnsafeBufferPointer { xp in
                        out.withUnsafeBufferPointer {
                            backward(dx.baseAddress!, dyp.baseAddress!, xp.baseAddress!, $0.baseAddress!, rows, width)
                        }
                    }
                }
            }
        }
    }
}
