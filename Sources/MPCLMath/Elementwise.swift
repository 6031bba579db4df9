/// Tiled addition: out[t, j] = a[t, j] + b[j] for a [tiles, width] and b [width] (same-shape
/// addition is one tile; bias and embedding broadcasts and constant masks are several).
@inlinable public func addForward<S: Real>(
    _ out: UnsafeMutablePointer<S>, _ a: UnsafePointer<S>, _ b: UnsafePointer<S>, tiles: Int, width: Int
) {
    out.update(from: a, count: tiles * width)
    biasAddForward(out, b, rows: tiles, columns: width)
}

/// Gradient of `addForward`, accumulated (either gradient may be nil): dA += dOut;
/// dB[j] += Σ_t dOut[t, j].
@inlinable public func addBackward<S: Real>(
    dA: UnsafeMutablePointer<S>?, dB: UnsafeMutablePointer<S>?, dOut: UnsafePointer<S>, tiles: Int, width: Int
) {
    if let dA { for i in 0..<tiles * width { dA[i] += dOut[i] } }
    if let dB { biasAddBackward(dBias: dB, dOut: dOut, rows: tiles, columns: width) }
}

/// Scaling by a constant over `count` values: y = x · factor (1/√d, 1/τ).
@inlinable public func scaleForward<S: Real>(_ out: UnsafeMutablePointer<S>, _ x: UnsafePointer<S>, factor: S, count: Int) {
    for i in 0..<count { out[i] = x[i] * factor }
}

/// Gradient of `scaleForward`, accumulated: dx += dOut · factor.
@inlinable public func scaleBackward<S: Real>(dx: UnsafeMutablePointer<S>, dOut: UnsafePointer<S>, factor: S, count: Int) {
    for i in 0..<count { dx[i] += dOut[i] * factor }
}

/// Elementwise exponential over `count` values: y = eˣ (`Real.exponentiate`, so −∞ gives 0).
@inlinable public func expForward<S: Real>(_ out: UnsafeMutablePointer<S>, _ x: UnsafePointer<S>, count: Int) {
    out.update(from: x, count: count)
    S.exponentiate(out, count: count)
}

/// Gradient of `expForward`, accumulated: dx += dOut ⊙ y, with y = eˣ the forward output.
@inlinable public func expBackward<S: Real>(dx: UnsafeMutablePointer<S>, dOut: UnsafePointer<S>, y: UnsafePointer<S>, count: Int) {
    for i in 0..<count { dx[i] += dOut[i] * y[i] }
}

/// Gradient of a reshape, accumulated: the values are the same under a new shape, so dx += dOut
/// over `count` values. (The forward pass shares storage and needs no function.)
@inlinable public func reshapeBackward<S: Real>(dx: UnsafeMutablePointer<S>, dOut: UnsafePointer<S>, count: Int) {
    for i in 0..<count { dx[i] += dOut[i] }
}

extension Tape {
    /// `a + b` where `b` is tiled over `a` (`addForward`): b.count must divide a.count and `a` is
    /// read as [a.count / b.count, b.count].
    @inlinable public func add(_ a: Var, _ b: Var) -> Var {
        let av = values[a.id]
        let bv = values[b.id]
        let width = bv.count
        precondition(width > 0 && av.count % width == 0, "add: \(bv.shape) does not tile \(av.shape)")
        let tiles = av.count / width
        let out: [S] = uninitializedArray(av.count) { o in
            av.data.withUnsafeBufferPointer { ap in
                bv.data.withUnsafeBufferPointer { addForward(o, ap.baseAddress!, $0.baseAddress!, tiles: tiles, width: width) }
            }
        }
        return record(Tensor(shape: av.shape, data: out), from: [a, b]) { [unowned self] result in
            let dy = outputGradient(result)
            accumulateGradient(a) { da in addBackward(dA: da.baseAddress!, dB: nil, dOut: dy, tiles: tiles, width: width) }
            accumulateGradient(b) { db in addBackward(dA: nil, dB: db.baseAddress!, dOut: dy, tiles: tiles, width: width) }
        }
    }

    /// `x · factor` for a constant factor (`scaleForward`).
    @inlinable public func scale(_ x: Var, by factor: S) -> Var {
        unary(x, keepsLastAxis: true) { o, xp, rows, width in
            scaleForward(o, xp, factor: factor, count: rows * width)
        } backward: { dx, dy, _, _, rows, width in
            scaleBackward(dx: dx, dOut: dy, factor: factor, count: rows * width)
        }
    }

    /// Elementwise eˣ (`expForward`), e.g. probabilities from log-probabilities.
    @inlinable public func exp(_ x: Var) -> Var {
        unary(x, keepsLastAxis: true) { o, xp, rows, width in
            expForward(o, xp, count: rows * width)
        } backward: { dx, dy, _, y, rows, width in
            expBackward(dx: dx, dOut: dy, y: y, count: rows * width)
        }
    }

    /// The same values under a new shape (no copy: the storage is shared; `reshapeBackward`).
    @inlinable public func reshape(_ x: Var, _ shape: [Int]) -> Var {
        record(values[x.id].reshaped(shape), from: [x]) { [unowned self] result in
            let dy = outputGradient(result)
            accumulateGradient(x) { dx in reshapeBackward(dx: dx.baseAddress!, dOut: dy, count: dx.count) }
        }
    }
}
