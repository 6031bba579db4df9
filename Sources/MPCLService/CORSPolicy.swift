import HTTP1

/// Cross-origin access for browser applications (the Fetch standard's CORS protocol), off unless
/// `--cors-origin` names origins.
///
/// Preflights (`OPTIONS`) are answered 204 with the methods the route allows, the request headers
/// clients need and a cache lifetime; every response to an allowed origin carries
/// `Access-Control-Allow-Origin` and exposes the headers clients read (`X-Request-Id`,
/// `Inference-Header-Content-Length`, `Retry-After`). With a list of origins the answer depends on
/// `Origin`, hence `Vary: Origin`. No credentials are involved: the admin token is a bearer header,
/// which `Access-Control-Allow-Headers` permits.
struct CORSPolicy: Sendable {
    /// Allowed origins, exactly as browsers send them (`https://app.example`), or `*`.
    let origins: [String]

    static let allowedRequestHeaders = "Content-Type, Content-Encoding, Authorization, X-Request-Id, Inference-Header-Content-Length"
    static let exposedResponseHeaders = "X-Request-Id, Inference-Header-Content-Length, Retry-After"
    /// Seconds a browser may cache a preflight answer.
    static let maxAgeSeconds = 600

    var isEnabled: Bool { !origins.isEmpty }
    private var allowsAny: Bool { origins.contains("*") }

    /// The `Access-Control-Allow-Origin` value for a request from `origin`, or nil (not allowed).
    func allowedOrigin(_ origin: String?) -> String? {
        guard let origin, isEnabled else { return nil }
        if allowsAny { return "*" }
        return origins.contains(origin) ? origin : nil
    }

    /// Adds the CORS fields to a response for a request from `origin`.
    func decorate(_ response: inout HTTPResponse, origin: String?) {
        guard isEnabled else { return }
        if !allowsAny { response.headers.add(name: "Vary", value: "Origin") }
        guard let allowed = allowedOrigin(origin) else { return }
        response.headers.add(name: "Access-Control-Allow-Origin", value: allowed)
        response.headers.add(name: "Access-Control-Expose-Headers", value: Self.exposedResponseHeaders)
    }

    /// The answer to `OPTIONS` on a route allowing `methods`: 204 with `Allow`, and for an allowed
    /// origin the preflight fields (`decorate` adds the origin itself).
    func preflight(methods: [String], origin: String?) -> HTTPResponse {
        let allowed = (methods + ["OPTIONS"]).joined(separator: ", ")
        var headers: HTTPHeaders = ["Allow": allowed]
        if allowedOrigin(origin) != nil {
            headers.add(name: "Access-Control-Allow-Methods", value: allowed)
            headers.add(name: "Access-Control-Allow-Headers", value: Self.allowedRequestHeaders)
            headers.add(name: "Access-Control-Max-Age", value: String(Self.maxAgeSeconds))
        }
        return HTTPResponse(status: 204, headers: headers)
    }
}
