/// One complete request as the handler sees it: head plus the fully aggregated body.
///
/// Why aggregated: the application's handlers decode whole JSON documents; streaming
/// would only move the buffering into every handler. `HTTPLimits.maxBodyBytes` bounds it.
public struct HTTPRequest: Sendable, Equatable {
    public var method: String
    /// The request-target exactly as sent (RFC 9112 §3.2), usually origin-form `/path?query`.
    public var target: String
    public var version: HTTPVersion
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Whether the connection may stay open after the response (RFC 9112 §9.3):
    /// 1.1 unless `Connection: close`; 1.0 only with `Connection: keep-alive`.
    public var keepAlive: Bool

    public init(
        method: String, target: String, version: HTTPVersion = .http11,
        headers: HTTPHeaders = [:], body: [UInt8] = [], keepAlive: Bool = true
    ) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.body = body
        self.keepAlive = keepAlive
    }

    /// The target up to (not including) `?`.
    public var path: Substring {
        if let q = target.firstIndex(of: "?") { return target[..<q] }
        return target[...]
    }

    /// The target after `?`, if any.
    public var query: Substring? {
        guard let q = target.firstIndex(of: "?") else { return nil }
        return target[target.index(after: q)...]
    }
}
