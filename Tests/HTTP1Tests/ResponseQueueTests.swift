import Testing

@testable import HTTP1

@Suite("ResponseQueue")
struct ResponseQueueTests {
    let date: [UInt8]? = nil

    func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func answersOutOfOrderAreWrittenInOrder() {
        var q = ResponseQueue()
        let a = q.enqueue(isHEAD: false, keepAlive: true, version: .http11)
        let b = q.enqueue(isHEAD: false, keepAlive: true, version: .http11)
        var out: [UInt8] = []
        #expect(q.fill(b, with: HTTPResponse(body: "B")) == false)  // waits behind a
        #expect(q.drainReady(into: &out, lastBeforeClose: false, date: date) == false)
        #expect(out.isEmpty)
        #expect(q.fill(a, with: HTTPResponse(body: "A")) == true)
        #expect(q.drainReady(into: &out, lastBeforeClose: false, date: date) == false)
        #expect(text(out) == "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nA" + "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nB")
        #expect(q.isEmpty)
    }

    @Test func duplicateAndLateAnswersAreIgnored() {
        var q = ResponseQueue()
        let a = q.enqueue(isHEAD: false, keepAlive: true, version: .http11)
        #expect(q.fill(a, with: HTTPResponse()) == true)
        #expect(q.fill(a, with: HTTPResponse()) == false)
        var out: [UInt8] = []
        _ = q.drainReady(into: &out, lastBeforeClose: false, date: date)
        #expect(q.fill(a, with: HTTPResponse()) == false)
        #expect(q.fill(99, with: HTTPResponse()) == false)
    }

    @Test func closingResponseDropsTheRest() {
        var q = ResponseQueue()
        let a = q.enqueue(isHEAD: false, keepAlive: false, version: .http11)
        let b = q.enqueue(isHEAD: false, keepAlive: true, version: .http11)
        _ = q.fill(b, with: HTTPResponse(body: "B"))
        _ = q.fill(a, with: HTTPResponse(body: "A"))
        var out: [UInt8] = []
        #expect(q.drainReady(into: &out, lastBeforeClose: false, date: date) == true)
        #expect(text(out).contains("Connection: close") && !text(out).contains("B"))
        #expect(q.isEmpty)
    }

    @Test func interimGoesOutInLineAndDrainClosesOnLast() {
        var q = ResponseQueue()
        let a = q.enqueue(isHEAD: false, keepAlive: true, version: .http11)
        q.enqueueInterim(HTTPResponseWriter.continueResponse)
        let b = q.enqueue(isHEAD: true, keepAlive: true, version: .http11)
        var out: [UInt8] = []
        _ = q.fill(b, with: HTTPResponse(body: "hidden"))
        #expect(q.drainReady(into: &out, lastBeforeClose: true, date: date) == false)
        #expect(out.isEmpty)  // the interim waits behind a
        _ = q.fill(a, with: HTTPResponse(body: "A"))
        #expect(q.drainReady(into: &out, lastBeforeClose: true, date: date) == true)
        #expect(
            text(out) == "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nA"
                + "HTTP/1.1 100 Continue\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\n")
    }
}
