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

    /// The target's path: up to (not including) `?`. An absolute-form target (RFC 9112 §3.2.2,
    /// `http://host/healthz`, as sent to proxies and accepted by servers) yields its path, so it
    /// is routed like the origin-form `/healthz`; an empty path is `/`.
    public var path: Substring {
        let utf8 = target.utf8
        var start = utf8.startIndex
        if let authorityEnd = Self.absoluteFormAuthorityEnd(target) {
            guard authorityEnd < utf8.endIndex, utf8[authorityEnd] == UInt8(ascii: "/") else { return "/" }
            start = authorityEnd
        }
        // Scanning bytes, not Characters: '?' is ASCII, and this runs several times per request.
        let end = utf8[start...].firstIndex(of: UInt8(ascii: "?")) ?? utf8.endIndex
        return target[start..<end]
    }

    /// For `scheme "://" authority path`, the index after the authority; nil for other forms.
    private static func absoluteFormAuthorityEnd(_ target: String) -> String.Index? {
        guard let first = target.utf8.first, first != UInt8(ascii: "/") else { return nil }
        let utf8 = target.utf8
        var i = utf8.startIndex
        // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) (RFC 3986 §3.1)
        while i < utf8.endIndex {
            let b = utf8[i]
            let isAlpha = (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A
            let isSchemeByte =
                isAlpha || (b >= 0x30 && b <= 0x39) || b == UInt8(ascii: "+") || b == UInt8(ascii: "-") || b == UInt8(ascii: ".")
            guard isSchemeByte, i != utf8.startIndex || isAlpha else { break }
            i = utf8.index(after: i)
        }
        guard i != utf8.startIndex, target[i...].hasPrefix("://") else { return nil }
        var j = utf8.index(i, offsetBy: 3)
        while j < utf8.endIndex, utf8[j] != UInt8(ascii: "/"), utf8[j] != UInt8(ascii: "?") { j = utf8.index(after: j) }
        return j
    }

    /// The target after `?`, if any.
    public var query: Substring? {
        guard let q = target.utf8.firstIndex(of: UInt8(ascii: "?")) else { return nil }
        return target[target.utf8.index(after: q)...]
    }
}
