/// Row softmax with an inverse temperature: y = softmax(β·x) over the last axis, computed as
/// e^(βx − max) / Σ e^(βx − max) so it never overflows. Entries of −∞ get probability 0 (masks).
@inlinable public func softmaxForward<S: Real>(_ out: UnsafeMutablePointer<S>, _ x: UnsafePointer<S>, rows: Int, width: Int, beta: S) {
    for r in 0..<rows {
        let row = x + r * width
        let o = out + r * width
        // β > 0, so max(β·x) = β·max(x).
        let peak = beta * vectorMax(row, width)
        for j in 0..<width { o[j] = beta * row[j] - peak }
        S.exponentiate(o, count: width)
        let inverse = 1 / vectorSum(o, width)
        for j in 0..<width { o[j] *= inverse }
    }
}

/// Gradient of `softmaxForward`, accumulated: dx = β · y ⊙ (dy − Σ_j y_j dy_j).
@inlinable public func softmaxBackward<S: Real>(
    dx: UnsafeMutablePointer<S>, dOut: UnsafePointer<S>, y: UnsafePointer<S>, rows: Int, width: Int, beta: S
) {
    for r in 0..<rows {
        let yr = y + r * width
        let dy = dOut + r * width
        let dot = vectorDot(yr, dy, width)
        let d = dx + r * width
        for j in 0..<width { d[j] += beta * yr[j] * (dy[j] - dot) }
    }
}

/// Row log-sum-exp: out[r] = m + ln Σ_j e^(x_j − m), m = max_j x_j.
@inlinable public func logSumExpForward<S: Real>(_ out: UnsafeMutablePointer<S>, _ x: UnsafePointer<S>, rows: Int, width: Int) {
    let scratch = UnsafeMutablePointer<S>.allocate(capacity: max(width, 1))
    defer { scratch.deallocate() }
    for r in 0..<rows {
        let row = x + r * width
        let peak = vectorMax(row, width)
        for j in 0..<width { scratch[j] = row[j] - peak }
        S.exponentiate(scratch, count: width)
        out[r] = peak + S.log(vectorSum(scratch, width))
    }
}

/// Gradient of `logSumExpForward`, accumulated: dx[r, j] += dOut[r] · e^(x[r, j] − y[r]), the
/// softmax of the row, from the input x [rows, width] and the forward output y [rows].
@inlinable public func logSumExpBackward<S: Real>(
    dx: UnsafeMutablePointer<S>, dOut: UnsafePointer<S>, x: UnsafePointer<S>, y: UnsafePointer<S>, rows: Int, width: Int
) {
    for r in 0..<rows {
        for j in 0..<width { dx[r * width + j] += dOut[r] * S.exp(x[r * width + j] - y[r]) }
    }
}

/// Row log-softmax: y[r, j] = x[r, j] − logsumexp(x[r, :]) over x [rows, width]. Entries of −∞
/// (masks) stay −∞.
@inlinable public func logSoftmaxForward<S: Real>(_ out: UnsafeMutablePointer<S>, _ x: UnsafePointer<S>, rows: Int, width: Int) {
    let normalizers = UnsafeMutablePointer<S>.allocate(capacity: max(rows, 1))
    defer { normalizers.deallocate() }
    logSumExpForward(normalizers, x, rows: rows, width: width)
    for r in 0..<rows {
        for j in 0..<width { out[r * width + j] = x[r * width + j] - normalizers[r] }
    }
}

/// Gradient of `logSoftmaxForward`, accumulated, from its output y [rows, width]: with p = eʸ,
/// dx[r, j] += dOut[r, j] − p[r, j] · Σ_k dOut[r, k], the sums and updates taken over the entries
/// where y > −∞ (a masked entry gets no gradient).
@inlinable public func logSoftmaxBackward<S: Real>(
    dx: UnsafeMutablePointer<S>, dOut: UnsafePointer<S>, y: UnsafePointer<S>, rows: Int, width: Int
) {
    let probabilities = UnsafeMutablePointer<S>.allocate(capacity: max(width, 1))
    defer { probabilities.deallocate() }
    for r in 0..<rows {
        let (row, dy, d) = (y + r * width, dOut + r * width, dx + r * width)
        probabilities.update(from: row, count: width)
        S.exponentiate(probabilities, count: width)
        var total: S = 0
        for j in 0..<width where row[j] > -S.infinity { total += dy[j] }
        for j in 0..<width where row[j] > -S.infinity { d[j] += dy[j] - probabilities[j] * total }
    }
}

extension Tape {
    /// softmax(β·x) over the last axis (`softmaxForward`).
    @inlinable public func softmax(_ x: Var, beta: S = 1) -> Var {
        unary(x, keepsLastAxis: true) { o, xp, rows, width in
            softmaxForward(o, xp, rows: rows, width: width, beta: beta)
        } backward: { dx, dy, _, y, rows, width in
            softmaxBackward(dx: dx, dOut: dy, y: y, rows: rows, width: width, beta: beta)
        }
    }

    /// log softmax(x) over the last axis (`logSoftmaxForward`).
    @inlinable public func logSoftmax(_ x: Var) -> Var {
        unary(x, keepsLastAxis: true) { o, xp, rows, width in
            logSoftmaxForward(o, xp, rows: rows, width: width)
        } backward: { dx, dy, _, y, rows, width in
            logSoftmaxBackward(dx: dx, dOut: dy, y: y, rows: rows, width: width)
        }
    }

    /// logsumexp over the last axis (`logSumExpForward`): [.., K] → [..].
    @inlinable public func logSumExp(_ x: Var) -> Var {
        unary(x, keepsLastAxis: false) { o, xp, rows, width in
            logSumExpForward(o, xp, rows: rows, width: width)
        } backward: { dx, dy, xp, y, rows, width in
            logSumExpBackward(dx: dx, dOut: dy, x: xp, y: y, rows: rows, width: width)
        }
    }

}
