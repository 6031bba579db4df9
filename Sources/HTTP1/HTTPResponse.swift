/// What a handler answers: status, extra header fields and the complete body.
///
/// Framing fields (`Content-Length`, `Transfer-Encoding`, `Connection`, `Date`) are owned by
/// the writer and ignored here: letting a handler set them could desynchronise the framing.
public struct HTTPResponse: Sendable, Equatable {
    public var status: HTTPStatus
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = [:], body: String) {
        self.init(status: status, headers: headers, body: Array(body.utf8))
    }
}
