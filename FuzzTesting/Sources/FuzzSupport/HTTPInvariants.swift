import HTTP1

/// What one way of feeding an input produced: the events in order, then the error that stopped
/// the parser (if any), and how many bytes were left unconsumed.
public struct HTTPParseOutcome: Equatable, CustomStringConvertible {
    public var events: [HTTPParserEvent] = []
    public var error: HTTPRequestRejection?
    public var buffered = 0

    public var requests: [HTTPRequest] {
        events.compactMap { if case .request(let r) = $0 { return r } else { return nil } }
    }

    public var description: String {
        let kinds = events.map { event -> String in
            switch event {
            case .expectContinue: return "100-continue"
            case .request(let r): return "\(r.method) \(r.target) body=\(r.body.count) keepAlive=\(r.keepAlive)"
            }
        }
        return "events: [\(kinds.joined(separator: "; "))], error: \(error.map { "\($0)" } ?? "none"), buffered: \(buffered)"
    }
}

/// The properties every parse must have, whatever the bytes.
public enum HTTPInvariants {
    /// Lenient, small limits picked by the input's hash: reaches the 413/431 edges and the
    /// bare-LF code paths that the production defaults never get to with short inputs.
    public static func smallLimits(hash: UInt64) -> HTTPLimits {
        HTTPLimits(
            maxBodyBytes: Int(hash % 257),
            maxHeaderBytes: 16 + Int((hash >> 12) % 1024),
            maxHeaderCount: 1 + Int((hash >> 24) % 16),
            strictCRLF: (hash >> 40) & 3 == 0)
    }

    /// Feeds `chunks` in order, draining every event after each feed, checking stickiness at the end.
    public static func parse(_ chunks: [ArraySlice<UInt8>], limits: HTTPLimits) -> HTTPParseOutcome {
        var parser = HTTPRequestParser(limits: limits)
        var outcome = HTTPParseOutcome()
        feeding: for chunk in chunks {
            parser.feed(chunk)
            do {
                while let event = try parser.next() {
                    fuzzCheck(outcome.error == nil, "event after an error")
                    outcome.events.append(event)
                }
            } catch {
                outcome.error = error
                break feeding
            }
        }
        outcome.buffered = parser.bufferedByteCount
        // After the input ends: an error is sticky and no request ever follows it; without an error,
        // asking again (with nothing new) produces nothing new.
        if let error = outcome.error {
            fuzzCheck(parser.phase == .finished, "phase \(parser.phase) after error \(error)")
            parser.feed(Array("GET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8))
            do {
                let event = try parser.next()
                fuzzFailure("parser produced \(String(describing: event)) after error \(error)")
            } catch {
                fuzzCheck(error == outcome.error, "error changed from \(outcome.error!) to \(error)")
            }
        } else {
            do {
                let again = try parser.next()
                fuzzCheck(again == nil, "next() produced an event with no new input")
            } catch {
                fuzzFailure("next() threw \(error) with no new input after succeeding")
            }
        }
        return outcome
    }

    public static func expectSame(_ a: HTTPParseOutcome, _ b: HTTPParseOutcome, _ how: String) {
        // `buffered` legitimately differs (a split may end before the parser consumed a chunk),
        // except that a finished parse consumed everything it was going to.
        fuzzCheck(
            a.events == b.events && a.error == b.error,
            "feeding \(how) differs from feeding whole:\n whole: \(a)\n \(how): \(b)")
    }

    /// Per-outcome invariants: statuses, bodies within limits, well-formed heads, framing agreement.
    public static func check(_ outcome: HTTPParseOutcome, input: [UInt8], limits: HTTPLimits) {
        if let error = outcome.error {
            let allowed: Set<Int> = [400, 413, 414, 417, 431, 501, 505]
            fuzzCheck(allowed.contains(error.status.code), "unexpected status in \(error)")
            fuzzCheck(error.closesConnection, "parse error keeps the connection: \(error)")
            fuzzCheck(!error.code.isEmpty && !error.message.isEmpty, "error without code or message")
        }
        var bodyBytes = 0
        var awaitingBody = false
        for (index, event) in outcome.events.enumerated() {
            switch event {
            case .expectContinue:
                fuzzCheck(!awaitingBody, "two 100-continue events in a row")
                awaitingBody = true
            case .request(let r):
                awaitingBody = false
                checkRequest(r, limits: limits)
                bodyBytes += r.body.count
                if !r.keepAlive {
                    fuzzCheck(index == outcome.events.count - 1, "event after a request that closes the connection")
                    fuzzCheck(outcome.error == nil, "error after a request that closes the connection")
                }
            }
        }
        fuzzCheck(bodyBytes <= input.count, "bodies (\(bodyBytes) bytes) larger than the input (\(input.count))")
        fuzzCheck(outcome.buffered >= 0 && outcome.buffered <= input.count, "buffered \(outcome.buffered) of \(input.count)")
    }

    static func checkRequest(_ r: HTTPRequest, limits: HTTPLimits) {
        fuzzCheck(r.body.count <= limits.maxBodyBytes, "body of \(r.body.count) bytes over the limit \(limits.maxBodyBytes)")
        fuzzCheck(!r.method.isEmpty && r.method.utf8.allSatisfy(isTchar), "bad method \(r.method.debugDescription)")
        fuzzCheck(
            !r.target.isEmpty && r.target.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F },
            "bad target \(r.target.debugDescription)")
        fuzzCheck(r.headers.count <= limits.maxHeaderCount, "\(r.headers.count) header fields over the limit")
        for field in r.headers {
            fuzzCheck(!field.name.isEmpty && field.name.utf8.allSatisfy(isTchar), "bad field name \(field.name.debugDescription)")
            fuzzCheck(
                field.value.utf8.allSatisfy { $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) },
                "control byte in field value \(field.value.debugDescription)")
            fuzzCheck(
                field.value.utf8.first.map { $0 != 0x20 && $0 != 0x09 } ?? true
                    && field.value.utf8.last.map { $0 != 0x20 && $0 != 0x09 } ?? true,
                "untrimmed field value \(field.value.debugDescription)")
        }
        let hosts = r.headers.values(for: "host").count
        fuzzCheck(hosts <= 1, "\(hosts) Host fields accepted")
        if r.version == .http11 { fuzzCheck(hosts == 1, "HTTP/1.1 request without Host accepted") }
        let te = r.headers.values(for: "transfer-encoding")
        let cl = r.headers.values(for: "content-length")
        fuzzCheck(te.isEmpty || cl.isEmpty, "both Transfer-Encoding and Content-Length accepted")
        if !te.isEmpty {
            fuzzCheck(r.version == .http11, "Transfer-Encoding accepted on HTTP/1.0")
        } else if !cl.isEmpty {
            // Every element of every Content-Length must be the body length.
            for value in cl {
                for element in value.split(separator: ",", omittingEmptySubsequences: false) {
                    let digits = element.utf8.filter { $0 != 0x20 && $0 != 0x09 }
                    fuzzCheck(
                        !digits.isEmpty && digits.allSatisfy { $0 >= 0x30 && $0 <= 0x39 },
                        "Content-Length \(value.debugDescription) accepted")
                    fuzzCheck(
                        Int(String(decoding: digits, as: UTF8.self)) == r.body.count,
                        "Content-Length \(value.debugDescription) but body of \(r.body.count) bytes")
                }
            }
        } else {
            fuzzCheck(r.body.isEmpty, "body of \(r.body.count) bytes without framing headers")
        }
    }

