import Randomness
import Testing

@testable import HTTP1

@Suite("HTTPRequestParser fuzz")
struct ParserFuzzTests {
    static let seeds: [String] = [
        "GET /a?b=c HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n",
        "POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
        "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3;e=1\r\nabc\r\n0\r\nT: v\r\n\r\n",
        "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /2 HTTP/1.0\r\n\r\n",
        "POST /e HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok",
    ]
    static let interesting: [UInt8] = Array("\r\n :;,0123456789abcdefABCDEF\t\u{0}-+xX".utf8) + [0x7F, 0x80, 0xFF]

    /// Mutated requests must never crash the parser, the outcome must not depend on how the bytes
    /// were split, and it must be well formed (`expectWellFormed`).
    @Test func mutatedInputsAreHandledConsistently() {
        var rng = SeededGenerator(seed: 0x5EED)
        let limits = HTTPLimits(maxBodyBytes: 64, maxHeaderBytes: 256, maxHeaderCount: 8)
        for _ in 0..<4000 {
            var bytes = Array(Self.seeds.randomElement(using: &rng)!.utf8)
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let i = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: bytes[i] = Self.interesting.randomElement(using: &rng)!
                case 1: bytes.insert(Self.interesting.randomElement(using: &rng)!, at: i)
                case 2: if bytes.count > 1 { bytes.remove(at: i) }
                default: bytes[i] = UInt8.random(in: 0...255, using: &rng)
                }
            }
            let whole = parse([bytes[...]], limits: limits)
            let cut = Int.random(in: 0...bytes.count, using: &rng)
            let split = parse([bytes[..<cut], bytes[cut...]], limits: limits)
            let single = parse(bytes.indices.map { bytes[$0...$0] }, limits: limits)
            #expect(split == whole, "split at \(cut) of \(bytes)")
            #expect(single == whole, "byte-at-a-time of \(bytes)")
            expectWellFormed(whole, limits: limits, input: bytes)
            if split != whole || single != whole { return }
        }
    }

    /// Random bytes give well-formed requests or an error answered with a 4xx/5xx status.
    @Test func randomGarbageGivesRequestsOrAnErrorStatus() {
        var rng = SeededGenerator(seed: 42)
        let limits = HTTPLimits(maxHeaderBytes: 128)
        for _ in 0..<2000 {
            let bytes = (0..<Int.random(in: 0..<300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            expectWellFormed(parse([bytes[...]], limits: limits), limits: limits, input: bytes)
        }
    }

    /// What any input may produce: an error carries a 4xx or 5xx status (the server answers it and
    /// closes), and every request stays within the limits and survives re-serialisation: written
    /// out again with Content-Length framing and parsed, it is the same request.
    func expectWellFormed(_ outcome: ParseOutcome, limits: HTTPLimits, input: [UInt8]) {
        if let error = outcome.error {
            #expect((400..<600).contains(error.status.code), "\(error) for \(input)")
        }
        for request in outcome.requests {
            #expect(request.body.count <= limits.maxBodyBytes, "\(input)")
            #expect(request.headers.count <= limits.maxHeaderCount, "\(input)")
            let again = parse([Self.serialized(request)[...]], limits: HTTPLimits())
            #expect(again.error == nil, "\(again) re-parsing \(request) from \(input)")
            let reparsed = again.requests.first
            #expect(again.requests.count == 1, "\(again) re-parsing \(request) from \(input)")
            #expect(reparsed.map(Self.withoutFraming) == Self.withoutFraming(request), "re-parsed from \(input)")
        }
    }

    static let framingFields = ["content-length", "transfer-encoding"]

    /// `request` on the wire again: its own line and fields, the body framed by Content-Length.
    static func serialized(_ request: HTTPRequest) -> [UInt8] {
        var head = "\(request.method) \(request.target) \(request.version)\r\n"
        for field in withoutFraming(request).headers { head += "\(field.name): \(field.value)\r\n" }
        if !request.body.isEmpty { head += "Content-Length: \(request.body.count)\r\n" }
        return Array((head + "\r\n").utf8) + request.body
    }

    /// The request with its framing fields removed: they describe the bytes, not the request.
    static func withoutFraming(_ request: HTTPRequest) -> HTTPRequest {
        var stripped = request
        stripped.headers = HTTPHeaders(
            request.headers.filter { !framingFields.contains($0.name.lowercased()) }.map { ($0.name, $0.value) })
        return stripped
    }
}
