/// The shape of a V2 input as read: its dimensions up to `keptDimensions` (every shape a model
/// takes has at most 3), how many there are, and the number of values they hold.
///
/// Refusals show a shape as `[1, 18, 5]`; one of more than `keptDimensions` dimensions is shown
/// by its first ones and its length, so a hostile shape of a million dimensions is neither kept
/// nor echoed back (docs/SERVICE.md: messages never echo request bytes at length).
struct V2Shape: Equatable, CustomStringConvertible {
    static let keptDimensions = 8

    private(set) var dimensions: [Int] = []
    private(set) var count = 0
    /// The product of the dimensions, nil once it overflows `Int` (then it stays nil, as the
    /// product is refused whatever later dimensions are).
    private(set) var valueCount: Int? = 1

    init() {}

    init(_ dimensions: [Int]) {
        for dimension in dimensions { append(dimension) }
    }

    mutating func append(_ dimension: Int) {
        if count < Self.keptDimensions { dimensions.append(dimension) }
        count += 1
        // Each dimension is bounded, their product is not: multiply without trapping on overflow.
        if let product = valueCount {
            let (next, overflow) = product.multipliedReportingOverflow(by: dimension)
            valueCount = overflow ? nil : next
        }
    }

    /// The batch dimension, if any.
    var rows: Int? { dimensions.first }

    /// The dimensions after the batch dimension (nil for a shape longer than any model takes).
    var rowShape: [Int]? { count <= Self.keptDimensions ? Array(dimensions.dropFirst()) : nil }

    var description: String {
        guard count > Self.keptDimensions else { return "\(dimensions)" }
        return "[" + dimensions.map(String.init).joined(separator: ", ") + ", … (\(count) dimensions)]"
    }
}
