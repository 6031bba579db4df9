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

    /// Mutated requests must never crash the parser, and the outcome must not depend on how
    /// the bytes were split.
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
            if split != whole || single != whole { return }
        }
    }

    @Test func randomGarbageNeverCrashes() {
        var rng = SeededGenerator(seed: 42)
        for _ in 0..<2000 {
            let bytes = (0..<Int.random(in: 0..<300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            var parser = HTTPRequestParser(limits: HTTPLimits(maxHeaderBytes: 128))
            parser.feed(bytes)
            while let event = try? parser.next() { _ = event }
        }
    }
}
