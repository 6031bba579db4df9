/// Why a request was refused, with the status to answer and a stable machine-readable code.
///
/// Every parse error closes the connection: once framing is in doubt the byte stream can no
/// longer be trusted to delimit the next request (RFC 9112 §6.3, request smuggling).
public struct HTTPParseError: Error, Sendable, Equatable, CustomStringConvertible {
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

    /// Always true for parse errors; kept as a property so callers do not hard-code the rule.
    public var closesConnection: Bool { true }

    public var description: String { "\(status.code) \(code): \(message)" }

    public static func badRequest(_ message: String) -> HTTPParseError {
        HTTPParseError(status: .badRequest, code: "bad_request", message: message)
    }
    public static func uriTooLong(_ message: String) -> HTTPParseError {
        HTTPParseError(status: .uriTooLong, code: "uri_too_long", message: message)
    }
    public static func headerFieldsTooLarge(_ message: String) -> HTTPParseError {
        HTTPParseError(status: .headerFieldsTooLarge, code: "header_fields_too_large", message: message)
    }
    public static func payloadTooLarge(_ message: String) -> HTTPParseError {
        HTTPParseError(status: .payloadTooLarge, code: "payload_too_large", message: message)
    }
    public static func notImplemented(_ message: String) -> HTTPParseError {
        HTTPParseError(status: .notImplemented, code: "not_implemented", message: message)
    }
    public static func versionNotSupported(_ message: String) -> HTTPParseError {
        HTTPParseError(status: .versionNotSupported, code: "http_version_not_supported", message: message)
    }
    public static func expectationFailed(_ message: String) -> HTTPParseError {
        HTTPParseError(status: .expectationFailed, code: "expectation_failed", message: message)
    }
    /// Not produced by the parser: RFC 9112 §6.3 makes a request without framing headers a
    /// zero-length body, so 411 never fits. Provided for applications that require a length.
    public static func lengthRequired(_ message: String) -> HTTPParseError {
        HTTPParseError(status: .lengthRequired, code: "length_required", message: message)
    }
    /// Produced by the server (not the pure parser) when a read timeout expires.
    public static func requestTimeout(_ message: String) -> HTTPParseError {
        HTTPParseError(status: .requestTimeout, code: "request_timeout", message: message)
    }
    /// Produced by the server when a body does not fit the `BodyBudget`.
    public static func overBodyBudget(_ message: String) -> HTTPParseError {
        HTTPParseError(status: .serviceUnavailable, code: "over_body_budget", message: message)
    }
    /// Produced by the server when it is over its connection cap.
    public static func serviceUnavailable(_ message: String) -> HTTPParseError {
        HTTPParseError(status: .serviceUnavailable, code: "service_unavailable", message: message)
    }
}
