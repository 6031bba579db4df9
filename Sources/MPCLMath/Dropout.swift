extension Tape {
    /// Inverted dropout: while training, each element is kept with probability 1 − p and scaled by
    /// 1/(1 − p), so inference needs no rescaling; otherwise the identity (no op is recorded).
    /// The mask comes from the tape's seeded generator, so a replayed tape drops the same elements.
    @inlinable public func dropout(_ x: Var, probability p: S) -> Var {
        guard isTraining, p > 0 else { return x }
        let xv = values[x.id]
        let keep = 1 / (1 - p)
        // Each 64-bit draw decides two elements: keep when a 32-bit half ≥ p·2³².
        let threshold = UInt32(min(Double(p) * 4_294_967_296, 4_294_967_295))
        var random = generator  // a local copy keeps the generator in registers
        let count = xv.count
        let mask: [S] = uninitializedArray(count) { m in
            var i = 0
            while i < count {
                let bits = random.next()
                m[i] = UInt32(truncatingIfNeeded: bits) >= threshold ? keep : 0
                if i + 1 < count { m[i + 1] = UInt32(truncatingIfNeeded: bits >> 32) >= threshold ? keep : 0 }
                i += 2
            }
        }
        generator = random
        var out = xv.data
        for i in 0..<out.count { out[i] *= mask[i] }
        return record(Tensor(shape: xv.shape, data: out), from: [x]) { [unowned self] result in
            let dy = outputGradient(result)
            accumulateGradient(x) { dx in for i in 0..<dx.count { dx[i] += dy[i] * mask[i] } }
        }
    }
}
