import Testing

@testable import JSON

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `JSONReader.readNumber` converts every literal to the Double `strtod` (correctly rounded) gives,
/// bit for bit, whether it takes the exact fast path (≤ 2⁵³ mantissa, |exponent| ≤ 22) or not;
/// `skipNumber` accepts and refuses exactly what `readNumber` does.
@Suite("JSON numbers")
struct JSONNumberTests {
    static func read(_ text: String) -> Result<Double, JSONParseError> {
        readingWhole(text) { (reader: inout JSONReader) throws(JSONParseError) in try reader.readNumber() }
    }

    static func skip(_ text: String) -> JSONParseError? {
        readingWhole(text) { (reader: inout JSONReader) throws(JSONParseError) in try reader.skipNumber() }.failure
    }

    static func reference(_ text: String) -> Double { strtod(text, nil) }

    static func expectSameAsStrtod(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        switch read(text) {
        case .success(let value):
            let expected = reference(text)
            #expect(
                value.bitPattern == expected.bitPattern, "\(text): \(value) vs strtod \(expected)", sourceLocation: sourceLocation)
            if let swift = Double(text) { #expect(value.bitPattern == swift.bitPattern, "\(text) vs Double(String)") }
        case .failure(let error):
            Issue.record("\(text) refused: \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: [
        // Shortest round-trip forms and their neighbours.
        "0.1", "0.2", "0.3", "0.30000000000000004", "2.2250738585072014e-308", "1.7976931348623157e308", "5e-324",
        "9007199254740992", "9007199254740993", "9007199254740991", "18014398509481985", "123456789012345678",
        "1234567890123456789", "12345678901234567890", "0.1234567890123456789012", "3.141592653589793", "2.718281828459045",
        // Subnormals and underflow.
        "4.9406564584124654e-324", "2.4703282292062327e-324", "2.4703282292062328e-324", "1e-320", "2.225073858507201e-308",
        "1e-400", "-1e-400",
        // Around the 1e9 bound the service enforces.
        "1e9", "-1e9", "1000000000", "1000000000.0000001", "999999999.99999999", "1.0000000000000001e9",
        // Signed zeros.
        "0", "-0", "-0.0", "0e5", "-0e-5", "0.000", "0e400",
        // Long mantissas: exact trailing zeros, inexact tails, halfway cases.
        "1.00000000000000000000000000000", "10000000000000000000000", "100000000000000000000000", "0.00000000000000000000000001",
        "9007199254740993.0000000000000000001", "1.000000000000000111022302462515654042363166809082031250",
        "1.000000000000000111022302462515654042363166809082031251", "7.0064923216240854e-46",
        "123456789012345678901234567890e-10", "0.000000000000000000000000000000000000000000001e30",
        // Exponents at and beyond the fast path and Double's range.
        "1e22", "1e23", "1e-22", "1e-23", "9007199254740992e22", "9007199254740993e22", "4.5e15", "1E+2", "1e-0",
        "1e308", "1e309", "-1e309", "1e99999999999999", "1e-99999999999999", "123e-99999999999999999999",
    ])
    func readsWhatStrtodReads(text: String) {
        Self.expectSameAsStrtod(text)
    }

    @Test func float32ShortestFormsRoundTrip() {
        // The request path writes Float features as their shortest decimal; those must come back
        // as the same Float through the Double the reader returns.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<20_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let float = Float(bitPattern: UInt32(truncatingIfNeeded: state >> 32))
            guard float.isFinite else { continue }
            let text = float.description
            guard case .success(let value) = Self.read(text) else {
                Issue.record("\(text) refused")
                continue
            }
            #expect(value.bitPattern == Self.reference(text).bitPattern, "\(text)")
            #expect(Float(value) == float, "\(text)")
        }
    }

    @Test func doubleShortestFormsMatchStrtod() {
        var state: UInt64 = 0x0123_4567_89AB_CDEF
        for _ in 0..<20_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let double = Double(bitPattern: state)
            guard double.isFinite else { continue }
            let text = double.description
            guard case .success(let value) = Self.read(text) else {
                Issue.record("\(text) refused")
                continue
            }
            #expect(value.bitPattern == double.bitPattern, "\(text)")
        }
    }

    @Test(arguments: ["-", "01", "-01", "1.", ".5", "1e", "1e+", "+1", "- 1", "NaN", "Infinity", "-Infinity", "1.e5", "0x10", ""])
    func skippingRefusesWhatReadingRefuses(text: String) {
        guard case .failure(let error) = Self.read(text) else {
            Issue.record("\(text) accepted")
            return
        }
        #expect(Self.skip(text) == error)
    }

    @Test(arguments: ["0", "-0", "1.5e-7", "  42", "1E400", "12345678901234567890123"])
    func skippingAcceptsWhatReadingAccepts(text: String) {
        #expect(Self.skip(text) == nil)
    }
}
