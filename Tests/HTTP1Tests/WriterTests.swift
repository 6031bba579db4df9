import Testing

@testable import HTTP1

@Suite("HTTPResponseWriter")
struct WriterTests {
    let date = Array("Sun, 06 Nov 1994 08:49:37 GMT".utf8)

    func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func okWithBody() {
        let r = HTTPResponse(status: .ok, headers: ["Content-Type": "text/plain"], body: "hello")
        #expect(
            text(HTTPResponseWriter.serialize(r, date: date))
                == "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\nhello")
    }

    @Test func headKeepsContentLengthButNoBody() {
        let r = HTTPResponse(status: .ok, body: "hello")
        #expect(text(HTTPResponseWriter.serialize(r, isHEAD: true)) == "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n")
    }

    @Test func noContentAndNotModifiedHaveNoBody() {
        let a = HTTPResponse(status: .noContent, body: "ignored")
        #expect(text(HTTPResponseWriter.serialize(a)) == "HTTP/1.1 204 No Content\r\n\r\n")
        let b = HTTPResponse(status: .notModified, body: "ignored")
        #expect(text(HTTPResponseWriter.serialize(b)) == "HTTP/1.1 304 Not Modified\r\n\r\n")
    }

    @Test func connectionCloseAndHTTP10KeepAlive() {
        let r = HTTPResponse(status: .badRequest, body: "x")
        #expect(
            text(HTTPResponseWriter.serialize(r, keepAlive: false))
                == "HTTP/1.1 400 Bad Request\r\nContent-Length: 1\r\nConnection: close\r\n\r\nx")
        #expect(
            text(HTTPResponseWriter.serialize(r, keepAlive: true, requestVersion: .http10))
                == "HTTP/1.1 400 Bad Request\r\nContent-Length: 1\r\nConnection: keep-alive\r\n\r\nx")
    }

    @Test func handlerFramingFieldsAreReplaced() {
        let r = HTTPResponse(
            status: 201,
            headers: [
                "content-length": "999", "Transfer-Encoding": "chunked",
                "Connection": "keep-alive", "X-Id": "7",
            ], body: "abc")
        #expect(
            text(HTTPResponseWriter.serialize(r, keepAlive: false))
                == "HTTP/1.1 201 Created\r\nX-Id: 7\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc")
    }

    @Test func largeContentLengthAndUnknownStatus() {
        let r = HTTPResponse(status: 299, body: [UInt8](repeating: 0x61, count: 1_234_567))
        let out = HTTPResponseWriter.serialize(r)
        #expect(text(Array(out.prefix(60))).hasPrefix("HTTP/1.1 299 Unknown\r\nContent-Length: 1234567\r\n"))
        #expect(out.count == "HTTP/1.1 299 Unknown\r\nContent-Length: 1234567\r\n\r\n".utf8.count + 1_234_567)
    }

    @Test func unsafeHeaderFieldsAreDropped() {
        let r = HTTPResponse(status: .ok, headers: ["X-Ok": "fine", "X-Bad": "a\r\nSet-Cookie: evil", "Bad Name": "v"])
        #expect(text(HTTPResponseWriter.serialize(r)) == "HTTP/1.1 200 OK\r\nX-Ok: fine\r\nContent-Length: 0\r\n\r\n")
    }

    @Test func invalidStatusCodeBecomes500() {
        #expect(text(HTTPResponseWriter.serialize(HTTPResponse(status: 42))).hasPrefix("HTTP/1.1 500 Internal Server Error\r\n"))
    }

    @Test func reasonPhrases() {
        #expect(HTTPStatus(413).reasonPhrase == "Content Too Large")
        #expect(HTTPStatus(431).reasonPhrase == "Request Header Fields Too Large")
        #expect(HTTPStatus(505).reasonPhrase == "HTTP Version Not Supported")
    }

    @Test func dateFormat() {
        #expect(HTTPDate.format(784111777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.format(0) == "Thu, 01 Jan 1970 00:00:00 GMT")
    }

    @Test func defaultErrorBodyIsEscapedJSON() {
        let r = HTTPErrorBody.json(HTTPRequestRejection(status: .badRequest, code: "bad_request", message: "a \"q\"\n"))
        #expect(r.status == .badRequest)
        #expect(r.headers["content-type"] == "application/json")
        #expect(text(r.body) == #"{"error":{"code":"bad_request","message":"a \"q\"\n"}}"#)
    }
}
