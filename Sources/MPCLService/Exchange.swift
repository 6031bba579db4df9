import Compression
import HTTP1
import JSON
import Timekeeping

/// One request in flight: answers it exactly once, adding `X-Request-Id`, compressing large bodies
/// for clients that accept gzip, and recording the request's metrics and log line.
struct Exchange: Sendable {
    let request: HTTPRequest
    let responder: HTTPResponder
    let requestId: String
    let route: Route?
    let started: UInt64
    let context: ExchangeContext

    /// Errors under `/v2` take the Open Inference Protocol's shape, matched routes or not.
    var isV2: Bool { route?.isV2 ?? (request.path == "/v2" || request.path.hasPrefix("/v2/")) }

    func respond(_ json: JSON, status: HTTPStatus = .ok, headers: HTTPHeaders = [:]) {
        respond(Self.jsonResponse(json, status: status, headers: headers))
    }

    /// `json` as an `application/json` response.
    static func jsonResponse(_ json: JSON, status: HTTPStatus = .ok, headers: HTTPHeaders = [:]) -> HTTPResponse {
        var headers = headers
        headers.add(name: "Content-Type", value: "application/json")
        return HTTPResponse(status: status, headers: headers, body: json.serialized())
    }

    func fail(_ error: ServiceError) {
        respond(error.response(v2: isV2))
    }

    func respond(_ response: HTTPResponse) {
        var response = response
        // HEAD is compressed too: it must carry exactly GET's fields (RFC 9110 §9.3.2), and the
        // writer then sends the compressed length without the body.
        if response.body.count >= context.gzipMinimumBytes,
            Self.acceptsGzip(request.headers.values(for: "Accept-Encoding")),
            let compressed = try? Deflate.gzip(response.body, level: 1)
        {
            response.body = compressed
            response.headers.add(name: "Content-Encoding", value: "gzip")
        }
        if response.body.count >= context.gzipMinimumBytes || response.headers.contains("Content-Encoding") {
            response.headers.add(name: "Vary", value: "Accept-Encoding")
        }
        response.headers.add(name: "X-Request-Id", value: requestId)
        context.cors.decorate(&response, origin: request.headers["Origin"])
        let seconds = Double(monotonicNanos() &- started) / 1e9
        let template = route?.template ?? "unmatched"
        let metrics = context.metrics
        metrics.requests.increment(["route": template, "method": Self.metricMethod(request.method), "status": String(response.status.code)])
        metrics.requestDuration.observe(seconds, ["route": template])
        context.log.request(
            method: request.method, path: request.path, status: response.status.code, durationSeconds: seconds,
            bytes: response.body.count, requestId: requestId)
        responder.send(response)
    }

    /// Whether an `Accept-Encoding` field list admits gzip (RFC 9110 §12.5.3): `gzip` or `*` with q > 0.
    static func acceptsGzip(_ fields: [String]) -> Bool {
        for field in fields {
            for item in field.split(separator: ",") {
                let parts = item.split(separator: ";").map { $0.trimmedOWS() }
                guard let coding = parts.first?.lowercased(), coding == "gzip" || coding == "x-gzip" || coding == "*" else { continue }
                let q = parts.dropFirst().first { $0.lowercased().hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
                if q > 0 { return true }
            }
        }
        return false
    }

    /// Known methods keep their name; anything else is `other`, so clients cannot mint label values.
    static func metricMethod(_ method: String) -> String {
        ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"].contains(method) ? method : "other"
    }
}

extension StringProtocol {
    /// The text without leading and trailing optional whitespace (space, tab: RFC 9110 §5.6.3).
    func trimmedOWS() -> String {
        var slice = self[...]
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }
}
