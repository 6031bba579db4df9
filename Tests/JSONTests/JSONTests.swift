import Testing

@testable import JSON

@Suite struct JSONParsingTests {
    @Test func parsesEveryKindOfValue() throws {
        let value = try JSON.parse(#"{"a":[1,-2.5e3,true,false,null],"b":"x\ny\u00e9\ud83d\ude00","c":{}}"#)
        #expect(value["a"] == [1, -2500.0, true, false, nil])
        #expect(value["b"]?.stringValue == "x\nyé😀")
        #expect(value["c"] == .object([]))
    }

    @Test(arguments: [
        "0.1", "1e-7", "123456789012345678901234567890", "2.2250738585072014e-308", "-0.0", "3.141592653589793",
        "0.30000000000000004", "1.7976931348623157e308", "5e-324",
    ])
    func numbersRoundCorrectly(text: String) throws {
        let parsed = try JSON.parse(text).doubleValue
        #expect(parsed == Double(text))
    }

    @Test func hugeNumbersBecomeInfiniteRatherThanErrors() throws {
        #expect(try JSON.parse("1e400").doubleValue == .infinity)
        #expect(try JSON.parse("-1e400").doubleValue == -.infinity)
    }

    @Test(arguments: [
        "", "NaN", "Infinity", "-Infinity", "[1,]", "{\"a\":1,}", "01", "1.", ".5", "+1", "[1 2]", "\"\u{01}\"",
        "{'a':1}", "[1] 2", "\"\\x\"", "\"\\ud800\"", "tru", "{\"a\"}", "\"abc", "[", "-", "1e", "1e+",
    ])
    func rejectsMalformedDocuments(text: String) {
        #expect(throws: JSONParseError.self) { try JSON.parse(text) }
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: JSONParseError.self) { try JSON.parse([0x22, 0xFF, 0x22]) }
    }

    @Test func refusesDuplicateMemberNamesNamingTheKey() {
        #expect(throws: JSONParseError(message: "duplicate member name 'face'", offset: 15)) {
            try JSON.parse(#"{"face":[1],   "face":[2]}"#)
        }
        // Nested objects are checked too, and equal names in sibling objects are fine.
        #expect(throws: JSONParseError.self) { try JSON.parse(#"{"a":{"x":1,"y":2,"x":3}}"#) }
        #expect(throws: Never.self) { try JSON.parse(#"[{"x":1},{"x":2}]"#) }
        // An escaped spelling of the same name is the same name.
        #expect(throws: JSONParseError.self) { try JSON.parse(#"{"ab":1,"a\u0062":2}"#) }
    }

    /// Objects past the linear-scan size use a set: a duplicate far into a large object is still found,
    /// and a large object without one parses.
    @Test func findsDuplicatesInLargeObjects() throws {
        let members = (0..<5_000).map { "\"k\($0)\":\($0)" }
        let distinct = "{" + members.joined(separator: ",") + "}"
        #expect(try JSON.parse(distinct).objectValue?.count == 5_000)
        let repeated = "{" + (members + ["\"k17\":0"]).joined(separator: ",") + "}"
        #expect(throws: JSONParseError.self) { try JSON.parse(repeated) }
        do {
            _ = try JSON.parse(repeated)
        } catch {
            #expect(error.message == "duplicate member name 'k17'")
        }
    }

    @Test func refusesHostileNesting() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSON.parse(deep) }
        let fine = String(repeating: "[", count: 60) + String(repeating: "]", count: 60)
        #expect(throws: Never.self) { try JSON.parse(fine) }
    }
}

@Suite struct JSONWritingTests {
    @Test func roundTripsThroughText() throws {
        let value: JSON = ["name": "a\"b\\c\u{1}", "values": [0.5, 1, -3, 1e-9, 12345.678], "ok": true, "none": nil]
        #expect(try JSON.parse(value.serialized()) == value)
    }

    @Test func writesFloatValuesShortly() {
        #expect(JSON.number(Double(Float(0.1))).text == "0.1")
        #expect(JSON.number(0.1).text == "0.1")
        #expect(JSON.number(3).text == "3")
        #expect(JSON.number(.nan).text == "null")
    }

    @Test func keepsMemberOrder() {
        let value: JSON = ["z": 1, "a": 2]
        #expect(value.text == #"{"z":1,"a":2}"#)
    }
}