    /// Re-serialises each accepted request in canonical form (Content-Length framing, no
    /// Transfer-Encoding) and parses it again: the parser must read back exactly what it produced.
    public static func checkRoundTrip(_ outcome: HTTPParseOutcome, limits: HTTPLimits) {
        let roomy = HTTPLimits(maxBodyBytes: limits.maxBodyBytes, maxHeaderBytes: 1 << 22, maxHeaderCount: 10_000)
        for r in outcome.requests {
            var headers = HTTPHeaders()
            for field in r.headers
            where !HTTPHeaders.equalsIgnoringCase(field.name, "content-length")
                && !HTTPHeaders.equalsIgnoringCase(field.name, "transfer-encoding")
            {
                headers.add(name: field.name, value: field.value)
            }
            if !r.body.isEmpty { headers.add(name: "Content-Length", value: String(r.body.count)) }
            var raw = Array("\(r.method) \(r.target) \(r.version == .http10 ? "HTTP/1.0" : "HTTP/1.1")\r\n".utf8)
            for field in headers { raw += Array("\(field.name): \(field.value)\r\n".utf8) }
            raw += Array("\r\n".utf8)
            raw += r.body
            let again = parse([raw[...]], limits: roomy)
            guard again.error == nil, let back = again.requests.first, again.requests.count == 1 else {
                fuzzFailure(
                    "canonical form of an accepted request is not accepted: \(again)\n raw: \(String(decoding: raw.prefix(2048), as: UTF8.self).debugDescription)"
                )
            }
            fuzzCheck(
                back.method == r.method && back.target == r.target && back.version == r.version
                    && back.body == r.body && back.keepAlive == r.keepAlive && back.headers == headers,
                "round trip changed the request: \(r.method) \(r.target) → \(back.method) \(back.target)")
        }
    }

    static func isTchar(_ b: UInt8) -> Bool {
        switch b {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
        default: return "!#$%&'*+-.^_`|~".utf8.contains(b)
        }
    }
}
