/// Σᵢ wᵢ · termᵢ over `count` scalar terms: how the model's losses combine.
@inlinable public func weightedSumForward<S: Real>(_ terms: UnsafePointer<S>, weights: UnsafePointer<S>, count: Int) -> S {
    var total: S = 0
    for i in 0..<count { total += weights[i] * terms[i] }
    return total
}

/// Gradient of `weightedSumForward`, accumulated: dTermᵢ += dOut · wᵢ.
@inlinable public func weightedSumBackward<S: Real>(dTerms: UnsafeMutablePointer<S>, dOut: S, weights: UnsafePointer<S>, count: Int) {
    for i in 0..<count { dTerms[i] += dOut * weights[i] }
}

/// y = x · e^t over `count` values, for a learned scalar t (a temperature kept positive by
/// construction).
@inlinable public func scaleByExpForward<S: Real>(_ out: UnsafeMutablePointer<S>, _ x: UnsafePointer<S>, t: S, count: Int) {
    let factor = S.exp(t)
    for i in 0..<count { out[i] = x[i] * factor }
}

/// Gradient of `scaleByExpForward`, accumulated (either may be nil): dx += dOut · e^t;
/// dt += Σ dOut ⊙ y (y = x · e^t, the forward output).
@inlinable public func scaleByExpBackward<S: Real>(
    dx: UnsafeMutablePointer<S>?, dt: UnsafeMutablePointer<S>?, dOut: UnsafePointer<S>, y: UnsafePointer<S>, t: S, count: Int
) {
    if let dx {
        let factor = S.exp(t)
        for i in 0..<count { dx[i] += dOut[i] * factor }
    }
    if let dt {
        var sum: S = 0
        for i in 0..<count { sum += dOut[i] * y[i] }
        dt[0] += sum
    }
}

/// y = x + b · P over `count` values, for a learned scalar b and a constant pattern P [width]
/// tiled over x (width divides count).
@inlinable public func addScaledPatternForward<S: Real>(
    _ out: UnsafeMutablePointer<S>, _ x: UnsafePointer<S>, pattern: UnsafePointer<S>, scale b: S, count: Int, width: Int
) {
    for i in 0..<count { out[i] = x[i] + b * pattern[i % width] }
}

/// Gradient of `addScaledPatternForward`, accumulated (either may be nil): dx += dOut;
/// db += Σ dOut ⊙ P.
@inlinable public func addScaledPatternBackward<S: Real>(
    dx: UnsafeMutablePointer<S>?, dScale: UnsafeMutablePointer<S>?, dOut: UnsafePointer<S>, pattern: UnsafePointer<S>, count: Int,
    width: Int
) {
    if let dx { for i in 0..<count { dx[i] += dOut[i] } }
    if let dScale {
        var sum: S = 0
        for i in 0..<count { sum += dOut[i] * pattern[i % width] }
        dScale[0] += sum
    }
}

/// (1/rows) Σᵢ xᵢ · W_(i mod width) over `count` values, for a constant weight pattern W [width]
/// tiled over x: e.g. the mean, over emotions, of the association mass on emotions of the other
/// valence.
@inlinable public func weightedMeanForward<S: Real>(_ x: UnsafePointer<S>, weights: UnsafePointer<S>, count: Int, width: Int, rows: Int)
    -> S
{
    var total: S = 0
    for i in 0..<count { total += x[i] * weights[i % width] }
    return total * (1 / S(rows))
}

/// Gradient of `weightedMeanForward`, accumulated: dxᵢ += dOut · W_(i mod width) / rows.
@inlinable public func weightedMeanBackward<S: Real>(
    dx: UnsafeMutablePointer<S>, dOut: S, weights: UnsafePointer<S>, count: Int, width: Int, rows: Int
) {
    let g = dOut * (1 / S(rows))
    for i in 0..<count { dx[i] += g * weights[i % width] }
}

extension Tape {
    /// Σᵢ wᵢ · lossᵢ over scalar terms (`weightedSumForward`).
    @inlinable public func weightedSum(_ terms: [(Var, S)]) -> Var {
        let weights = terms.map(\.1)
        let scalars = terms.map { values[$0.0.id].data[0] }
        let total = weightedSumForward(scalars, weights: weights, count: terms.count)
        return record(Tensor(shape: [], data: [total]), from: terms.map(\.0)) { [unowned self] result in
            var dTerms = [S](repeating: 0, count: terms.count)
            weightedSumBackward(dTerms: &dTerms, dOut: outputGradient(result)[0], weights: weights, count: terms.count)
            for (index, (term, _)) in terms.enumerated() { accumulateGradient(term) { $0[0] += dTerms[index] } }
        }
    }

    /// x · e^t for a learned scalar t (`scaleByExpForward`).
    @inlinable public func scaleByExp(_ x: Var, _ t: Var) -> Var {
        let xv = values[x.id]
        let tv = values[t.id].data[0]
        let count = xv.count
        let out: [S] = uninitializedArray(count) { o in
            xv.data.withUnsafeBufferPointer { scaleByExpForward(o, $0.baseAddress!, t: tv, count: count) }
        }
        return record(Tensor(shape: xv.shape, data: out), from: [x, t]) { [unowned self] result in
            let dy = outputGradient(result)
            accumulateGradient(x) { dx in scaleByExpBackward(dx: dx.baseAddress!, dt: nil, dOut: dy, y: out, t: tv, count: count) }
            accumulateGradient(t) { dt in scaleByExpBackward(dx: nil, dt: dt.baseAddress!, dOut: dy, y: out, t: tv, count: count) }
        }
    }

    /// x + b · P for a learned scalar b and a constant pattern P tiled over x
    /// (`addScaledPatternForward`).
    @inlinable public func addScaledPattern(_ x: Var, pattern: Tensor<S>, scale b: Var) -> Var {
        let xv = values[x.id]
        let (count, width) = (xv.count, pattern.count)
        precondition(count % width == 0, "addScaledPattern: pattern does not tile")
        let factor = values[b.id].data[0]
        let out: [S] = uninitializedArray(count) { o in
            xv.data.withUnsafeBufferPointer {
                addScaledPatternForward(o, $0.baseAddress!, pattern: pattern.data, scale: factor, count: count, width: width)
            }
        }
        return record(Tensor(shape: xv.shape, data: out), from: [x, b]) { [unowned self] result in
            let dy = outputGradient(result)
            accumulateGradient(x) { dx in
                addScaledPatternBackward(dx: dx.baseAddress!, dScale: nil, dOut: dy, pattern: pattern.data, count: count, width: width)
            }
            accumulateGradient(b) { db in
                addScaledPatternBackward(dx: nil, dScale: db.baseAddress!, dOut: dy, pattern: pattern.data, count: count, width: width)
            }
        }
    }

    /// (1/rows) Σ x ⊙ W for a constant weight pattern W tiled over x (`weightedMeanForward`).
    @inlinable public func weightedMean(_ x: Var, weights: Tensor<S>, rows: Int) -> Var {
        let xv = values[x.id]
        let (count, width) = (xv.count, weights.count)
        precondition(count % width == 0, "weightedMean: weights do not tile")
        let mean = weightedMeanForward(xv.data, weights: weights.data, count: count, width: width, rows: rows)
        return record(Tensor(shape: [], data: [mean]), from: [x]) { [unowned self] result in
            let dOut = outputGradient(result)[0]
            accumulateGradient(x) { dx in
                weightedMeanBackward(dx: dx.baseAddress!, dOut: dOut, weights: weights.data, count: count, width: width, rows: rows)
            }
        }
    }
}
