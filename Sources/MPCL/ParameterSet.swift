import MPCLMath
import Randomness

/// A model's trainable tensors as one contiguous buffer (as in llm.c): every parameter, in a fixed
/// order, occupies a range of `buffer` under a readable hierarchical name
/// (`msam.phys.query.weight`). Gradients and Adam's moments are buffers of the same layout, so the
/// optimiser is one loop over the whole model and a checkpoint writes the buffer in order.
public struct ParameterSet<S: Real>: Sendable {
    /// Where one parameter lives in `buffer`.
    public struct Slot: Equatable, Sendable {
        public let name: String
        public let offset: Int
        public let shape: [Int]
        public var count: Int { shape.reduce(1, *) }
        public var range: Range<Int> { offset..<offset + count }
    }

    /// The parameters in order: the checkpoint's order and the buffer's.
    public private(set) var slots: [Slot] = []
    /// Every parameter's values, one after another in `slots` order.
    public var buffer: [S] = []
    private var positions: [String: Int] = [:]

    public init() {}

    /// Appends a tensor under a new name.
    public mutating func add(_ name: String, _ tensor: Tensor<S>) {
        precondition(positions[name] == nil, "duplicate parameter \(name)")
        positions[name] = slots.count
        slots.append(Slot(name: name, offset: buffer.count, shape: tensor.shape))
        buffer.append(contentsOf: tensor.data)
    }

    /// The names in order.
    public var names: [String] { slots.map(\.name) }

    /// The position of `name` in `slots`, or nil.
    public func position(of name: String) -> Int? { positions[name] }

    /// A copy of the parameter at `position`.
    public func tensor(at position: Int) -> Tensor<S> {
        let slot = slots[position]
        return Tensor(shape: slot.shape, data: Array(buffer[slot.range]))
    }

    /// Copies of every parameter, in order.
    public var tensors: [Tensor<S>] { slots.indices.map(tensor(at:)) }

    /// The tensor called `name` (which must exist: names come from the model's own code); setting
    /// it writes its range of the buffer, so the shape must stay the same.
    public subscript(name: String) -> Tensor<S> {
        get { tensor(at: positions[name]!) }
        set {
            let slot = slots[positions[name]!]
            precondition(newValue.shape == slot.shape, "parameter \(name) is \(slot.shape), not \(newValue.shape)")
            buffer.replaceSubrange(slot.range, with: newValue.data)
        }
    }

    /// Total number of scalars.
    public var scalarCount: Int { buffer.count }
}

/// Seeded initialisation as docs/MODEL.md states it.
struct Initializer {
    var generator: SeededGenerator

    /// Linear layer [out, in] and bias [out], both uniform in ±1/√fan_in (PyTorch's nn.Linear).
    mutating func linear<S: Real>(_ parameters: inout ParameterSet<S>, _ name: String, in fanIn: Int, out: Int, bias: Bool = true) {
        let bound = 1 / Double(fanIn).squareRoot()
        parameters.add(name + ".weight", uniform([out, fanIn], bound: bound))
        if bias { parameters.add(name + ".bias", uniform([out], bound: bound)) }
    }

    /// LayerNorm gain 1 and bias 0.
    func layerNorm<S: Real>(_ parameters: inout ParameterSet<S>, _ name: String, width: Int) {
        parameters.add(name + ".weight", Tensor(repeating: 1, shape: [width]))
        parameters.add(name + ".bias", Tensor(zeros: [width]))
    }

    mutating func uniform<S: Real>(_ shape: [Int], bound: Double) -> Tensor<S> {
        Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in S((generator.nextUnit() * 2 - 1) * bound) })
    }

    mutating func normal<S: Real>(_ shape: [Int], std: Double) -> Tensor<S> {
        Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in S(generator.nextGaussian() * std) })
    }
}
