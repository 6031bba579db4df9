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
        var out = [S](repeating: 0, count: batch * total * width)
        var offset = 0
        for (index, part) in parts.enumerated() {
            let data = values[part.id].data
            let block = counts[index] * width
            for b in 0..<batch {
                let source = shared[index] ? 0 : b * block
                let destination = (b * total + offset) * width
                for i in 0..<block { out[destination + i] = data[source + i] }
            }
            offset += counts[index]
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
        var out = [S](repeating: 0, count: rows * total)
        var offset = 0
        for (index, part) in parts.enumerated() {
            let data = values[part.id].data
            precondition(values[part.id].rowCount == rows, "concatLast: row counts differ")
            let width = widths[index]
            for r in 0..<rows {
                for j in 0..<width { out[r * total + offset + j] = data[r * width + j] }
            }
            offset += width
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
