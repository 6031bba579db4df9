extension Tape {
    /// Concatenates token sequences for a batch of `batch` windows: each part is either [B, nᵢ, d]
    /// (per window) or [nᵢ, d] (shared by every window, e.g. learned memory slots), giving
    /// [B, Σnᵢ, d]. Backward routes each block of rows back to its part (summed over the batch for
    /// shared parts).
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
        let out: [S] = uninitializedArray(batch * total * width) { o in
            var offset = 0
            for (index, part) in parts.enumerated() {
                let block = counts[index] * width
                values[part.id].data.withUnsafeBufferPointer { data in
                    for b in 0..<batch where block > 0 {
                        let source = shared[index] ? 0 : b * block
                        (o + (b * total + offset) * width).initialize(from: data.baseAddress! + source, count: block)
                    }
                }
                offset += counts[index]
            }
        }
        return record(Tensor(shape: [batch, total, width], data: out), from: parts) { [unowned self] result in
            let dy = outputGradient(result)
            var offset = 0
            for (index, part) in parts.enumerated() {
                let block = counts[index] * width
                let start = offset
                accumulateGradient(part) { dp in
                    for b in 0..<batch {
                        let target = shared[index] ? 0 : b * block
                        let source = (b * total + start) * width
                        for i in 0..<block { dp[target + i] += dy[source + i] }
                    }
                }
                offset += counts[index]
            }
        }
    }

    /// Concatenates along the last axis; all parts share their leading axes. [.., dᵢ] → [.., Σdᵢ].
    @inlinable public func concatLast(_ parts: [Var]) -> Var {
        let widths = parts.map { values[$0.id].lastDimension }
        let rows = values[parts[0].id].rowCount
        let total = widths.reduce(0, +)
        for part in parts { precondition(values[part.id].rowCount == rows, "concatLast: row counts differ") }
        let out: [S] = uninitializedArray(rows * total) { o in
            var offset = 0
            for (index, part) in parts.enumerated() {
                let width = widths[index]
                values[part.id].data.withUnsafeBufferPointer { data in
                    for r in 0..<rows where width > 0 {
                        (o + r * total + offset).initialize(from: data.baseAddress! + r * width, count: width)
                    }
                }
                offset += width
            }
        }
        var shape = values[parts[0].id].shape
        shape[shape.count - 1] = total
        return record(Tensor(shape: shape, data: out), from: parts) { [unowned self] result in
            let dy = outputGradient(result)
            var offset = 0
            for (index, part) in parts.enumerated() {
                let width = widths[index]
                let start = offset
                accumulateGradient(part) { dp in
                    for r in 0..<rows {
                        for j in 0..<width { dp[r * width + j] += dy[r * total + start + j] }
                    }
                }
                offset += width
            }
        }
    }
}
