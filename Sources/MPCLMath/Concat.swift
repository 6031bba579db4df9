/// Token concatenation, one part at a time: out [B, total, d] receives part [B, n, d] (or a shared
/// part [n, d], the same for every window) in token rows [offset, offset + n) of every window.
@inlinable public func concatTokensForward<S: Real>(
    _ out: UnsafeMutablePointer<S>, _ part: UnsafePointer<S>, batch: Int, tokens: Int, total: Int, offset: Int, width: Int,
    shared: Bool
) {
    let block = tokens * width
    guard block > 0 else { return }
    for b in 0..<batch {
        (out + (b * total + offset) * width).update(from: part + (shared ? 0 : b * block), count: block)
    }
}

/// Gradient of `concatTokensForward` for one part, accumulated: dPart += its rows of dOut (summed
/// over the batch for a shared part).
@inlinable public func concatTokensBackward<S: Real>(
    dPart: UnsafeMutablePointer<S>, dOut: UnsafePointer<S>, batch: Int, tokens: Int, total: Int, offset: Int, width: Int,
    shared: Bool
) {
    let block = tokens * width
    for b in 0..<batch {
        let target = dPart + (shared ? 0 : b * block)
        let source = dOut + (b * total + offset) * width
        for i in 0..<block { target[i] += source[i] }
    }
}

/// Last-axis concatenation, one part at a time: out [rows, total] receives part [rows, width] in
/// columns [offset, offset + width).
@inlinable public func concatLastForward<S: Real>(
    _ out: UnsafeMutablePointer<S>, _ part: UnsafePointer<S>, rows: Int, width: Int, total: Int, offset: Int
) {
    guard width > 0 else { return }
    for r in 0..<rows { (out + r * total + offset).update(from: part + r * width, count: width) }
}

/// Gradient of `concatLastForward` for one part, accumulated: dPart[r, j] += dOut[r, offset + j].
@inlinable public func concatLastBackward<S: Real>(
    dPart: UnsafeMutablePointer<S>, dOut: UnsafePointer<S>, rows: Int, width: Int, total: Int, offset: Int
) {
    for r in 0..<rows {
        for j in 0..<width { dPart[r * width + j] += dOut[r * total + offset + j] }
    }
}

extension Tape {
    /// Concatenates token sequences for a batch of `batch` windows (`concatTokensForward`): each
    /// part is either [B, nᵢ, d] (per window) or [nᵢ, d] (shared by every window, e.g. learned
    /// memory slots), giving [B, Σnᵢ, d].
    @inlinable public func concatTokens(_ parts: [Var], batch: Int) -> Var {
        let width = values[parts[0].id].lastDimension
        var counts: [Int] = []
        var shared: [Bool] = []
        for part in parts {
            let shape = values[part.id].shape
            precondition(shape.last == width, "concatTokens: widths differ")
            if shape.count == 3 {
                precondition(shape[0] == batch, "concatTokens: batch differs")
                counts.append(shape[1])
                shared.append(false)
            } else {
                precondition(shape.count == 2, "concatTokens: parts must be [B, n, d] or [n, d]")
                counts.append(shape[0])
                shared.append(true)
            }
        }
        let total = counts.reduce(0, +)
        let offsets = startOffsets(counts)
        return concatenate(parts, shape: [batch, total, width]) { o, index, part in
            concatTokensForward(
                o, part, batch: batch, tokens: counts[index], total: total, offset: offsets[index], width: width, shared: shared[index])
        } backward: { dPart, dy, index in
            concatTokensBackward(
                dPart: dPart, dOut: dy, batch: batch, tokens: counts[index], total: total, offset: offsets[index], width: width,
                shared: shared[index])
        }
    }

    /// Concatenates along the last axis (`concatLastForward`); all parts share their leading axes.
    /// [.., dᵢ] → [.., Σdᵢ].
    @inlinable public func concatLast(_ parts: [Var]) -> Var {
        let widths = parts.map { values[$0.id].lastDimension }
        let rows = values[parts[0].id].rowCount
        let total = widths.reduce(0, +)
        for part in parts { precondition(values[part.id].rowCount == rows, "concatLast: row counts differ") }
        let offsets = startOffsets(widths)
        var shape = values[parts[0].id].shape
        shape[shape.count - 1] = total
        return concatenate(parts, shape: shape) { o, index, part in
            concatLastForward(o, part, rows: rows, width: widths[index], total: total, offset: offsets[index])
        } backward: { dPart, dy, index in
            concatLastBackward(dPart: dPart, dOut: dy, rows: rows, width: widths[index], total: total, offset: offsets[index])
        }
    }

    /// Records one output of `shape` assembled from `parts`: `forward(out, index, part)` writes part
    /// `index` into its place, and `backward(dPart, dOut, index)` accumulates that part's share of
    /// the output's gradient.
    @inlinable func concatenate(
        _ parts: [Var], shape: [Int], forward: (UnsafeMutablePointer<S>, Int, UnsafePointer<S>) -> Void,
        backward: @escaping (UnsafeMutablePointer<S>, UnsafePointer<S>, Int) -> Void
    ) -> Var {
        let out: [S] = uninitializedArray(shape.reduce(1, *)) { o in
            for (index, part) in parts.enumerated() {
                values[part.id].data.withUnsafeBufferPointer { forward(o, index, $0.baseAddress!) }
            }
        }
        return record(Tensor(shape: shape, data: out), from: parts) { [unowned self] result in
            let dy = outputGradient(result)
            for (index, part) in parts.enumerated() {
                accumulateGradient(part) { dp in dy.withUnsafeBufferPointer { backward(dp.baseAddress!, $0.baseAddress!, index) } }
            }
        }
    }
}

/// Where each of a run of consecutive blocks starts: [0, c₀, c₀ + c₁, …] for counts [c₀, c₁, …].
@inlinable func startOffsets(_ counts: [Int]) -> [Int] {
    var offsets: [Int] = []
    var offset = 0
    for count in counts {
        offsets.append(offset)
        offset += count
    }
    return offsets
}
