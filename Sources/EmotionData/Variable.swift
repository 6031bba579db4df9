/// One named array read from a data file, whatever its format: the common currency between the
/// MAT/NumPy readers and the layouts, so that a layout never knows which format it reads.
///
/// `values` are in row-major (C) order: for shape [a, b, c] element (i, j, k) is at
/// `(i * b + j) * c + k`. MATLAB's column-major data is reordered on reading.
public struct Variable: Equatable, Sendable {
    public var name: String
    public var shape: [Int]
    public var values: [Double]
    /// The type the file declared (MAT class or NumPy dtype), for messages and for writing back.
    public var elementType: ElementType

    public init(name: String, shape: [Int], values: [Double], elementType: ElementType = .float64) {
        self.name = name
        self.shape = shape
        self.values = values
        self.elementType = elementType
    }

    /// Number of elements (the product of the shape).
    public var count: Int { shape.reduce(1, *) }

    /// The shape without dimensions of length 1, so that a MATLAB 1×N, an N×1 and a NumPy (N,)
    /// vector all read as [N].
    public var squeezedShape: [Int] { shape.filter { $0 != 1 } }

    /// The text of a char array (MATLAB strings), or nil for numeric arrays.
    public var text: String? {
        guard elementType == .char else { return nil }
        let units = values.map { UInt16(clamping: Int($0)) }
        return String(decoding: units, as: UTF16.self)
    }

    /// The shape as the user reads it in messages: `696×18×4`.
    public var shapeText: String { shape.map(String.init).joined(separator: "×") }
}

/// Converts column-major (Fortran/MATLAB) element order to row-major (C) order for `shape`.
func rowMajor(fromColumnMajor values: [Double], shape: [Int]) -> [Double] {
    guard shape.count > 1, values.count > 1 else { return values }
    // Column-major stride of each axis: axis 0 moves fastest.
    var columnStrides = [Int](repeating: 1, count: shape.count)
    for axis in 1..<shape.count { columnStrides[axis] = columnStrides[axis - 1] * shape[axis - 1] }
    var output = [Double](repeating: 0, count: values.count)
    var index = [Int](repeating: 0, count: shape.count)
    var source = 0
    for target in 0..<values.count {
        output[target] = values[source]
        // Advance the row-major multi-index (last axis fastest), tracking the column-major offset.
        var axis = shape.count - 1
        while axis >= 0 {
            index[axis] += 1
            source += columnStrides[axis]
            if index[axis] < shape[axis] { break }
            source -= columnStrides[axis] * shape[axis]
            index[axis] = 0
            axis -= 1
        }
    }
    return output
}

/// Converts row-major (C) element order to column-major (MATLAB) order for `shape`.
func columnMajor(fromRowMajor values: [Double], shape: [Int]) -> [Double] {
    // Reading row-major data as column-major of the reversed shape is a transpose of axes.
    rowMajor(fromColumnMajor: values, shape: shape.reversed())
}
