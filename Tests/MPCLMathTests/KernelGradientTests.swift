import Testing

@testable import MPCLMath

/// Every kernel's backward pass against central finite differences of its forward pass, in Double.
@Suite struct KernelGradientTests: GradientChecking {
    typealias G = GradientCheck

    @Test func linearWithBias() {
        expectAccurate(
            G.relativeErrors(inputs: [G.random([2, 3, 5], seed: 1), G.random([4, 5], seed: 2), G.random([4], seed: 3)]) {
                $0.linear($1[0], weight: $1[1], bias: $1[2])
            }, "linear")
    }

    @Test func linearOnOneRowUsesTheVectorPath() {
        expectAccurate(
            G.relativeErrors(inputs: [G.random([1, 7], seed: 1), G.random([3, 7], seed: 2)]) {
                $0.linear($1[0], weight: $1[1])
            }, "linear gemv")
    }

    @Test(arguments: [false, true]) func matmulWithSharedMatrix(transposeB: Bool) {
        let b = transposeB ? G.random([6, 4], seed: 5) : G.random([4, 6], seed: 5)
        for rows in [1, 3] {
            expectAccurate(
                G.relativeErrors(inputs: [G.random([rows, 4], seed: 4), b]) {
                    $0.matmul($1[0], $1[1], transposeB: transposeB)
                }, "matmul")
        }
    }

    @Test(arguments: [false, true]) func batchedMatmul(transposeB: Bool) {
        let b = transposeB ? G.random([2, 5, 4], seed: 7) : G.random([2, 4, 5], seed: 7)
        expectAccurate(
            G.relativeErrors(inputs: [G.random([2, 3, 4], seed: 6), b]) {
                $0.batchedMatmul($1[0], $1[1], transposeB: transposeB)
            }, "bmm")
    }

    @Test func broadcastAdd() {
        expectAccurate(
            G.relativeErrors(inputs: [G.random([2, 3, 4], seed: 8), G.random([3, 4], seed: 9)]) {
                $0.add($1[0], $1[1])
            }, "add")
    }

    @Test func gelu() {
        expectAccurate(G.relativeErrors(inputs: [G.random([3, 7], seed: 10, scale: 2)]) { $0.gelu($1[0]) }, "gelu")
    }

    @Test func layerNorm() {
        expectAccurate(
            G.relativeErrors(inputs: [G.random([3, 6], seed: 11), G.random([6], seed: 12), G.random([6], seed: 13)]) {
                $0.layerNorm($1[0], gain: $1[1], bias: $1[2])
            }, "layerNorm")
    }

    @Test(arguments: [0.25, 1.0, 4.0]) func softmaxWithTemperature(beta: Double) {
        expectAccurate(G.relativeErrors(inputs: [G.random([4, 5], seed: 14)]) { $0.softmax($1[0], beta: beta) }, "softmax")
    }

    @Test func logSoftmaxAndLogSumExp() {
        expectAccurate(G.relativeErrors(inputs: [G.random([3, 5], seed: 15)]) { $0.logSoftmax($1[0]) }, "logSoftmax")
        expectAccurate(G.relativeErrors(inputs: [G.random([3, 5], seed: 16)]) { $0.logSumExp($1[0]) }, "logSumExp")
    }

    @Test func maskedLogSoftmaxIgnoresMaskedEntries() {
        let mask = Tensor<Double>(shape: [3, 3], data: [-.infinity, 0, 0, 0, -.infinity, 0, 0, 0, -.infinity])
        let errors = G.relativeErrors(inputs: [G.random([2, 3, 3], seed: 17)]) { tape, x in
            let logA = tape.logSoftmax(tape.add(x[0], tape.constant(mask)))
            let target = Tensor<Double>(shape: [3, 3], data: [0, 0.3, 0.7, 0.5, 0, 0.5, 1, 0, 0])
            let tiled = Tensor<Double>(shape: [2, 3, 3], data: target.data + target.data)
            return tape.weightedSum([
                (tape.klDivergence(target: tiled, logQ: logA), 1), (tape.weightedMean(tape.exp(logA), weights: target, rows: 6), 0.5),
            ])
        }
        expectAccurate(errors, "masked association")
    }

    @Test func l2NormalizeAndCosine() {
        expectAccurate(
            G.relativeErrors(inputs: [G.random([3, 5], seed: 18), G.random([4, 5], seed: 19)]) { tape, x in
                tape.matmul(tape.l2Normalize(x[0]), tape.l2Normalize(x[1]), transposeB: true)
            }, "cosine")
    }

    @Test func meanPoolingAndReshapes() {
        expectAccurate(
            G.relativeErrors(inputs: [G.random([2, 3, 4], seed: 20)]) { tape, x in
                tape.repeatRows(tape.meanTokens(tape.reshape(tape.reshape(x[0], [6, 4]), [2, 3, 4])), copies: 3)
            }, "mean pooling")
    }

    @Test func concatenation() {
        expectAccurate(
            G.relativeErrors(inputs: [G.random([2, 3, 4], seed: 21), G.random([5, 4], seed: 22), G.random([2, 1, 4], seed: 23)]) {
                tape, x in
                tape.concatTokens([x[0], x[1], x[2]], batch: 2)
            }, "concatTokens")
        expectAccurate(
            G.relativeErrors(inputs: [G.random([2, 3, 4], seed: 24), G.random([2, 3, 2], seed: 25)]) { tape, x in
                tape.concatLast([x[0], x[1]])
            }, "concatLast")
    }

    @Test func dropoutWithAFixedMask() {
        expectAccurate(
            G.relativeErrors(inputs: [G.random([4, 8], seed: 26)], training: true) { $0.dropout($1[0], probability: 0.3) }, "dropout")
    }

    @Test func klDivergenceBothWays() {
        expectAccurate(
            G.relativeErrors(inputs: [G.random([3, 6], seed: 27), G.random([3, 6], seed: 28)]) { tape, x in
                tape.klDivergence(logP: tape.logSoftmax(x[0]), logQ: tape.logSoftmax(x[1]))
            }, "kl(p‖q)")
    }

    @Test func learnedScalars() {
        let pattern = Tensor<Double>(shape: [2, 2], data: [1, -1, -1, 1])
        expectAccurate(
            G.relativeErrors(inputs: [G.random([3, 2, 2], seed: 29), Tensor(shape: [1], data: [0.3]), Tensor(shape: [1], data: [-0.2])]) {
                tape, x in
                tape.addScaledPattern(tape.scaleByExp(x[0], x[1]), pattern: pattern, scale: x[2])
            }, "scalars")
    }

    @Test func prototypeReadoutAndAttention() {
        expectAccurate(
            G.relativeErrors(inputs: [G.random([2, 3, 4], seed: 30), G.random([3, 4, 5], seed: 31)]) { tape, x in
                tape.groupedWeightedSum(tape.softmax(x[0]), bank: x[1])
            }, "readout")
        expectAccurate(
            G.relativeErrors(inputs: [G.random([2, 3, 4], seed: 32), G.random([2, 5, 4], seed: 33), G.random([2, 5, 4], seed: 34)]) {
                tape, x in
                // softmax(β · Q Kᵀ) V: chained batched products through a tempered softmax.
                tape.batchedMatmul(tape.softmax(tape.batchedMatmul(x[0], x[1], transposeB: true), beta: 0.5), x[2], transposeB: false)
            }, "attention")
    }
}
