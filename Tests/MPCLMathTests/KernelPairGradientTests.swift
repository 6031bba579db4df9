import Randomness
import Testing

@testable import MPCLMath

/// The plain forward/backward pairs the tape's ops call, checked directly (no tape) against central
/// finite differences in Double; the backward functions must accumulate into their gradients.
@Suite struct KernelPairGradientTests: GradientChecking {
    typealias G = GradientCheck

    func random(_ count: Int, seed: UInt64, scale: Double = 1) -> [Double] { G.random([count], seed: seed, scale: scale).data }

    @Test func concatTokensPerWindowAndShared() {
        let (batch, width, total) = (2, 3, 6)
        for (tokens, offset, shared) in [(4, 1, false), (2, 0, true)] {
            let partCount = shared ? tokens * width : batch * tokens * width
            expectAccurate(
                G.pairErrors(inputs: [random(partCount, seed: 1)]) { x in
                    var out = [Double](repeating: 0, count: batch * total * width)
                    concatTokensForward(
                        &out, x[0], batch: batch, tokens: tokens, total: total, offset: offset, width: width, shared: shared)
                    return out
                } backward: { _, dOut, d in
                    concatTokensBackward(
                        dPart: &d[0], dOut: dOut, batch: batch, tokens: tokens, total: total, offset: offset, width: width, shared: shared)
                }, "concatTokens shared: \(shared)")
        }
    }

    @Test func concatLastOnePart() {
        let (rows, width, total, offset) = (3, 2, 5, 2)
        expectAccurate(
            G.pairErrors(inputs: [random(rows * width, seed: 2)]) { x in
                var out = [Double](repeating: 0, count: rows * total)
                concatLastForward(&out, x[0], rows: rows, width: width, total: total, offset: offset)
                return out
            } backward: { _, dOut, d in
                concatLastBackward(dPart: &d[0], dOut: dOut, rows: rows, width: width, total: total, offset: offset)
            }, "concatLast")
    }

    @Test func l2Normalize() {
        let (rows, width) = (3, 4)
        let x = random(rows * width, seed: 3)
        func forward(_ x: [Double]) -> (out: [Double], norms: [Double]) {
            var out = [Double](repeating: 0, count: rows * width)
            var norms = [Double](repeating: 0, count: rows)
            l2NormalizeForward(&out, norms: &norms, x, rows: rows, width: width)
            return (out, norms)
        }
        expectAccurate(
            G.pairErrors(inputs: [x]) {
                forward($0[0]).out
            } backward: { x, dOut, d in
                let (y, norms) = forward(x[0])
                l2NormalizeBackward(dx: &d[0], dOut: dOut, y: y, norms: norms, rows: rows, width: width)
            }, "l2Normalize")
    }

    @Test func groupedWeightedSum() {
        let (batch, groups, members, width) = (2, 3, 4, 5)
        expectAccurate(
            G.pairErrors(inputs: [random(batch * groups * members, seed: 4), random(groups * members * width, seed: 5)]) { x in
                var out = [Double](repeating: 0, count: batch * groups * width)
                groupedWeightedSumForward(&out, x[0], bank: x[1], batch: batch, groups: groups, members: members, width: width)
                return out
            } backward: { x, dOut, d in
                groupedWeightedSumBackward(
                    dw: &d[0], dBank: nil, dOut: dOut, w: x[0], bank: x[1], batch: batch, groups: groups, members: members, width: width)
                groupedWeightedSumBackward(
                    dw: nil, dBank: &d[1], dOut: dOut, w: x[0], bank: x[1], batch: batch, groups: groups, members: members, width: width)
            }, "groupedWeightedSum")
    }

    @Test func meanTokens() {
        let (batch, tokens, width) = (2, 3, 4)
        expectAccurate(
            G.pairErrors(inputs: [random(batch * tokens * width, seed: 6)]) { x in
                var out = [Double](repeating: 0, count: batch * width)
                meanTokensForward(&out, x[0], batch: batch, tokens: tokens, width: width)
                return out
            } backward: { _, dOut, d in
                meanTokensBackward(dx: &d[0], dOut: dOut, batch: batch, tokens: tokens, width: width)
            }, "meanTokens")
    }

