/// Matrix products on BLAS.
///
/// `matmulForward`: out[R×N] = A[R×K] · op(B), op(B) = Bᵀ for B[N×K] (`transposeB`, the layout of a
/// linear layer's weight) or B for B[K×N]. A single row uses gemv: at batch 1 a 1-row sgemm costs
/// several times more than the matrix-vector product (docs/PERFORMANCE.md).
@inlinable public func matmulForward<S: Real>(
    _ out: UnsafeMutablePointer<S>, _ a: UnsafePointer<S>, _ b: UnsafePointer<S>,
    rows: Int, inner: Int, columns: Int, transposeB: Bool
) {
    if rows == 1 {
        // y = op(B)ᵀ-view · a: for transposeB, B is N×K and y = B·a; else B is K×N and y = Bᵀ·a.
        S.gemv(
            transposeA: !transposeB, m: transposeB ? columns : inner, n: transposeB ? inner : columns, alpha: 1,
            a: b, lda: transposeB ? inner : columns, x: a, beta: 0, y: out)
    } else {
        S.gemm(
            transposeA: false, transposeB: transposeB, m: rows, n: columns, k: inner, alpha: 1,
            a: a, lda: inner, b: b, ldb: transposeB ? inner : columns, beta: 0, c: out, ldc: columns)
    }
}

/// Gradients of `matmulForward`, accumulated: dA += dOut · op(B)ᵀ; dB += dOutᵀ · A (transposeB) or
/// Aᵀ · dOut. Either gradient pointer may be nil when that input needs none.
@inlinable public func matmulBackward<S: Real>(
    dA: UnsafeMutablePointer<S>?, dB: UnsafeMutablePointer<S>?, dOut: UnsafePointer<S>,
    a: UnsafePointer<S>, b: UnsafePointer<S>, rows: Int, inner: Int, columns: Int, transposeB: Bool
) {
    if let dA {
        // dA[R×K] += dOut[R×N] · (transposeB ? B[N×K] : B[K×N]ᵀ)
        S.gemm(
            transposeA: false, transposeB: !transposeB, m: rows, n: inner, k: columns, alpha: 1,
            a: dOut, lda: columns, b: b, ldb: transposeB ? inner : columns, beta: 1, c: dA, ldc: inner)
    }
    if let dB {
        if transposeB {
            // dB[N×K] += dOutᵀ[N×R] · A[R×K]
            S.gemm(
                transposeA: true, transposeB: false, m: columns, n: inner, k: rows, alpha: 1,
                a: dOut, lda: columns, b: a, ldb: inner, beta: 1, c: dB, ldc: inner)
        } else {
            // dB[K×N] += Aᵀ[K×R] · dOut[R×N]
            S.gemm(
                transposeA: true, transposeB: false, m: inner, n: columns, k: rows, alpha: 1,
                a: a, lda: inner, b: dOut, ldb: columns, beta: 1, c: dB, ldc: columns)
        }
    }
}

/// Bias add over rows: out[r, j] += bias[j].
@inlinable public func biasAddForward<S: Real>(_ out: UnsafeMutablePointer<S>, _ bias: UnsafePointer<S>, rows: Int, columns: Int) {
    for r in 0..<rows {
        let row = out + r * columns
        for j in 0..<columns { row[j] += bias[j] }
    }
}

/// Gradient of the bias add: dBias[j] += Σ_r dOut[r, j].
@inlinable public func biasAddBackward<S: Real>(dBias: UnsafeMutablePointer<S>, dOut: UnsafePointer<S>, rows: Int, columns: Int) {
    for r in 0..<rows {
        let row = dOut + r * columns
        for j in 0..<columns { dBias[j] += row[j] }
    }
}

extension Tape {
    /// `x · Wᵀ + b` over the last axis of `x` (weight [out, in], PyTorch's layout), any leading axes.
    @inlinable public func linear(_ x: Var, weight: Var, bias: Var? = nil) -> Var {
        matmul(x, weight, transposeB: true, bias: bias)
    }

