/// Why the server refused a request — or a connection, before any request — with the status to
/// answer and a stable machine-readable code: the parser's 4xx/5xx for bytes it cannot accept, and
/// the server's own 408 (a read timed out) and 503 (over the connection cap or the body budget).
///
/// Every rejection closes the connection: once framing is in doubt the byte stream can no
/// longer be trusted to delimit the next request (RFC 9112 §6.3, request smuggling).
public struct HTTPRequestRejection: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: HTTPStatus
    /// Stable snake_case identifier for the error body, e.g. `bad_request`.
    public var code: String
    /// Human-readable detail; never echoes request bytes.
    public var message: String

    public init(status: HTTPStatus, code: String, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    /// The positional form the named rejections below use.
    init(_ status: HTTPStatus, _ code: String, _ message: String) {
        self.init(status: status, code: code, message: message)
    }

    /// Always true for rejections; kept as a property so callers do not hard-code the rule.
    public var closesConnection: Bool { true }

    public var description: String { "\(status.code) \(code): \(message)" }

    // The parser's rejections: bytes that are not an acceptable HTTP/1.1 request.
    public static func badRequest(_ message: String) -> Self { Self(.badRequest, "bad_request", message) }
    public static func uriTooLong(_ message: String) -> Self { Self(.uriTooLong, "uri_too_long", message) }
    public static func headerFieldsTooLarge(_ message: String) -> Self { Self(.headerFieldsTooLarge, "header_fields_too_large", message) }
    public static func payloadTooLarge(_ message: String) -> Self { Self(.payloadTooLarge, "payload_too_large", message) }
    public static func notImplemented(_ message: String) -> Self { Self(.notImplemented, "not_implemented", message) }
    public static func versionNotSupported(_ message: String) -> Self { Self(.versionNotSupported, "http_version_not_supported", message) }
    public static func expectationFailed(_ message: String) -> Self { Self(.expectationFailed, "expectation_failed", message) }

    // The server's rejections, not the pure parser's.
    /// A read timeout expired.
    public static func requestTimeout(_ message: String) -> Self { Self(.requestTimeout, "request_timeout", message) }
    /// A body does not fit the `BodyBudget`.
    public static func overBodyBudget(_ message: String) -> Self { Self(.serviceUnavailable, "over_body_budget", message) }
    /// The server is over its connection cap.
    public static func serviceUnavailable(_ message: String) -> Self { Self(.serviceUnavailable, "service_unavailable", message) }
}
