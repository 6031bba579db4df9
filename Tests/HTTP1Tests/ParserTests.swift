import Testing

@testable import HTTP1

/// Everything a parse produced: events in order, then the error that stopped it (if any).
struct ParseOutcome: Equatable, CustomStringConvertible {
    var events: [HTTPParserEvent] = []
    var error: HTTPRequestRejection?

    var requests: [HTTPRequest] {
        events.compactMap { if case .request(let r) = $0 { return r } else { return nil } }
    }
    var description: String { "events: \(events.count), error: \(error.map { "\($0)" } ?? "none")" }
}

/// Feeds `chunks` in order, draining events after each feed.
func parse(_ chunks: [ArraySlice<UInt8>], limits: HTTPLimits) -> ParseOutcome {
    var parser = HTTPRequestParser(limits: limits)
    var outcome = ParseOutcome()
    for chunk in chunks {
        parser.feed(chunk)
        do {
            while let event = try parser.next() { outcome.events.append(event) }
        } catch {
            outcome.error = error
            return outcome
        }
    }
    return outcome
}

/// Parses `raw` whole, split at every byte boundary, and one byte at a time; expects the
/// same outcome every way and returns it.
func parseEverySplit(
    _ raw: String, limits: HTTPLimits = HTTPLimits(),
    sourceLocation: SourceLocation = #_sourceLocation
) -> ParseOutcome {
    let bytes = Array(raw.utf8)
    let whole = parse([bytes[...]], limits: limits)
    for cut in 0...bytes.count {
        let split = parse([bytes[..<cut], bytes[cut...]], limits: limits)
        #expect(split == whole, "split at \(cut) differs", sourceLocation: sourceLocation)
        if split != whole { break }
    }
    let single = parse(bytes.indices.map { bytes[$0...$0] }, limits: limits)
    #expect(single == whole, "byte-at-a-time differs", sourceLocation: sourceLocation)
    return whole
}

@Suite("HTTPRequestParser")
struct ParserTests {
    @Test func simpleGET() throws {
        let o = parseEverySplit("GET /v1/predict?x=1 HTTP/1.1\r\nHost: a\r\nAccept: */*\r\n\r\n")
        #expect(o.error == nil)
        let r = try #require(o.requests.first)
        #expect(r.method == "GET")
        #expect(r.target == "/v1/predict?x=1")
        #expect(r.path == "/v1/predict")
        #expect(r.query == "x=1")
        #expect(r.version == .http11)
        #expect(r.headers["host"] == "a")
        #expect(r.headers["ACCEPT"] == "*/*")
        #expect(r.body.isEmpty)
        #expect(r.keepAlive)
    }

    @Test func headerOrderAndDuplicatesKept() throws {
        let o = parseEverySplit("GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\nx-a: 2\r\nX-B:  spaced value \t\r\n\r\n")
        let r = try #require(o.requests.first)
        #expect(r.headers.fields.map(\.name) == ["Host", "X-A", "x-a", "X-B"])
        #expect(r.headers.values(for: "X-A") == ["1", "2"])
        #expect(r.headers["x-b"] == "spaced value")
    }

    @Test func postWithContentLength() throws {
        let o = parseEverySplit("POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world")
        let r = try #require(o.requests.first)
        #expect(o.requests.count == 1)
        #expect(String(decoding: r.body, as: UTF8.self) == "hello world")
    }

    @Test func chunkedWithExtensionsAndTrailers() throws {
        let raw =
            "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;name=value\r\nhello\r\n6 ; ext\r\n world\r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\nX-Other: u\r\n\r\n"
            + "GET /next HTTP/1.1\r\nHost: a\r\n\r\n"
        let o = parseEverySplit(raw)
        #expect(o.error == nil)
        #expect(o.requests.count == 2)
        #expect(String(decoding: o.requests[0].body, as: UTF8.self) == "hello world0123456789")
        #expect(o.requests[0].headers["X-Trailer"] == nil)  // trailers are discarded
        #expect(o.requests[1].target == "/next")
    }

    @Test func chunkedUppercaseHexAndLeadingZeros() throws {
        let o = parseEverySplit("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n000a\r\n0123456789\r\n0\r\n\r\n")
        #expect(o.requests.first?.body.count == 10)
    }

