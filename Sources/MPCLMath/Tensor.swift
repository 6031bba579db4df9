/// The project's one tensor type: a shape and a contiguous row-major buffer.
///
/// It is a value type backed by an `Array`, so handing a parameter to a tape or to another thread
/// shares storage until someone writes (copy-on-write); nothing is copied on the inference path.
public struct Tensor<S: Real>: Sendable {
    public var shape: [Int]
    public var data: [S]

    /// A tensor over `data`, whose count must equal the product of `shape`.
    @inlinable public init(shape: [Int], data: [S]) {
        precondition(shape.reduce(1, *) == data.count, "tensor data does not match its shape \(shape)")
        self.shape = shape
        self.data = data
    }

    /// A tensor of zeros.
    @inlinable public init(zeros shape: [Int]) {
        self.shape = shape
        self.data = [S](repeating: 0, count: shape.reduce(1, *))
    }

    /// A tensor whose every element is `value`.
    @inlinable public init(repeating value: S, shape: [Int]) {
        self.shape = shape
        self.data = [S](repeating: value, count: shape.reduce(1, *))
    }

    @inlinable public var count: Int { data.count }

    /// The size of the last axis (1 for a scalar).
    @inlinable public var lastDimension: Int { shape.last ?? 1 }

    /// The number of rows when every axis but the last is flattened.
    @inlinable public var rowCount: Int { lastDimension == 0 ? 0 : count / lastDimension }

    /// The same data under another shape with the same element count.
    @inlinable public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, data: data)
    }
}

extension Tensor: Equatable where S: Equatable {}