    /// `A · B` (B [K, N]) or `A · Bᵀ` (B [N, K]) over the last axis of `a`, plus an optional bias
    /// [N] on every row; `b` is one matrix shared by every row of `a` (a layer's weight, cached
    /// prototype keys).
    @inlinable public func matmul(_ a: Var, _ b: Var, transposeB: Bool, bias: Var? = nil) -> Var {
        let av = values[a.id]
        let bv = values[b.id]
        precondition(bv.shape.count == 2, "matmul: right operand must be a matrix")
        let rows = av.rowCount
        let inner = av.lastDimension
        let columns = transposeB ? bv.shape[0] : bv.shape[1]
        precondition(inner == (transposeB ? bv.shape[1] : bv.shape[0]), "matmul: \(av.shape) · \(bv.shape)")
        var outShape = av.shape
        outShape[outShape.count - 1] = columns
        var out: [S] = uninitializedArray(rows * columns) { _ in }
        out.withUnsafeMutableBufferPointer { o in
            av.data.withUnsafeBufferPointer { ap in
                bv.data.withUnsafeBufferPointer { bp in
                    matmulForward(
                        o.baseAddress!, ap.baseAddress!, bp.baseAddress!, rows: rows, inner: inner, columns: columns, transposeB: transposeB
                    )
                }
            }
            if let bias {
                precondition(values[bias.id].count == columns, "matmul: bias does not match \(columns) columns")
                values[bias.id].data.withUnsafeBufferPointer { bp in
                    biasAddForward(o.baseAddress!, bp.baseAddress!, rows: rows, columns: columns)
                }
            }
        }
        let inputs = bias.map { [a, b, $0] } ?? [a, b]
        return record(Tensor(shape: outShape, data: out), from: inputs) { [unowned self] result in
            let dy = outputGradient(result)
            backwardMatmul(dy: dy, a: a, b: b, batch: 1, rows: rows, inner: inner, columns: columns, transposeB: transposeB)
            if let bias {
                accumulateGradient(bias) { db in
                    dy.withUnsafeBufferPointer {
                        biasAddBackward(dBias: db.baseAddress!, dOut: $0.baseAddress!, rows: rows, columns: columns)
                    }
                }
            }
        }
    }

    /// The backward pass of `matmul` (batch 1, B shared by every row) and `batchedMatmul` (one A, B
    /// and dOut per batch element, packed one after another): `matmulBackward` per element, into the
    /// gradient of each input that needs one.
    @inlinable func backwardMatmul(dy: [S], a: Var, b: Var, batch: Int, rows: Int, inner: Int, columns: Int, transposeB: Bool) {
        let (aStride, bStride, oStride) = (rows * inner, inner * columns, rows * columns)
        let av = values[a.id].data
        let bv = values[b.id].data
        dy.withUnsafeBufferPointer { dyp in
            av.withUnsafeBufferPointer { ap in
                bv.withUnsafeBufferPointer { bp in
                    accumulateGradient(a) { da in
                        for i in 0..<batch {
                            matmulBackward(
                                dA: da.baseAddress! + i * aStride, dB: nil, dOut: dyp.baseAddress! + i * oStride,
                                a: ap.baseAddress! + i * aStride, b: bp.baseAddress! + i * bStride, rows: rows, inner: inner,
                                columns: columns, transposeB: transposeB)
                        }
                    }
                    accumulateGradient(b) { db in
                        for i in 0..<batch {
                            matmulBackward(
                                dA: nil, dB: db.baseAddress! + i * bStride, dOut: dyp.baseAddress! + i * oStride,
                                a: ap.baseAddress! + i * aStride, b: bp.baseAddress! + i * bStride, rows: rows, inner: inner,
                                columns: columns, transposeB: transposeB)
                        }
                    }
                }
            }
        }
    }

    /// Batched product over the leading axis: a [B, n, k] · b [B, m, k]ᵀ → [B, n, m] (`transposeB`),
    /// or a [B, n, k] · b [B, k, m] → [B, n, m]. Attention scores and weighted sums.
    @inlinable public func batchedMatmul(_ a: Var, _ b: Var, transposeB: Bool) -> Var {
        let av = values[a.id]
        let bv = values[b.id]
        precondition(av.shape.count == 3 && bv.shape.count == 3 && av.shape[0] == bv.shape[0], "batchedMatmul: \(av.shape), \(bv.shape)")
        let batch = av.shape[0]
        let rows = av.shape[1]
        let inner = av.shape[2]
        let columns = transposeB ? bv.shape[1] : bv.shape[2]
        precondition(inner == (transposeB ? bv.shape[2] : bv.shape[1]), "batchedMatmul: \(av.shape), \(bv.shape)")
        let aStride = rows * inner
        let bStride = bv.shape[1] * bv.shape[2]
        let oStride = rows * columns
        var out: [S] = uninitializedArray(batch * oStride) { _ in }
        out.withUnsafeMutableBufferPointer { o in
            av.data.withUnsafeBufferPointer { ap in
                bv.data.withUnsafeBufferPointer { bp in
                    for i in 0..<batch {
                        matmulForward(
                            o.baseAddress! + i * oStride, ap.baseAddress! + i * aStride, bp.baseAddress! + i * bStride, rows: rows,
                            inner: inner, columns: columns, transposeB: transposeB)
                    }
                }
            }
        }
        return record(Tensor(shape: [batch, rows, columns], data: out), from: [a, b]) { [unowned self] result in
            backwardMatmul(
                dy: outputGradient(result), a: a, b: b, batch: batch, rows: rows, inner: inner, columns: columns, transposeB: transposeB)
        }
    }
}
