/// Builds the response sent when the layer itself refuses a request (parse error, timeout, cap).
/// Injectable through `HTTPServerConfiguration.errorRenderer` so the app can match its own error shape.
public typealias HTTPErrorRenderer = @Sendable (HTTPRequestRejection) -> HTTPResponse

/// The default error body: `{"error":{"code":"...","message":"..."}}`.
///
/// The layer knows this generic shape only; it is built by hand to keep the layer free of
/// any JSON dependency.
public enum HTTPErrorBody {
    public static let json: HTTPErrorRenderer = { error in
        let body = "{\"error\":{\"code\":\"\(escape(error.code))\",\"message\":\"\(escape(error.message))\"}}"
        return HTTPResponse(status: error.status, headers: ["Content-Type": "application/json"], body: body)
    }

    /// Minimal JSON string escaping (RFC 8259 §7).
    static func escape(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
