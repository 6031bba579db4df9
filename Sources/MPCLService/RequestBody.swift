import Compression
import HTTP1
import JSON

/// A POST body → JSON: the media type must be JSON (415 otherwise), a gzip body is inflated with
/// the body limit as the cap on its decompressed size (413 beyond it: a gzip bomb costs us at most
/// the limit), and the bytes must parse (400; `NaN`/`Infinity` are not JSON).
enum RequestBody {
    static func json(_ request: HTTPRequest, maxBytes: Int) throws(ServiceError) -> JSON {
        let bytes = try jsonBytes(request, maxBytes: maxBytes)
        do { return try JSON.parse(bytes) } catch { throw .malformedJSON(error.description) }
    }

    /// The bytes of a JSON body (media type checked, content coding removed, not empty), for a
    /// decoder that reads them without a tree.
    static func jsonBytes(_ request: HTTPRequest, maxBytes: Int) throws(ServiceError) -> [UInt8] {
        try checkContentType(request.headers["Content-Type"])
        let bytes = try decoded(request, maxBytes: maxBytes)
        guard !bytes.isEmpty else { throw .malformedJSON("the body is empty") }
        return bytes
    }

    /// `application/json` or any `+json` type, parameters (e.g. `charset=utf-8`) allowed.
    static func checkContentType(_ value: String?) throws(ServiceError) {
        guard let value else { throw .unsupportedMediaType("Content-Type must be application/json (none was sent)") }
        let mediaType = value.split(separator: ";", maxSplits: 1).first.map { $0.trimmedOWS().lowercased() } ?? ""
        guard mediaType == "application/json" || (mediaType.hasPrefix("application/") && mediaType.hasSuffix("+json")) else {
            throw .unsupportedMediaType("Content-Type must be application/json, not \(mediaType.prefix(100))")
        }
    }

    /// The content codings applied to the body, `identity` left out.
    static func codings(_ request: HTTPRequest) -> [String] {
        request.headers.values(for: "Content-Encoding")
            .flatMap { $0.split(separator: ",") }
            .map { $0.trimmedOWS().lowercased() }
            .filter { !$0.isEmpty && $0 != "identity" }
    }

    /// The body with its content coding (gzip) removed.
    static func decoded(_ request: HTTPRequest, maxBytes: Int) throws(ServiceError) -> [UInt8] {
        let codings = codings(request)
        guard !codings.isEmpty else { return request.body }
        guard codings == ["gzip"] || codings == ["x-gzip"] else {
            throw .unsupportedMediaType("Content-Encoding \(codings.joined(separator: ", ").prefix(100)) is not supported; use gzip")
        }
        do {
            return try Inflate.gzip(request.body, maximumOutputSize: maxBytes)
        } catch {
            if case .outputLimitExceeded = error {
                throw .payloadTooLarge("the gzip body decompresses to more than the limit of \(maxBytes) bytes")
            }
            throw ServiceError(.badRequest, "malformed_body", "the gzip body cannot be decoded: \(error.description)")
        }
    }
}
