import HTTP1

/// An infer body as Triton's and KServe's clients send it → its bytes and where the JSON header ends.
///
/// The binary tensor data extension puts raw tensor bytes after the JSON object and states the
/// JSON's length in `Inference-Header-Content-Length`; without that field the whole body is JSON.
/// Accepted media types: none at all (tritonclient sends no `Content-Type`), JSON (`+json`
/// included) and `application/octet-stream` (KServe's client, for binary bodies).
enum V2RequestBody {
    static let headerLengthField = "Inference-Header-Content-Length"

    /// The body with its content coding removed, and the length of its JSON header (the rest is
    /// binary tensor data); `V2InferDecoder` reads both.
    static func split(_ request: HTTPRequest, maxBytes: Int) throws(ServiceError) -> (bytes: [UInt8], headerLength: Int) {
        if let contentType = request.headers["Content-Type"] {
            let mediaType = contentType.split(separator: ";", maxSplits: 1).first.map { $0.trimmedOWS().lowercased() } ?? ""
            if mediaType != "application/octet-stream" {
                do throws(ServiceError) {
                    try RequestBody.checkContentType(contentType)
                } catch {
                    throw .unsupportedMediaType(
                        "Content-Type must be application/json or application/octet-stream (or absent), not \(mediaType.prefix(100))")
                }
            }
        }
        let bytes = try RequestBody.decoded(request, maxBytes: maxBytes)
        var headerLength = bytes.count
        if let field = request.headers[headerLengthField] {
            let text = field.trimmedOWS()
            guard !text.isEmpty, text.utf8.count <= 12, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let value = Int(text),
                value <= bytes.count
            else {
                throw ServiceError(
                    .badRequest, "invalid_header_length",
                    "\(headerLengthField) must be a decimal byte count no larger than the body (\(bytes.count) bytes)")
            }
            headerLength = value
        }
        guard headerLength > 0 else { throw .malformedJSON("the JSON header is empty") }
        return (bytes, headerLength)
    }
}