    @Test func pipelinedPairInOrder() throws {
        let o = parseEverySplit("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nPOST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi")
        #expect(o.requests.map(\.target) == ["/1", "/2"])
        #expect(o.requests[1].body == Array("hi".utf8))
    }

    @Test func http10DefaultsToClose() throws {
        let o = parseEverySplit("GET / HTTP/1.0\r\n\r\nGET /ignored HTTP/1.0\r\n\r\n")
        #expect(o.requests.count == 1)  // not persistent: nothing after it is parsed
        #expect(o.requests[0].version == .http10)
        #expect(o.requests[0].keepAlive == false)
    }

    @Test func http10KeepAlive() throws {
        let o = parseEverySplit("GET /a HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\nGET /b HTTP/1.0\r\n\r\n")
        #expect(o.requests.map(\.target) == ["/a", "/b"])
        #expect(o.requests.map(\.keepAlive) == [true, false])
    }

    @Test func connectionCloseStopsParsing() throws {
        let o = parseEverySplit("GET /a HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, close\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(o.requests.map(\.target) == ["/a"])
        #expect(o.requests[0].keepAlive == false)
        #expect(o.error == nil)
    }

    @Test func headRequest() throws {
        let o = parseEverySplit("HEAD /h HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(o.requests.first?.method == "HEAD")
    }

    @Test func leadingEmptyLineIgnored() throws {
        let o = parseEverySplit("\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(o.requests.count == 1)
    }

    @Test func higherMinorVersionTreatedAs11() throws {
        let o = parseEverySplit("GET / HTTP/1.7\r\nHost: a\r\n\r\n")
        #expect(o.requests.first?.version == .http11)
    }

    @Test func expectContinueEventPrecedesBody() throws {
        let o = parseEverySplit("POST /e HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc")
        #expect(o.events.count == 2)
        #expect(o.events.first == .expectContinue)
        #expect(o.requests.first?.body == Array("abc".utf8))
    }

    @Test func expectContinueWithoutBodyOrOn10IsIgnored() throws {
        let a = parseEverySplit("GET / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\n")
        #expect(a.events.count == 1 && a.requests.count == 1)
        let b = parseEverySplit("POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx")
        #expect(b.events.count == 1 && b.requests.count == 1)
    }

    @Test func expectContinueThenTooLargeGets413WithoutContinue() throws {
        let o = parseEverySplit(
            "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 100\r\n\r\n",
            limits: HTTPLimits(maxBodyBytes: 10))
        #expect(o.events.isEmpty)
        #expect(o.error?.status.code == 413)
    }

    @Test func lenientLineEndingsWhenNotStrict() throws {
        let o = parseEverySplit(
            "POST / HTTP/1.1\nHost: a\nTransfer-Encoding: chunked\n\n3\nabc\n0\n\n",
            limits: HTTPLimits(strictCRLF: false))
        #expect(o.error == nil)
        #expect(o.requests.first?.body == Array("abc".utf8))
    }

    @Test func identicalDuplicateContentLengthAccepted() throws {
        let a = parseEverySplit("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok")
        #expect(a.requests.first?.body == Array("ok".utf8))
        let b = parseEverySplit("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2, 2\r\n\r\nok")
        #expect(b.requests.first?.body == Array("ok".utf8))
    }

    @Test func phaseTracksProgress() throws {
        var p = HTTPRequestParser()
        #expect(p.phase == .idle)
        p.feed(Array("POST / HTTP/1.1\r\nHost: a\r\n".utf8))
        #expect(try p.next() == nil)
        #expect(p.phase == .head)
        p.feed(Array("Content-Length: 4\r\n\r\nab".utf8))
        #expect(try p.next() == nil)
        #expect(p.phase == .body)
        p.feed(Array("cd".utf8))
        #expect(try p.next() != nil)
        #expect(p.phase == .idle)
    }

    @Test func errorIsSticky() throws {
        var p = HTTPRequestParser()
        p.feed(Array("GET / HTTP/1.1\r\nHost: a\r\nBad Name: x\r\n\r\n".utf8))
        #expect(throws: HTTPRequestRejection.self) { try p.next() }
        p.feed(Array("GET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8))
        #expect(throws: HTTPRequestRejection.self) { try p.next() }
        #expect(p.phase == .finished)
    }

    // MARK: - Refusals

    struct Refusal: CustomTestStringConvertible, Sendable {
        let name: String
        let raw: String
        let status: Int
        var limits = HTTPLimits()
        var testDescription: String { name }
    }

    static let refusals: [Refusal] = [
        // Smuggling shapes (RFC 9112 §6.1, §6.3)
        Refusal(
            name: "CL and TE", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            status: 400),
        Refusal(
            name: "TE and CL", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n",
            status: 400),
        Refusal(
            name: "differing duplicate CL", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
            status: 400),
        Refusal(name: "differing CL list", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 4\r\n\r\nabcd", status: 400),
        Refusal(name: "negative CL", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", status: 400),
        Refusal(name: "plus-signed CL", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +3\r\n\r\nabc", status: 400),
        Refusal(name: "hex CL", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x3\r\n\r\nabc", status: 400),
        Refusal(name: "empty CL", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \r\n\r\n", status: 400),
        Refusal(name: "overflowing CL", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n", status: 400),
        Refusal(
            name: "TE not ending in chunked", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", status: 400),
        Refusal(
            name: "chunked twice",
            raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", status: 400),
        // §6.3 item 4: chunked not the only and final coding → 400 and close (not 501).
        Refusal(name: "unknown TE", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n", status: 400),
        Refusal(
            name: "gzip then chunked", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
            status: 400),
        Refusal(
            name: "chunked then identity", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n",
            status: 400),
        Refusal(
            name: "two TE fields",
            raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", status: 400),
        // Host must be uri-host [":" port] (RFC 9112 §3.2)
        Refusal(name: "Host with space", raw: "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", status: 400),
        Refusal(name: "Host list", raw: "GET / HTTP/1.1\r\nHost: x, y\r\n\r\n", status: 400),
        Refusal(name: "Host with path and userinfo", raw: "GET / HTTP/1.1\r\nHost: a/b@c\r\n\r\n", status: 400),
        Refusal(name: "Host with letters in port", raw: "GET / HTTP/1.1\r\nHost: a:8o\r\n\r\n", status: 400),
        Refusal(name: "Host with unclosed IP literal", raw: "GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", status: 400),
        Refusal(name: "TE on HTTP/1.0", raw: "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", status: 400),
        // Chunk sizes (RFC 9112 §7.1)
        Refusal(name: "non-hex chunk size", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nz\r\n", status: 400),
        Refusal(name: "empty chunk size", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", status: 400),
        Refusal(
            name: "chunk size with 0x", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n",
            status: 400),
        Refusal(name: "negative chunk size", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\n", status: 400),
        Refusal(
            name: "leading space chunk size",
            raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n 5\r\nhello\r\n0\r\n\r\n", status: 400),
        Refusal(
            name: "trailing space chunk size",
            raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n0\r\n\r\n", status: 400),
        Refusal(
            name: "too long chunk size",
            raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n00000000000000005\r\nhello\r\n0\r\n\r\n", status: 400),
        Refusal(
            name: "overflowing chunk size", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFF\r\n",
            status: 413),
        Refusal(
            name: "chunk data without CRLF", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n",
            status: 400),
        Refusal(
            name: "bare LF in chunk size line", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n",
            status: 400),
        // Header syntax (RFC 9112 §2.2, §5)
        Refusal(name: "obs-fold", raw: "GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n  continued\r\n\r\n", status: 400),
        Refusal(name: "obs-fold with tab", raw: "GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n\tcontinued\r\n\r\n", status: 400),
        Refusal(name: "space before colon", raw: "GET / HTTP/1.1\r\nHost: a\r\nContent-Length : 3\r\n\r\nabc", status: 400),
        Refusal(name: "bare LF in head", raw: "GET / HTTP/1.1\nHost: a\r\n\r\n", status: 400),
        Refusal(name: "bare LF ending head", raw: "GET / HTTP/1.1\r\nHost: a\r\n\n", status: 400),
        Refusal(name: "bare CR in value", raw: "GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r2\r\n\r\n", status: 400),
        Refusal(name: "invalid method char", raw: "G(T / HTTP/1.1\r\nHost: a\r\n\r\n", status: 400),
        Refusal(name: "invalid header name char", raw: "GET / HTTP/1.1\r\nHost: a\r\nX@A: 1\r\n\r\n", status: 400),
        Refusal(name: "empty header name", raw: "GET / HTTP/1.1\r\nHost: a\r\n: 1\r\n\r\n", status: 400),
        Refusal(name: "control char in value", raw: "GET / HTTP/1.1\r\nHost: a\r\nX-A: a\u{01}b\r\n\r\n", status: 400),
        Refusal(name: "NUL in value", raw: "GET / HTTP/1.1\r\nHost: a\r\nX-A: a\u{00}b\r\n\r\n", status: 400),
        Refusal(name: "space in target", raw: "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", status: 400),
        Refusal(name: "double space in request line", raw: "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", status: 400),
        Refusal(name: "missing version", raw: "GET /\r\nHost: a\r\n\r\n", status: 400),
        Refusal(name: "lowercase version", raw: "GET / http/1.1\r\nHost: a\r\n\r\n", status: 400),
        Refusal(name: "missing Host on 1.1", raw: "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", status: 400),
        Refusal(name: "two Host fields", raw: "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", status: 400),
        Refusal(name: "HTTP/2.0", raw: "GET / HTTP/2.0\r\nHost: a\r\n\r\n", status: 505),
        Refusal(name: "HTTP/0.9", raw: "GET / HTTP/0.9\r\nHost: a\r\n\r\n", status: 505),
        Refusal(
            name: "unknown expectation", raw: "POST / HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\nContent-Length: 1\r\n\r\nx", status: 417),
        // Limits
        Refusal(
            name: "header block too large", raw: "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + String(repeating: "x", count: 200) + "\r\n\r\n",
            status: 431, limits: HTTPLimits(maxHeaderBytes: 128)),
        Refusal(
            name: "request line too large", raw: "GET /" + String(repeating: "x", count: 200) + " HTTP/1.1\r\nHost: a\r\n\r\n",
            status: 414, limits: HTTPLimits(maxHeaderBytes: 128)),
        Refusal(
            name: "too many headers", raw: "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n",
            status: 431, limits: HTTPLimits(maxHeaderCount: 3)),
        Refusal(
            name: "too many trailers", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nA: 1\r\nB: 2\r\n\r\n",
            status: 431, limits: HTTPLimits(maxHeaderCount: 1)),
        Refusal(
            name: "CL body too large", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n",
            status: 413, limits: HTTPLimits(maxBodyBytes: 10)),
        Refusal(
            name: "chunked body too large", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n6\r\n",
            status: 413, limits: HTTPLimits(maxBodyBytes: 10)),
    ]

    @Test(arguments: refusals)
    func refused(_ c: Refusal) throws {
        let o = parseEverySplit(c.raw, limits: c.limits)
        let error = try #require(o.error, "\(c.name) was accepted")
        #expect(error.status.code == c.status, "\(c.name): \(error)")
        #expect(error.closesConnection)
        #expect(o.requests.isEmpty)
    }

    @Test(arguments: ["a", "a:8080", "127.0.0.1:80", "[::1]:8080", "[::1]", "xn--bcher-kva.example", "a%20b", "", "a:"])
    func validHostsAreAccepted(_ host: String) throws {
        let o = parseEverySplit("GET / HTTP/1.1\r\nHost: \(host)\r\n\r\n")
        #expect(o.error == nil, "\(host): \(String(describing: o.error))")
        #expect(o.requests.count == 1)
    }

    @Test func absoluteFormTargetIsRoutedByItsPath() throws {
        let cases: [(target: String, path: String, query: String?)] = [
            ("http://host/healthz", "/healthz", nil),
            ("HTTP://host:8080/v1/models?x=1", "/v1/models", "x=1"),
            ("https://host", "/", nil),
            ("http://host?q", "/", "q"),
            ("/plain?y", "/plain", "y"),
        ]
        for c in cases {
            let o = parseEverySplit("GET \(c.target) HTTP/1.1\r\nHost: host\r\n\r\n")
            let request = try #require(o.requests.first, "\(c.target)")
            #expect(request.target == c.target)
            #expect(request.path == c.path, "\(c.target)")
            #expect(request.query.map(String.init) == c.query, "\(c.target)")
        }
    }

    @Test func exactlyAtLimitsIsAccepted() throws {
        let raw = "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
        let o = parseEverySplit(raw, limits: HTTPLimits(maxHeaderBytes: raw.utf8.count, maxHeaderCount: 1))
        #expect(o.requests.count == 1)
        let body = parseEverySplit(
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n5\r\nfghij\r\n0\r\n\r\n",
            limits: HTTPLimits(maxBodyBytes: 10))
        #expect(body.requests.first?.body.count == 10)
    }
}
