import Compression
import HTTP1
import JSON

/// A POST body → JSON bytes: the media type must be JSON (415 otherwise), a gzip body is inflated
/// with the body limit as the cap on its decompressed size (413 beyond it: a gzip bomb costs us at
/// most the limit). The decoders then read the bytes (400 unless they are JSON; `NaN`/`Infinity`
/// are not).
enum RequestBody {
    /// The bytes of a JSON body: media type checked, content coding removed, not empty.
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
