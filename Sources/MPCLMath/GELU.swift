/// Exact GELU, as PyTorch's default: y = x · Φ(x) = ½ x (1 + erf(x / √2)).
/// dy/dx = Φ(x) + x · φ(x), φ(x) = e^(−x²/2) / √(2π).
@inlinable public func geluForward<S: Real>(_ out: UnsafeMutablePointer<S>, _ x: UnsafePointer<S>, count: Int) {
    let invSqrt2 = S(0.70710678118654752440)
    for i in 0..<count { out[i] = S(0.5) * x[i] * (1 + S.erf(x[i] * invSqrt2)) }
}

/// Gradient of `geluForward`, accumulated into dx.
@inlinable public func geluBackward<S: Real>(dx: UnsafeMutablePointer<S>, dOut: UnsafePointer<S>, x: UnsafePointer<S>, count: Int) {
    let invSqrt2 = S(0.70710678118654752440)
    let invSqrt2Pi = S(0.39894228040143267794)
    for i in 0..<count {
        let cdf = S(0.5) * (1 + S.erf(x[i] * invSqrt2))
        let pdf = invSqrt2Pi * S.exp(-S(0.5) * x[i] * x[i])
        dx[i] += dOut[i] * (cdf + x[i] * pdf)
    }
}

extension Tape {
    /// Exact GELU, elementwise.
    @inlinable public func gelu(_ x: Var) -> Var {
        let xv = values[x.id]
        var out = [S](repeating: 0, count: xv.count)
        out.withUnsafeMutableBufferPointer { o in
            xv.data.withUnsafeBufferPointer { geluForward(o.baseAddress!, $0.baseAddress!, count: xv.count) }
        }
        return record(Tensor(shape: xv.shape, data: out), from: [x]) { [unowned self] result in
            let dy = outputGradient(result)
            accumulateGradient(x) { dx in
                dy.withUnsafeBufferPointer { dyp in
                    xv.data.withUnsafeBufferPointer {
                        geluBackward(dx: dx.baseAddress!, dOut: dyp.baseAddress!, x: $0.baseAddress!, count: xv.count)
                    }
                }
            }
        }
    }
}
