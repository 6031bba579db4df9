extension Tape {
    /// `a + b` where `b` is tiled over `a`: b.count must divide a.count and `a` is read as
    /// [a.count / b.count, b.count]. Covers same-shape addition, bias and embedding broadcasts, and
    /// adding a constant mask. Backward: da += dy; db += Σ_tiles dy.
    @inlinable public func add(_ a: Var, _ b: Var) -> Var {
        let av = values[a.id]
        let bv = values[b.id]
        let width = bv.count
        precondition(width > 0 && av.count % width == 0, "add: \(bv.shape) does not tile \(av.shape)")
        let tiles = av.count / width
        var out = av.data
        out.withUnsafeMutableBufferPointer { o in
            bv.data.withUnsafeBufferPointer { bp in biasAddForward(o.baseAddress!, bp.baseAddress!, rows: tiles, columns: width) }
        }
        return record(Tensor(shape: av.shape, data: out), from: [a, b]) { [unowned self] result in
            let dy = outputGradient(result)
            accumulateGradient(a) { da in for i in 0..<da.count { da[i] += dy[i] } }
            accumulateGradient(b) { db in
                dy.withUnsafeBufferPointer { biasAddBackward(dBias: db.baseAddress!, dOut: $0.baseAddress!, rows: tiles, columns: width) }
            }
        }
    }

    /// `x · factor` for a constant factor (1/√d, 1/τ).
    @inlinable public func scale(_ x: Var, by factor: S) -> Var {
        let out = values[x.id].data.map { $0 * factor }
        return record(Tensor(shape: values[x.id].shape, data: out), from: [x]) { [unowned self] result in
            let dy = outputGradient(result)
            accumulateGradient(x) { dx in for i in 0..<dx.count { dx[i] += dy[i] * factor } }
        }
    }

    /// Elementwise eˣ (e.g. probabilities from log-probabilities). Backward: dx += dy · eˣ.
    @inlinable public func exp(_ x: Var) -> Var {
        var out = values[x.id].data
        out.withUnsafeMutableBufferPointer { S.exponentiate($0.baseAddress!, count: $0.count) }
        return record(Tensor(shape: values[x.id].shape, data: out), from: [x]) { [unowned self] result in
            let dy = outputGradient(result)
            accumulateGradient(x) { dx in for i in 0..<dx.count { dx[i] += dy[i] * out[i] } }
        }
    }

    /// The same values under a new shape (no copy: the storage is shared).
    @inlinable public func reshape(_ x: Var, _ shape: [Int]) -> Var {
        let xv = values[x.id]
        return record(xv.reshaped(shape), from: [x]) { [unowned self] result in
            let dy = outputGradient(result)
            accumulateGradient(x) { dx in for i in 0..<dx.count { dx[i] += dy[i] } }
        }
    }

    /// x [B, d] → [B, copies, d], each row repeated. Backward sums the copies.
    @inlinable public func repeatRows(_ x: Var, copies: Int) -> Var {
        let xv = values[x.id]
        let width = xv.lastDimension
        let rows = xv.rowCount
        var out = [S](repeating: 0, count: rows * copies * width)
        for r in 0..<rows {
            for c in 0..<copies {
                for j in 0..<width { out[(r * copies + c) * width + j] = xv.data[r * width + j] }
            }
        }
        var shape = Array(xv.shape.dropLast())
        shape.append(contentsOf: [copies, width])
        return record(Tensor(shape: shape, data: out), from: [x]) { [unowned self] result in
            let dy = outputGradient(result)
            accumulateGradient(x) { dx in
                for r in 0..<rows {
                    for c in 0..<copies {
                        for j in 0..<width { dx[r * width + j] += dy[(r * copies + c) * width + j] }
                    }
                }
            }
        }
    }
}