    @Test func klDivergenceToAConstantTarget() {
        let (rows, classes) = (3, 4)
        // A target with zeros (those terms contribute nothing) and log-probabilities of any value.
        let target: [Double] = [0.5, 0.5, 0, 0, 0.1, 0.2, 0.3, 0.4, 0, 0, 0, 1]
        expectAccurate(
            G.pairErrors(inputs: [random(rows * classes, seed: 7)]) { x in
                [klDivergenceForward(target: target, logQ: x[0], count: rows * classes, rows: rows)]
            } backward: { _, dOut, d in
                klDivergenceBackward(dLogQ: &d[0], dLoss: dOut[0], target: target, count: rows * classes, rows: rows)
            }, "kl(y‖q)")
    }

    @Test func klDivergenceBetweenTwoLearnedDistributions() {
        let (rows, classes) = (2, 3)
        expectAccurate(
            G.pairErrors(inputs: [random(rows * classes, seed: 8, scale: 0.5), random(rows * classes, seed: 9, scale: 0.5)]) { x in
                [klDivergenceForward(logP: x[0], logQ: x[1], count: rows * classes, rows: rows)]
            } backward: { x, dOut, d in
                klDivergenceBackward(dLogP: &d[0], dLogQ: nil, dLoss: dOut[0], logP: x[0], logQ: x[1], count: rows * classes, rows: rows)
                klDivergenceBackward(dLogP: nil, dLogQ: &d[1], dLoss: dOut[0], logP: x[0], logQ: x[1], count: rows * classes, rows: rows)
            }, "kl(p‖q)")
    }

    @Test func dropoutWithTheMaskItDrew() {
        let count = 9
        func forward(_ x: [Double]) -> (out: [Double], mask: [Double]) {
            var generator = SeededGenerator(seed: 10)
            var out = [Double](repeating: 0, count: count)
            var mask = [Double](repeating: 0, count: count)
            dropoutForward(&out, mask: &mask, x, count: count, probability: 0.3, generator: &generator)
            return (out, mask)
        }
        #expect(forward(random(count, seed: 11)).mask.allSatisfy { $0 == 0 || abs($0 - 1 / 0.7) < 1e-12 })
        expectAccurate(
            G.pairErrors(inputs: [random(count, seed: 11)]) {
                forward($0[0]).out
            } backward: { x, dOut, d in
                dropoutBackward(dx: &d[0], dOut: dOut, mask: forward(x[0]).mask, count: count)
            }, "dropout")
    }

    @Test func weightedSumOfScalars() {
        let weights: [Double] = [1, 0.5, 0.1]
        expectAccurate(
            G.pairErrors(inputs: [random(3, seed: 12)]) {
                [weightedSumForward($0[0], weights: weights, count: 3)]
            } backward: {
                _, dOut, d in
                weightedSumBackward(dTerms: &d[0], dOut: dOut[0], weights: weights, count: 3)
            }, "weightedSum")
    }

    @Test func scaleByALearnedExponential() {
        let count = 6
        func forward(_ x: [[Double]]) -> [Double] {
            var out = [Double](repeating: 0, count: count)
            scaleByExpForward(&out, x[0], t: x[1][0], count: count)
            return out
        }
        expectAccurate(
            G.pairErrors(inputs: [random(count, seed: 13), [0.3]], forward: forward) { x, dOut, d in
                let y = forward(x)
                scaleByExpBackward(dx: &d[0], dt: nil, dOut: dOut, y: y, t: x[1][0], count: count)
                scaleByExpBackward(dx: nil, dt: &d[1], dOut: dOut, y: y, t: x[1][0], count: count)
            }, "scaleByExp")
    }

    @Test func addALearnedMultipleOfAPattern() {
        let (count, width) = (6, 2)
        let pattern: [Double] = [1, -1]
        expectAccurate(
            G.pairErrors(inputs: [random(count, seed: 14), [-0.2]]) { x in
                var out = [Double](repeating: 0, count: count)
                addScaledPatternForward(&out, x[0], pattern: pattern, scale: x[1][0], count: count, width: width)
                return out
            } backward: { _, dOut, d in
                addScaledPatternBackward(dx: &d[0], dScale: nil, dOut: dOut, pattern: pattern, count: count, width: width)
                addScaledPatternBackward(dx: nil, dScale: &d[1], dOut: dOut, pattern: pattern, count: count, width: width)
            }, "addScaledPattern")
    }

    @Test func weightedMeanWithATiledPattern() {
        let (count, width, rows) = (6, 3, 2)
        let weights: [Double] = [0.5, -1, 2]
        expectAccurate(
            G.pairErrors(inputs: [random(count, seed: 15)]) {
                [weightedMeanForward($0[0], weights: weights, count: count, width: width, rows: rows)]
            } backward: { _, dOut, d in
                weightedMeanBackward(dx: &d[0], dOut: dOut[0], weights: weights, count: count, width: width, rows: rows)
            }, "weightedMean")
    }

