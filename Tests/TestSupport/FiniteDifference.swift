/// Numerical derivatives for gradient checks: every analytic backward pass in the tests (the
/// kernels, their plain forward/backward pairs, the whole model's loss) is compared with these.
public enum FiniteDifference {
    public enum Order: Sendable {
        /// (L(x + h) − L(x − h)) / 2h: truncation error O(h²·L‴).
        case second
        /// (−L(x + 2h) + 8L(x + h) − 8L(x − h) + L(x − 2h)) / 12h: truncation error O(h⁴·L⁽⁵⁾).
        case fourth
    }

    /// ∂L/∂xᵢ for every element of `point`, each by central differences of `loss` with step `step`
    /// along that element alone.
    public static func gradient(
        at point: [Double], step: Double, order: Order = .second, _ loss: ([Double]) -> Double
    ) -> [Double] {
        var probe = point
        func lossAt(_ element: Int, offset: Double) -> Double {
            probe[element] = point[element] + offset
            defer { probe[element] = point[element] }
            return loss(probe)
        }
        return point.indices.map { element in
            switch order {
            case .second:
                let values = [step, -step].map { lossAt(element, offset: $0) }
                return (values[0] - values[1]) / (2 * step)
            case .fourth:
                let values = [2 * step, step, -step, -2 * step].map { lossAt(element, offset: $0) }
                return (-values[0] + 8 * values[1] - 8 * values[2] + values[3]) / (12 * step)
            }
        }
    }

    /// ‖analytic − numeric‖ / max(‖analytic‖, ‖numeric‖). When both norms are below
    /// `absoluteBelow`, the absolute ‖analytic − numeric‖ instead: a gradient that is exactly zero
    /// by symmetry would otherwise be judged by a ratio of rounding noise.
    public static func relativeError(_ analytic: [Double], _ numeric: [Double], absoluteBelow floor: Double = 0) -> Double {
        let difference = zip(analytic, numeric).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
        let scale = max(norm(analytic), norm(numeric))
        if scale < floor { return difference }
        return difference / max(scale, 1e-300)
    }

    /// The Euclidean norm √(Σ xᵢ²).
    public static func norm(_ values: [Double]) -> Double { values.map { $0 * $0 }.reduce(0, +).squareRoot() }
}
