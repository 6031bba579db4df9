import Testing

@testable import JSON

/// The pull reader that `JSON.parse` is built on, read without a tree: skipping a document refuses
/// exactly what parsing it refuses, with the same message and offset, and the pull calls walk a
/// document the way a streaming decoder does.
@Suite("JSONReader")
struct JSONReaderTests {
    static func skip(_ text: String) -> JSONParseError? {
        readingWhole(text) { (reader: inout JSONReader) throws(JSONParseError) in try reader.skipValue() }.failure
    }

    @Test(arguments: [
        "", "NaN", "Infinity", "[1,]", "{\"a\":1,}", "01", "1.", "[1 2]", "\"\u{01}\"", "{\"a\":1,\"a\":2}", "[1] 2", "\"\\ud800\"",
        "{\"a\"}", "\"abc", "[", "1e+", "[true, nul]", "{\"k\":[{\"k\":1,\"k\":2}]}", "[[[]]", " {\"a\" : [1, 2] } ",
        "[1,2,3]", "{\"a\":{\"b\":[\"x\",null,false]}}",
    ])
    func skippingRefusesWhatParsingRefuses(text: String) {
        let parsed: JSONParseError?
        do {
            _ = try JSON.parse(text)
            parsed = nil
        } catch {
            parsed = error
        }
        #expect(Self.skip(text) == parsed)
    }

    @Test func nestingLimitIsTheSameWhenSkipping() {
        let deep = String(repeating: "[", count: JSON.maximumDepth + 1) + String(repeating: "]", count: JSON.maximumDepth + 1)
        let fits = String(repeating: "[", count: JSON.maximumDepth) + String(repeating: "]", count: JSON.maximumDepth)
        #expect(Self.skip(deep)?.message == "nesting deeper than \(JSON.maximumDepth)")
        #expect(Self.skip(fits) == nil)
    }

    @Test func pullsMembersAndElementsInOrder() throws {
        let bytes = Array(#" {"a": [1, 2.5, -3e2], "b": "x", "c": true} "#.utf8)
        try bytes.withUnsafeBufferPointer { buffer in
            var reader = JSONReader(bytes: buffer)
            #expect(try reader.peekKind() == .object)
            try reader.beginObject()
            var names = JSONMemberNames()
            #expect(try reader.nextMember(first: true, names: &names) == "a")
            try reader.beginArray()
            var numbers: [Double] = []
            while try reader.nextElement(first: numbers.isEmpty) { numbers.append(try reader.readNumber()) }
            #expect(numbers == [1, 2.5, -300])
            #expect(try reader.nextMember(first: false, names: &names) == "b")
            #expect(try reader.readString() == "x")
            #expect(try reader.nextMember(first: false, names: &names) == "c")
            #expect(try reader.readBool())
            #expect(try reader.nextMember(first: false, names: &names) == nil)
            try reader.finish()
            #expect(reader.depth == 0)
        }
    }
}
