import Randomness
import Testing

@testable import MPCLMath

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `multiScaleRetrieval` at every instruction set this CPU has against its definition in Double:
/// s_j = q · k_j over the keys of every segment in order, p_s = softmax(β_s s), Z_s = Σ_j p_s,j v_j.
/// Shapes cover the vectorised widths (16, 64, 128: one, four and eight vectors per row), widths
/// that take the plain loop (20), odd and even row counts (the 2-row tiles), key counts that are
/// and are not multiples of 8 and 16 (the padded score tiles), one to four scales (groups of three
/// with a partial group; scales 4× apart, which share one exponential, at the default and at large
/// inverse temperatures), a shared segment (window stride 0, like the learned slots), and per-window
/// segments whose keys lie in a wider projection (the plan's [Q | K] rows) and whose values lie
/// elsewhere with another stride (the states themselves).
@Suite struct MultiScaleRetrievalTests {
    struct Shape {
        let width: Int
        let rows: Int
        let windows: Int
        let extraKeys: Int
        let slots: Int
        let betas: [Float]
    }

    @Test func everyLevelMatchesTheDefinition() {
        var generator = SeededGenerator(seed: 41)
        func random(_ count: Int, _ scale: Float) -> [Float] {
            (0..<count).map { _ in Float.random(in: -scale...scale, using: &generator) }
        }
        let shapes = [
            Shape(width: 64, rows: 19, windows: 3, extraKeys: 8, slots: 16, betas: [0.03125, 0.125, 0.5]),
            Shape(width: 64, rows: 4, windows: 2, extraKeys: 0, slots: 16, betas: [0.125]),
            // Scales 4× apart share one exponential; these large ones flush most of its powers to zero.
            Shape(width: 64, rows: 5, windows: 2, extraKeys: 5, slots: 3, betas: [0.5, 2, 8]),
            Shape(width: 16, rows: 1, windows: 4, extraKeys: 3, slots: 1, betas: [0.2, 0.4, 0.8, 1.6]),
            Shape(width: 128, rows: 3, windows: 2, extraKeys: 21, slots: 5, betas: [0.05, 0.1]),
            Shape(width: 20, rows: 5, windows: 2, extraKeys: 2, slots: 7, betas: [0.1, 1]),
        ]
        var levelsRun = Set<PackedMatmulLevel>()
        for shape in shapes {
            let d = shape.width
            // The queries' own keys are the K thirds of [Q | K | ·] rows; their values are `states`.
            let projected = random(shape.windows * shape.rows * 3 * d, 2)
            let states = random(shape.windows * shape.rows * d, 2)
            let extra = random(shape.windows * shape.extraKeys * 2 * d, 2)
            let slots = random(shape.slots * 2 * d, 2)
            let keyCount = shape.rows + shape.extraKeys + shape.slots
            let scales = shape.betas.count
            let outputCount = shape.windows * shape.rows * scales * d
            let expected = reference(shape, projected: projected, states: states, extra: extra, slots: slots)
            for level in PackedMatmulLevel.allCases {
                var output = [Float](repeating: .nan, count: outputCount)
                var scratch = [Float](repeating: .nan, count: multiScaleRetrievalScratch(keys: keyCount, width: d, scales: scales))
                let used = projected.withUnsafeBufferPointer { q in
                    states.withUnsafeBufferPointer { v in
                        extra.withUnsafeBufferPointer { e in
                            slots.withUnsafeBufferPointer { m in
                                shape.betas.withUnsafeBufferPointer { betas in
                                    var segments = [
                                        KeyValueSegment(
                                            keys: q.baseAddress! + d, keyRowStride: 3 * d, keyWindowStride: shape.rows * 3 * d,
                                            values: v.baseAddress!, valueRowStride: d, valueWindowStride: shape.rows * d, count: shape.rows),
                                        KeyValueSegment(
                                            keys: m.baseAddress!, values: m.baseAddress! + d, rowStride: 2 * d, windowStride: 0,
                                            count: shape.slots),
                                    ]
                                    if shape.extraKeys > 0 {
                                        segments.insert(
                                            KeyValueSegment(
                                                keys: e.baseAddress!, values: e.baseAddress! + d, rowStride: 2 * d,
                                                windowStride: shape.extraKeys * 2 * d, count: shape.extraKeys), at: 1)
                                    }
                                    return segments.withUnsafeBufferPointer { segments in
                                        multiScaleRetrieval(
                                            at: level, queries: q.baseAddress!, queryRowStride: 3 * d,
                                            queryWindowStride: shape.rows * 3 * d,
                                            rows: shape.rows, windows: shape.windows, width: d, segments: segments, betas: betas,
                                            output: &output, scratch: &scratch)
                                    }
                                }
                            }
                        }
                    }
                }
                #expect(used.rawValue <= level.rawValue)
                levelsRun.insert(used)
                for i in 0..<outputCount {
                    #expect(abs(Double(output[i]) - expected[i]) < 1e-5, "width \(d) rows \(shape.rows) level \(used) [\(i)]")
                }
            }
        }
        #expect(levelsRun.contains(.portable))
    }

    /// The definition in Double, segment by segment: the window's own rows, the extra keys, the slots.
    func reference(_ shape: Shape, projected: [Float], states: [Float], extra: [Float], slots: [Float]) -> [Double] {
        let d = shape.width
        var out: [Double] = []
        for b in 0..<shape.windows {
            var keys: [ArraySlice<Float>] = []
            var values: [ArraySlice<Float>] = []
            for t in 0..<shape.rows {
                let row = (b * shape.rows + t) * 3 * d
                keys.append(projected[(row + d)..<(row + 2 * d)])
                values.append(states[((b * shape.rows + t) * d)..<((b * shape.rows + t + 1) * d)])
            }
            for t in 0..<shape.extraKeys {
                let row = (b * shape.extraKeys + t) * 2 * d
                keys.append(extra[row..<(row + d)])
                values.append(extra[(row + d)..<(row + 2 * d)])
            }
            for t in 0..<shape.slots {
                keys.append(slots[(t * 2 * d)..<(t * 2 * d + d)])
                values.append(slots[(t * 2 * d + d)..<((t + 1) * 2 * d)])
            }
            for i in 0..<shape.rows {
                let query = projected[((b * shape.rows + i) * 3 * d)...].prefix(d)
                let scores = keys.map { key in zip(query, key).reduce(0.0) { $0 + Double($1.0) * Double($1.1) } }
                let top = scores.max()!
                for beta in shape.betas {
                    let e = scores.map { exp(Double(beta) * ($0 - top)) }
                    let total = e.reduce(0, +)
                    for c in 0..<d {
                        var z = 0.0
                        for j in values.indices { z += e[j] / total * Double(values[j][values[j].startIndex + c]) }
                        out.append(z)
                    }
                }
            }
        }
        return out
    }
}
