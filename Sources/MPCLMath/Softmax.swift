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

extension Tape {
    /// softmax(β·x) over the last axis.
    @inlinable public func softmax(_ x: Var, beta: S = 1) -> Var {
        let xv = values[x.id]
        let width = xv.lastDimension
        let rows = xv.rowCount
        let out: [S] = uninitializedArray(xv.count) { o in
            xv.data.withUnsafeBufferPointer { softmaxForward(o, $0.baseAddress!, rows: rows, width: width, beta: beta) }
        }
        return record(Tensor(shape: xv.shape, data: out), from: [x]) { [unowned self] result in
            let dy = outputGradient(result)
            accumulateGradient(x) { dx in
                dy.withUnsafeBufferPointer { dyp in
                    out.withUnsafeBufferPointer {
                        softmaxBackward(
                            dx: dx.baseAddress!, dOut: dyp.baseAddress!, y: $0.baseAddress!, rows: rows, width: width, beta: beta)
                    }
                }
            }
        }
    }

    /// log softmax(x) over the last axis: x − logsumexp(x). −∞ entries stay −∞ (and get no gradient).
    /// Backward: dx = dy − softmax(x) · Σ_j dy_j.
    @inlinable public func logSoftmax(_ x: Var) -> Var {
        let xv = values[x.id]
        let width = xv.lastDimension
        let rows = xv.rowCount
        let lse: [S] = uninitializedArray(rows) { l in
            xv.data.withUnsafeBufferPointer { logSumExpForward(l, $0.baseAddress!, rows: rows, width: width) }
        }
        var out = xv.data
        for r in 0..<rows {
            for j in 0..<width { out[r * width + j] -= lse[r] }
        }
        return record(Tensor(shape: xv.shape, data: out), from: [x]) { [unowned self] result in
            let dy = outputGradient(result)
            accumulateGradient(x) { dx in
                var probabilities = out
                probabilities.withUnsafeMutableBufferPointer { S.exponentiate($0.baseAddress!, count: $0.count) }
                for r in 0..<rows {
                    var total: S = 0
                    for j in 0..<width where out[r * width + j] > -S.infinity { total += dy[r * width + j] }
                    for j in 0..<width where out[r * width + j] > -S.infinity {
                        dx[r * width + j] += dy[r * width + j] - probabilities[r * width + j] * total
                    }
                }
            }
        }
    }

    /// logsumexp over the last axis: [.., K] → [..]. Backward: dx = dy · softmax(x).
    @inlinable public func logSumExp(_ x: Var) -> Var {
        let xv = values[x.id]
        let width = xv.lastDimension
        let rows = xv.rowCount
        let out: [S] = uninitializedArray(rows) { o in
            xv.data.withUnsafeBufferPointer { logSumExpForward(o, $0.baseAddress!, rows: rows, width: width) }
        }
        return record(Tensor(shape: Array(xv.shape.dropLast()), data: out), from: [x]) { [unowned self] result in
            let dy = outputGradient(result)
            accumulateGradient(x) { dx in
                for r in 0..<rows {
                    for j in 0..<width { dx[r * width + j] += dy[r] * S.exp(xv.data[r * width + j] - out[r]) }
                }
            }
        }
    }
}
