import Testing

@testable import MPCLMath

/// Forward values against direct definitions (the gradient checks only prove consistency).
@Suite struct KernelForwardTests {
    @Test func matmulMatchesTheDefinitionOnBothPaths() {
        for rows in [1, 4] {
            let a = GradientCheck.random([rows, 5], seed: 1)
            let w = GradientCheck.random([3, 5], seed: 2)
            let tape = Tape<Double>(recording: false)
            let y = tape.value(tape.linear(tape.constant(a), weight: tape.constant(w)))
            for r in 0..<rows {
                for j in 0..<3 {
                    let expected = (0..<5).map { a.data[r * 5 + $0] * w.data[j * 5 + $0] }.reduce(0, +)
                    #expect(abs(y.data[r * 3 + j] - expected) < 1e-12)
                }
            }
        }
    }

    @Test func softmaxRowsAreDistributionsAndMaskedEntriesAreZero() {
        let tape = Tape<Double>(recording: false)
        let x = tape.constant(Tensor(shape: [2, 3], data: [1000, 1001, -.infinity, -3, 0, 3]))
        let y = tape.value(tape.softmax(x)).data
        #expect(y[2] == 0)
        #expect(abs(y[0] + y[1] - 1) < 1e-15)
        #expect(abs(y[1] / y[0] - 2.718281828459045) < 1e-12)
        #expect(abs(y[3...5].reduce(0, +) - 1) < 1e-15)
    }

    @Test func layerNormStandardisesRows() {
        let tape = Tape<Double>(recording: false)
        let x = tape.constant(GradientCheck.random([2, 8], seed: 3, scale: 5))
        let y = tape.value(
            tape.layerNorm(x, gain: tape.constant(Tensor(repeating: 1, shape: [8])), bias: tape.constant(Tensor(zeros: [8])))
        ).data
        for r in 0..<2 {
            let row = Array(y[(r * 8)..<(r * 8 + 8)])
            let mean = row.reduce(0, +) / 8
            let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 8
            #expect(abs(mean) < 1e-12)
            #expect(abs(variance - 1) < 1e-4)  // ε = 1e-5 shrinks the variance slightly
        }
    }

    @Test func geluMatchesKnownValues() {
        let tape = Tape<Double>(recording: false)
        let y = tape.value(tape.gelu(tape.constant(Tensor(shape: [3], data: [0, 1, -1])))).data
        #expect(y[0] == 0)
        #expect(abs(y[1] - 0.8413447460685429) < 1e-12)
        #expect(abs(y[2] + 0.15865525393145707) < 1e-12)
    }

    @Test func klDivergenceMatchesTheDefinition() {
        let tape = Tape<Double>(recording: false)
        let y = Tensor<Double>(shape: [1, 4], data: [0.4, 0.3, 0.2, 0.1])
        let q: [Double] = [0.3, 0.3, 0.25, 0.15]
        let kl = tape.value(tape.klDivergence(target: y, logQ: tape.constant(Tensor(shape: [1, 4], data: q.map { Foundation_log($0) }))))
            .data[0]
        #expect(abs(kl - 0.029897607907) < 1e-12)
    }

    @Test func dropoutIsIdentityOutsideTrainingAndUnbiasedInside() {
        let x = Tensor<Double>(repeating: 1, shape: [10_000])
        let inference = Tape<Double>(recording: false)
        #expect(inference.value(inference.dropout(inference.constant(x), probability: 0.2)) == x)
        let training = Tape<Double>(recording: false, training: true, seed: 5)
        let y = training.value(training.dropout(training.constant(x), probability: 0.2)).data
        let mean = y.reduce(0, +) / Double(y.count)
        #expect(abs(mean - 1) < 0.05)
        #expect(Set(y) == [0, 1.25])
    }
}

#if canImport(Glibc)
    import Glibc
    func Foundation_log(_ x: Double) -> Double { Glibc.log(x) }
#elseif canImport(Darwin)
    import Darwin
    func Foundation_log(_ x: Double) -> Double { Darwin.log(x) }
#endif
