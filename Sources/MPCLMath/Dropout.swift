import Randomness

/// Inverted dropout over `count` values: each element is kept with probability 1 − p and scaled by
/// 1/(1 − p), so inference needs no rescaling: mask_i ∈ {0, 1/(1 − p)}, out_i = x_i · mask_i. The
/// mask [count] is drawn from `generator` (each 64-bit draw decides two elements: keep when a
/// 32-bit half ≥ p·2³²) and saved for the backward pass.
@inlinable public func dropoutForward<S: Real>(
    _ out: UnsafeMutablePointer<S>, mask: UnsafeMutablePointer<S>, _ x: UnsafePointer<S>, count: Int, probability p: S,
    generator: inout SeededGenerator
) {
    let keep = 1 / (1 - p)
    let threshold = UInt32(min(Double(p) * 4_294_967_296, 4_294_967_295))
    var random = generator  // a local copy keeps the generator in registers
    var i = 0
    while i < count {
        let bits = random.next()
        mask[i] = UInt32(truncatingIfNeeded: bits) >= threshold ? keep : 0
        if i + 1 < count { mask[i + 1] = UInt32(truncatingIfNeeded: bits >> 32) >= threshold ? keep : 0 }
        i += 2
    }
    generator = random
    for i in 0..<count { out[i] = x[i] * mask[i] }
}

/// Gradient of `dropoutForward`, accumulated: dx += dOut ⊙ mask.
@inlinable public func dropoutBackward<S: Real>(dx: UnsafeMutablePointer<S>, dOut: UnsafePointer<S>, mask: UnsafePointer<S>, count: Int) {
    for i in 0..<count { dx[i] += dOut[i] * mask[i] }
}

extension Tape {
    /// Inverted dropout (`dropoutForward`) while training; otherwise the identity (no op is
    /// recorded). The mask comes from the tape's seeded generator, so a replayed tape drops the
    /// same elements.
    @inlinable public func dropout(_ x: Var, probability p: S) -> Var {
        guard isTraining, p > 0 else { return x }
        let xv = values[x.id]
        let count = xv.count
        var mask: [S] = uninitializedArray(count) { _ in }
        let out: [S] = uninitializedArray(count) { o in
            mask.withUnsafeMutableBufferPointer { m in
                xv.data.withUnsafeBufferPointer {
                    dropoutForward(o, mask: m.baseAddress!, $0.baseAddress!, count: count, probability: p, generator: &generator)
                }
            }
        }
        return record(Tensor(shape: xv.shape, data: out), from: [x]) { [unowned self] result in
            let dy = outputGradient(result)
            accumulateGradient(x) { dx in
                dy.withUnsafeBufferPointer { dyp in
                    mask.withUnsafeBufferPointer {
                        dropoutBackward(dx: dx.baseAddress!, dOut: dyp.baseAddress!, mask: $0.baseAddress!, count: count)
                    }
                }
            }
        }
    }
}
