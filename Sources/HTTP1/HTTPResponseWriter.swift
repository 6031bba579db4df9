/// Serialises a response head and body to bytes (RFC 9112 §4, §6).
///
/// Pure: the caller supplies the request facts that shape the framing (HEAD, version,
/// persistence) and the `Date` value, so the writer is testable without a clock or socket.
public enum HTTPResponseWriter {
    /// Appends the serialised response to `out` (appending lets the server batch pipelined responses).
    ///
    /// - `isHEAD`: the head is sent with the `Content-Length` the body would have, but no body (RFC 9110 §9.3.2).
    /// - `keepAlive`: false adds `Connection: close`; true on a 1.0 request adds `Connection: keep-alive`.
    /// - 1xx, 204 and 304 carry neither body nor `Content-Length` (RFC 9110 §8.6, §6.4.1).
    public static func write(
        _ response: HTTPResponse, isHEAD: Bool = false, keepAlive: Bool = true,
        requestVersion: HTTPVersion = .http11, date: [UInt8]? = nil, into out: inout [UInt8]
    ) {
        // A code outside 100...999 cannot be written as the 3-digit status-code (RFC 9112 §4).
        let status = (100...999).contains(response.status.code) ? response.status : .internalServerError
        out.reserveCapacity(out.count + 128 + response.body.count)
        append("HTTP/1.1 ", to: &out)
        appendDecimal(status.code, to: &out)
        out.append(ByteClass.sp)
        append(status.reasonPhrase, to: &out)
        out.append(contentsOf: crlf)
        for field in response.headers.fields where !isFramingField(field.name) && isWritable(field) {
            append(field.name, to: &out)
            out.append(contentsOf: colonSpace)
            append(field.value, to: &out)
            out.append(contentsOf: crlf)
        }
        let noBody = status.forbidsBody
        if !noBody {
            append("Content-Length: ", to: &out)
            appendDecimal(response.body.count, to: &out)
            out.append(contentsOf: crlf)
        }
        if let date {
            append("Date: ", to: &out)
            out.append(contentsOf: date)
            out.append(contentsOf: crlf)
        }
        if !keepAlive {
            append("Connection: close\r\n", to: &out)
        } else if requestVersion == .http10 {
            append("Connection: keep-alive\r\n", to: &out)
        }
        out.append(contentsOf: crlf)
        if !noBody && !isHEAD { out.append(contentsOf: response.body) }
    }

    /// Convenience returning a fresh byte array.
    public static func serialize(
        _ response: HTTPResponse, isHEAD: Bool = false, keepAlive: Bool = true,
        requestVersion: HTTPVersion = .http11, date: [UInt8]? = nil
    ) -> [UInt8] {
        var out: [UInt8] = []
        write(response, isHEAD: isHEAD, keepAlive: keepAlive, requestVersion: requestVersion, date: date, into: &out)
        return out
    }

    /// The interim response sent before reading a body the client is holding back (RFC 9110 §15.2.1).
    public static let continueResponse: [UInt8] = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    private static let crlf: [UInt8] = [ByteClass.cr, ByteClass.lf]
    private static let colonSpace: [UInt8] = [ByteClass.colon, ByteClass.sp]

    private static func isFramingField(_ name: String) -> Bool {
        HTTPHeaders.equalsIgnoringCase(name, "content-length")
            || HTTPHeaders.equalsIgnoringCase(name, "transfer-encoding")
            || HTTPHeaders.equalsIgnoringCase(name, "connection")
            || HTTPHeaders.equalsIgnoringCase(name, "date")
    }

    /// Drops fields that would break the framing (response splitting): the name must be a
    /// token and the value free of CR, LF and other control bytes except HTAB.
    private static func isWritable(_ field: HTTPHeaders.Field) -> Bool {
        guard !field.name.isEmpty, field.name.utf8.allSatisfy({ ByteClass.tchar[Int($0)] }) else { return false }
        return field.value.utf8.allSatisfy { ByteClass.fieldValue[Int($0)] }
    }

    @inline(__always)
    private static func append(_ s: String, to out: inout [UInt8]) {
        var s = s
        s.withUTF8 { out.append(contentsOf: $0) }
    }

    private static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        if value < 10 {
            out.append(UInt8(truncatingIfNeeded: value) &+ 0x30)
            return
        }
        var digits:
            (
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8
            ) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = value, count = 0
        withUnsafeMutableBytes(of: &digits) { p in
            while n > 0 {
                p[19 - count] = UInt8(truncatingIfNeeded: n % 10) &+ 0x30
                n /= 10
                count += 1
            }
            out.append(contentsOf: p[(20 - count)...])
        }
    }
}
