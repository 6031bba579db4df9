import HTTP1
import JSON

/// A refusal the service answers with: the HTTP status, a stable machine-readable code, a message
/// for people and the offending field path (`windows[3].eeg`), rendered as
/// `{"error":{"code","message","field"}}` — or `{"error":"message"}` on the V2 endpoints, whose
/// clients expect the Open Inference Protocol's shape. Messages never echo request bytes at length
/// and never carry a stack trace.
public struct ServiceError: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: HTTPStatus
    public var code: String
    public var message: String
    public var field: String?
    /// Extra header fields (`Allow`, `Retry-After`, `WWW-Authenticate`).
    public var headers: HTTPHeaders

    public init(_ status: HTTPStatus, _ code: String, _ message: String, field: String? = nil, headers: HTTPHeaders = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.headers = headers
    }

    public var description: String { "\(status.code) \(code): \(message)" }

    /// The error body in the service's own shape.
    public var json: JSON {
        ["error": ["code": .string(code), "message": .string(message), "field": field.map { .string($0) } ?? .null]]
    }

    /// The error body in the Open Inference Protocol's shape.
    public var v2JSON: JSON { ["error": .string(message)] }

    /// The response carrying this error. The Open Inference Protocol answers every malformed or
    /// unacceptable request with 400, so the V2 shape turns our 422 (well-formed JSON, wrong
    /// content) into 400 too.
    public func response(v2: Bool = false) -> HTTPResponse {
        var headers = self.headers
        headers.add(name: "Content-Type", value: "application/json")
        let status = v2 && self.status == .unprocessableContent ? .badRequest : self.status
        return HTTPResponse(status: status, headers: headers, body: (v2 ? v2JSON : json).serialized())
    }
}

extension ServiceError {
    static func malformedJSON(_ detail: String) -> ServiceError {
        ServiceError(.badRequest, "malformed_json", "request body is not valid JSON: \(detail)")
    }
    static func notFound(_ path: Substring) -> ServiceError {
        ServiceError(.notFound, "not_found", "no such endpoint: \(path.prefix(200))")
    }
    static func unknownModel(_ name: String) -> ServiceError {
        ServiceError(.notFound, "unknown_model", "no model named '\(name.prefix(100))' is loaded", field: "model")
    }
    static func methodNotAllowed(_ method: String, allowed: [String]) -> ServiceError {
        ServiceError(
            .methodNotAllowed, "method_not_allowed", "\(method.prefix(20)) is not allowed here; use \(allowed.joined(separator: ", "))",
            headers: ["Allow": allowed.joined(separator: ", ")])
    }
    static func unsupportedMediaType(_ message: String) -> ServiceError {
        ServiceError(.unsupportedMediaType, "unsupported_media_type", message)
    }
    static func payloadTooLarge(_ message: String, field: String? = nil) -> ServiceError {
        ServiceError(.payloadTooLarge, "payload_too_large", message, field: field)
    }
    static func invalidShape(_ message: String, field: String) -> ServiceError {
        ServiceError(.unprocessableContent, "invalid_shape", message, field: field)
    }
    static func invalidType(_ field: String, expected: String, found: JSON) -> ServiceError {
        ServiceError(.unprocessableContent, "invalid_type", "\(field) must be \(expected), found \(found.kindName)", field: field)
    }
    static func nonFinite(_ field: String) -> ServiceError {
        ServiceError(.unprocessableContent, "non_finite", "\(field) is not a finite 32-bit float", field: field)
    }
    static func missing(_ field: String, code: String = "missing_field", what: String = "is required") -> ServiceError {
        ServiceError(.unprocessableContent, code, "\(field) \(what)", field: field)
    }
    static func overloaded(retryAfterSeconds: Int) -> ServiceError {
        ServiceError(
            .serviceUnavailable, "overloaded", "the inference queue is full; retry shortly",
            headers: ["Retry-After": String(retryAfterSeconds)])
    }
    static let notReady = ServiceError(
        .serviceUnavailable, "not_ready", "the server is draining or has no model loaded", headers: ["Retry-After": "1"])
    static let unauthorized = ServiceError(
        401, "unauthorized", "a valid admin bearer token is required", headers: ["WWW-Authenticate": "Bearer realm=\"mpcl-admin\""])
}
