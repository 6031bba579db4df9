/// Row repetition: out[r, c, :] = x[r, :] for every copy c, for x [rows, d] → out [rows, copies, d]
/// (one pooled window becomes one query per emotion).
@inlinable public func repeatRowsForward<S: Real>(_ out: UnsafeMutablePointer<S>, _ x: UnsafePointer<S>, rows: Int, copies: Int, width: Int)
{
    guard width > 0 else { return }
    for r in 0..<rows {
        for c in 0..<copies { (out + (r * copies + c) * width).update(from: x + r * width, count: width) }
    }
}

/// Gradient of `repeatRowsForward`, accumulated: dx[r, :] += Σ_c dOut[r, c, :].
@inlinable public func repeatRowsBackward<S: Real>(dx: UnsafeMutablePointer<S>, dOut: UnsafePointer<S>, rows: Int, copies: Int, width: Int)
{
    for r in 0..<rows {
        for c in 0..<copies {
            for j in 0..<width { dx[r * width + j] += dOut[(r * copies + c) * width + j] }
        }
    }
}

extension Tape {
    /// x [.., d] → [.., copies, d], each row repeated (`repeatRowsForward`).
    @inlinable public func repeatRows(_ x: Var, copies: Int) -> Var {
        let xv = values[x.id]
        let (rows, width) = (xv.rowCount, xv.lastDimension)
        let out: [S] = uninitializedArray(rows * copies * width) { o in
            xv.data.withUnsafeBufferPointer { repeatRowsForward(o, $0.baseAddress!, rows: rows, copies: copies, width: width) }
        }
        var shape = Array(xv.shape.dropLast())
        shape.append(contentsOf: [copies, width])
        return record(Tensor(shape: shape, data: out), from: [x]) { [unowned self] result in
            let dy = outputGradient(result)
            accumulateGradient(x) { dx in repeatRowsBackward(dx: dx.baseAddress!, dOut: dy, rows: rows, copies: copies, width: width) }
        }
    }
}
