import MPCLMath

/// A model's trainable tensors, in a fixed order, each under a readable hierarchical name
/// (`msam.phys.query.weight`). The order is the checkpoint's order and the optimiser's.
public struct ParameterSet<S: Real>: Sendable {
    public private(set) var names: [String] = []
    public var tensors: [Tensor<S>] = []
    private var positions: [String: Int] = [:]

    public init() {}

    /// Adds a tensor under a new name.
    public mutating func add(_ name: String, _ tensor: Tensor<S>) {
        precondition(positions[name] == nil, "duplicate parameter \(name)")
        positions[name] = names.count
        names.append(name)
        tensors.append(tensor)
    }

    /// The position of `name`, or nil.
    public func position(of name: String) -> Int? { positions[name] }

    /// The tensor called `name` (which must exist: names come from the model's own code).
    public subscript(name: String) -> Tensor<S> {
        get { tensors[positions[name]!] }
        set { tensors[positions[name]!] = newValue }
    }

    /// Total number of scalars.
    public var scalarCount: Int { tensors.reduce(0) { $0 + $1.count } }
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
