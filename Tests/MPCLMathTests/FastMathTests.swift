import Foundation
import Testing

@testable import MPCLMath

/// The vectorised Float functions against libm in Double, over their whole useful range.
@Suite struct FastMathTests {
    @Test func expIsWithinAFewUlpsAndZeroBelowTheRange() {
        var worst = 0.0
        var x: Float = -87
        while x < 88 {
            let exact = Foundation.exp(Double(x))
            let relative = abs(Double(FastMath.exp(x)) - exact) / exact
            worst = max(worst, relative)
            x += 0.0137
        }
        #expect(worst < 3e-7, "worst relative error \(worst)")  // 2.5 ulp of Float
        #expect(FastMath.exp(-.infinity) == 0)
        #expect(FastMath.exp(-100) == 0)
        #expect(FastMath.exp(0) == 1)
        #expect(FastMath.exp(200).isFinite)
    }

    @Test func erfIsWithinItsStatedBound() {
        var worst = 0.0
        var x: Float = -6
        while x < 6 {
            worst = max(worst, abs(Double(FastMath.erf(x)) - Foundation.erf(Double(x))))
            x += 0.001
        }
        #expect(worst < 5e-7, "worst absolute error \(worst)")  // A&S 1.5e-7 plus Float rounding
        #expect(FastMath.erf(0) == 0)
        #expect(FastMath.erf(-2) == -FastMath.erf(2))
    }

    @Test func bulkFunctionsMatchTheScalarOnes() {
        var values: [Float] = (0..<37).map { Float($0) * 0.37 - 6 }
        let expected = values.map { FastMath.exp($0) }
        values.withUnsafeMutableBufferPointer { Float.exponentiate($0.baseAddress!, count: $0.count) }
        #expect(values == expected)
    }

    @Test func reductionsMatchPlainLoops() {
        let values: [Double] = (0..<29).map { Double($0 * 7 % 11) - 3.5 }
        values.withUnsafeBufferPointer { p in
            #expect(vectorSum(p.baseAddress!, 29) == values.reduce(0, +))
            #expect(vectorMax(p.baseAddress!, 29) == values.max()!)
            #expect(vectorDot(p.baseAddress!, p.baseAddress!, 29) == values.map { $0 * $0 }.reduce(0, +))
        }
    }
}
