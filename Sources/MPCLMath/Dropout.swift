extension Tape {
    /// Inverted dropout: while training, each element is kept with probability 1 − p and scaled by
    /// 1/(1 − p), so inference needs no rescaling; otherwise the identity (no op is recorded).
    /// The mask comes from the tape's seeded generator, so a replayed tape drops the same elements.
    @inlinable public func dropout(_ x: Var, probability p: S) -> Var {
        guard isTraining, p > 0 else { return x }
        let xv = values[x.id]
        let keep = 1 / (1 - p)
        let threshold = Double(p)
        var mask = [S](repeating: 0, count: xv.count)
        for i in 0..<mask.count where generator.nextUnit() >= threshold { mask[i] = keep }
        var out = xv.data
        for i in 0..<out.count { out[i] *= mask[i] }
        return record(Tensor(shape: xv.shape, data: out), from: [x]) { [unowned self] result in
            let dy = outputGradient(result)
            accumulateGradient(x) { dx in for i in 0..<dx.count { dx[i] += dy[i] * mask[i] } }
        }
    }
}
