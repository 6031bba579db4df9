import Randomness
import Testing

@testable import MPCLMath

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `packedMatmul` at every instruction set this CPU has (AVX-512, AVX2 + FMA, portable vectors)
/// against the definition in Double, over shapes that exercise every tile edge: 1–19 rows (full
/// and clamped row blocks), outputs that are and are not multiples of 16 and 32, strided x and y
/// (the columns between rows must stay untouched), with and without bias, accumulation and GELU.
@Suite struct PackedMatmulTests {
    @Test func everyLevelMatchesTheDefinition() {
        var generator = SeededGenerator(seed: 14)
        func random(_ count: Int) -> [Float] { (0..<count).map { _ in Float.random(in: -1...1, using: &generator) } }
        var levelsRun = Set<PackedMatmulLevel>()
        for (rows, inputs, outputs) in [(1, 7, 5), (2, 64, 192), (5, 64, 128), (8, 128, 64), (9, 33, 48), (19, 12, 100)] {
            let lda = inputs + 3
            let ldy = outputs + 2
            let x = random(rows * lda)
            let weight = random(outputs * inputs)
            let bias = random(outputs)
            let before = random(rows * ldy)
            let packed = packPanels(weight, inputs: inputs, outputs: outputs)
            for level in PackedMatmulLevel.allCases {
                for accumulate in [false, true] {
                    for (withBias, gelu) in [(false, false), (true, false), (false, true), (true, true)] {
                        var y = before
                        let used = x.withUnsafeBufferPointer { xs in
                            packed.withUnsafeBufferPointer { p in
                                bias.withUnsafeBufferPointer { b in
                                    y.withUnsafeMutableBufferPointer { ys in
                                        packedMatmul(
                                            at: level, xs.baseAddress!, lda: lda, rows: rows, inputs: inputs, packed: p.baseAddress!,
                                            outputs: outputs, bias: withBias ? b.baseAddress! : nil, into: ys.baseAddress!, ldy: ldy,
                                            accumulate: accumulate, gelu: gelu)
                                    }
                                }
                            }
                        }
                        #expect(used.rawValue <= level.rawValue)
                        levelsRun.insert(used)
                        for r in 0..<rows {
                            for c in 0..<ldy {
                                let got = y[r * ldy + c]
                                guard c < outputs else {
                                    #expect(got == before[r * ldy + c], "column \(c) past the outputs was written")
                                    continue
                                }
                                var expected = (accumulate ? Double(before[r * ldy + c]) : 0) + (withBias ? Double(bias[c]) : 0)
                                for k in 0..<inputs { expected += Double(x[r * lda + k]) * Double(weight[c * inputs + k]) }
                                if gelu { expected = 0.5 * expected * (1 + erf(expected / 2.0.squareRoot())) }
                                #expect(abs(Double(got) - expected) < 1e-4, "rows \(rows) level \(used) [\(r), \(c)]")
                            }
                        }
                    }
                }
            }
        }
        #expect(levelsRun.contains(.portable))
        #expect(levelsRun.contains(PackedMatmulLevel.current))
    }

    /// The GELU epilogue gives the tape's GELU bit for bit (same formula, same order, no fused
    /// multiply-adds): through an identity weight the product is exact, so only GELU differs.
    @Test func geluEpilogueIsTheTapesGeluExactly() {
        let width = 16
        let rows = 64
        var x = [Float](repeating: 0, count: rows * width)
        for i in x.indices { x[i] = Float(i - x.count / 2) * 0.173 }
        x[0] = -100
        x[1] = 100
        x[2] = 0
        var identity = [Float](repeating: 0, count: width * width)
        for i in 0..<width { identity[i * width + i] = 1 }
        let packed = packPanels(identity, inputs: width, outputs: width)
        var expected = x
        expected.withUnsafeMutableBufferPointer { geluInPlace($0.baseAddress!, count: $0.count) }
        for level in PackedMatmulLevel.allCases {
            var y = [Float](repeating: .nan, count: rows * width)
            x.withUnsafeBufferPointer { xs in
                packed.withUnsafeBufferPointer { p in
                    y.withUnsafeMutableBufferPointer { ys in
                        _ = packedMatmul(
                            at: level, xs.baseAddress!, lda: width, rows: rows, inputs: width, packed: p.baseAddress!, outputs: width,
                            bias: nil, into: ys.baseAddress!, ldy: width, accumulate: false, gelu: true)
                    }
                }
            }
            #expect(y.map(\.bitPattern) == expected.map(\.bitPattern), "level \(level)")
        }
    }
}
