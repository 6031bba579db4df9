/// Exact GELU, as PyTorch's default: y = x · Φ(x) = ½ x (1 + erf(x / √2)).
/// dy/dx = Φ(x) + x · φ(x), φ(x) = e^(−x²/2) / √(2π).
@inlinable public func geluForward<S: Real>(_ out: UnsafeMutablePointer<S>, _ x: UnsafePointer<S>, count: Int) {
    let invSqrt2 = S(0.70710678118654752440)
    for i in 0..<count { out[i] = x[i] * invSqrt2 }
    S.errorFunction(out, count: count)
    for i in 0..<count { out[i] = S(0.5) * x[i] * (1 + out[i]) }
}

/// Gradient of `geluForward`, accumulated into dx.
@inlinable public func geluBackward<S: Real>(dx: UnsafeMutablePointer<S>, dOut: UnsafePointer<S>, x: UnsafePointer<S>, count: Int) {
    let invSqrt2 = S(0.70710678118654752440)
    let invSqrt2Pi = S(0.39894228040143267794)
    let cdf = UnsafeMutablePointer<S>.allocate(capacity: max(count, 1))
    let pdf = UnsafeMutablePointer<S>.allocate(capacity: max(count, 1))
    defer {
        cdf.deallocate()
        pdf.deallocate()
    }
    for i in 0..<count {
        cdf[i] = x[i] * invSqrt2
        pdf[i] = -S(0.5) * x[i] * x[i]
    }
    S.errorFunction(cdf, count: count)
    S.exponentiate(pdf, count: count)
    for i in 0..<count {
        dx[i] += dOut[i] * (S(0.5) * (1 + cdf[i]) + x[i] * invSqrt2Pi * pdf[i])
    }
}

extension Tape {
    /// Exact GELU, elementwise (`geluForward`).
    @inlinable public func gelu(_ x: Var) -> Var {
        unary(x, keepsLastAxis: true) { o, xp, rows, width in
            geluForward(o, xp, count: rows * width)
        } backward: { dx, dy, xp, _, rows, width in
            geluBackward(dx: dx, dOut: dy, x: xp, count: rows * width)
        }
    }
}