    @Test func tiledAdd() {
        let (tiles, width) = (3, 4)
        expectAccurate(
            G.pairErrors(inputs: [random(tiles * width, seed: 16), random(width, seed: 17)]) { x in
                var out = [Double](repeating: 0, count: tiles * width)
                addForward(&out, x[0], x[1], tiles: tiles, width: width)
                return out
            } backward: { _, dOut, d in
                addBackward(dA: &d[0], dB: nil, dOut: dOut, tiles: tiles, width: width)
                addBackward(dA: nil, dB: &d[1], dOut: dOut, tiles: tiles, width: width)
            }, "add")
    }

    @Test func scaleByAConstant() {
        let (count, factor) = (5, -0.7)
        expectAccurate(
            G.pairErrors(inputs: [random(count, seed: 18)]) { x in
                var out = [Double](repeating: 0, count: count)
                scaleForward(&out, x[0], factor: factor, count: count)
                return out
            } backward: { _, dOut, d in
                scaleBackward(dx: &d[0], dOut: dOut, factor: factor, count: count)
            }, "scale")
    }

    @Test func exponential() {
        let count = 6
        func forward(_ x: [[Double]]) -> [Double] {
            var out = [Double](repeating: 0, count: count)
            expForward(&out, x[0], count: count)
            return out
        }
        expectAccurate(
            G.pairErrors(inputs: [random(count, seed: 19)], forward: forward) { x, dOut, d in
                expBackward(dx: &d[0], dOut: dOut, y: forward(x), count: count)
            }, "exp")
    }

    @Test func reshapeIsTheIdentityOnValues() {
        let count = 6
        expectAccurate(
            G.pairErrors(inputs: [random(count, seed: 20)]) {
                $0[0]
            } backward: { _, dOut, d in
                reshapeBackward(dx: &d[0], dOut: dOut, count: count)
            }, "reshape")
    }

    @Test func repeatRows() {
        let (rows, copies, width) = (2, 3, 4)
        expectAccurate(
            G.pairErrors(inputs: [random(rows * width, seed: 21)]) { x in
                var out = [Double](repeating: 0, count: rows * copies * width)
                repeatRowsForward(&out, x[0], rows: rows, copies: copies, width: width)
                return out
            } backward: { _, dOut, d in
                repeatRowsBackward(dx: &d[0], dOut: dOut, rows: rows, copies: copies, width: width)
            }, "repeatRows")
    }

    @Test func logSumExp() {
        let (rows, width) = (3, 5)
        func forward(_ x: [[Double]]) -> [Double] {
            var out = [Double](repeating: 0, count: rows)
            logSumExpForward(&out, x[0], rows: rows, width: width)
            return out
        }
        expectAccurate(
            G.pairErrors(inputs: [random(rows * width, seed: 22)], forward: forward) { x, dOut, d in
                logSumExpBackward(dx: &d[0], dOut: dOut, x: x[0], y: forward(x), rows: rows, width: width)
            }, "logSumExp")
    }

    @Test func logSoftmax() {
        let (rows, width) = (3, 5)
        func forward(_ x: [[Double]]) -> [Double] {
            var out = [Double](repeating: 0, count: rows * width)
            logSoftmaxForward(&out, x[0], rows: rows, width: width)
            return out
        }
        expectAccurate(
            G.pairErrors(inputs: [random(rows * width, seed: 23)], forward: forward) { x, dOut, d in
                logSoftmaxBackward(dx: &d[0], dOut: dOut, y: forward(x), rows: rows, width: width)
            }, "logSoftmax")
    }

    @Test func logSoftmaxGivesMaskedEntriesNoGradient() {
        let (rows, width) = (2, 3)
        // −∞ added to one entry a row, as the co-occurrence head masks an emotion's own column.
        let mask: [Double] = [-.infinity, 0, 0, 0, -.infinity, 0]
        let x = zip(random(rows * width, seed: 24), mask).map { $0 + $1 }
        var y = [Double](repeating: 0, count: rows * width)
        logSoftmaxForward(&y, x, rows: rows, width: width)
        #expect(y[0] == -.infinity && y[4] == -.infinity)
        var dx = [Double](repeating: 0, count: rows * width)
        logSoftmaxBackward(dx: &dx, dOut: random(rows * width, seed: 25), y: y, rows: rows, width: width)
        #expect(dx[0] == 0 && dx[4] == 0)
        #expect(dx.allSatisfy { $0.isFinite })
    }
}
