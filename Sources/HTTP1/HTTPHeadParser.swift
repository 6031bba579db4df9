/// Turns one complete header block into a validated request head and its body framing.
///
/// Why separate from the incremental state machine: this is where every "refuse, do not guess"
/// rule of RFC 9112 lives, and it only ever runs on a block whose end has already been found,
/// so it is independent of how the bytes arrived.
struct HTTPHeadParser {
    /// How the body that follows the head is delimited (RFC 9112 §6.3).
    enum Framing: Equatable {
        case none
        case length(Int)
        case chunked
    }

    struct Head {
        var method: String
        var target: String
        var version: HTTPVersion
        var headers: HTTPHeaders
        var keepAlive: Bool
        var framing: Framing
        var expectsContinue: Bool
    }

    let limits: HTTPLimits

    /// Parses `bytes[start..<end]`, the request line and field lines without the final empty line.
    func parse(_ bytes: [UInt8], start: Int, end: Int) throws(HTTPRequestRejection) -> Head {
        var lines = LineIterator(bytes: bytes, position: start, end: end)
        guard let requestLine = lines.next() else { throw .badRequest("missing request line") }
        let (method, target, version) = try parseRequestLine(bytes, requestLine)

        var headers = HTTPHeaders()
        var count = 0
        while let line = lines.next() {
            count += 1
            if count > limits.maxHeaderCount {
                throw .headerFieldsTooLarge("more than \(limits.maxHeaderCount) header fields")
            }
            let (name, value) = try parseFieldLine(bytes, line)
            headers.add(name: name, value: value)
        }
        return try interpret(method: method, target: target, version: version, headers: headers)
    }

    // MARK: - Request line (RFC 9112 §3)

    private func parseRequestLine(_ b: [UInt8], _ line: Range<Int>) throws(HTTPRequestRejection)
        -> (String, String, HTTPVersion)
    {
        var i = line.lowerBound
        while i < line.upperBound, b[i] != ByteClass.sp {
            guard ByteClass.tchar[Int(b[i])] else { throw .badRequest("invalid character in method") }
            i += 1
        }
        guard i > line.lowerBound, i < line.upperBound else { throw .badRequest("malformed request line") }
        let method = String(decoding: b[line.lowerBound..<i], as: UTF8.self)
        let targetStart = i + 1
        var j = targetStart
        while j < line.upperBound, b[j] != ByteClass.sp {
            guard ByteClass.isTargetByte(b[j]) else { throw .badRequest("invalid character in request-target") }
            j += 1
        }
        guard j > targetStart, j < line.upperBound else { throw .badRequest("malformed request line") }
        let target = String(decoding: b[targetStart..<j], as: UTF8.self)
        let version = try parseVersion(b, (j + 1)..<line.upperBound)
        return (method, target, version)
    }

    /// `HTTP-version = "HTTP/" DIGIT "." DIGIT` (RFC 9112 §2.3). A well-formed version other
    /// than 1.x gets 505; anything else (including a third space from a spaced target) gets 400.
    private func parseVersion(_ b: [UInt8], _ r: Range<Int>) throws(HTTPRequestRejection) -> HTTPVersion {
        let p = r.lowerBound
        guard r.count == 8, b[p] == 0x48, b[p + 1] == 0x54, b[p + 2] == 0x54, b[p + 3] == 0x50,  // "HTTP"
            b[p + 4] == 0x2F, b[p + 6] == 0x2E  // "/" and "."
        else { throw .badRequest("malformed HTTP version") }
        let majorByte = b[r.lowerBound + 5], minorByte = b[r.lowerBound + 7]
        guard (0x30...0x39).contains(majorByte), (0x30...0x39).contains(minorByte) else {
            throw .badRequest("malformed HTTP version")
        }
        let major = Int(majorByte - 0x30), minor = Int(minorByte - 0x30)
        guard major == 1 else { throw .versionNotSupported("only HTTP/1.0 and HTTP/1.1 are supported") }
        return minor == 0 ? .http10 : .http11
    }

    // MARK: - Field lines (RFC 9112 §5)

    private func parseFieldLine(_ b: [UInt8], _ line: Range<Int>) throws(HTTPRequestRejection) -> (String, String) {
        guard !line.isEmpty else { throw .badRequest("empty field line") }
        // §5.2: obs-fold is refused rather than unfolded; folding hides fields from intermediaries.
        if ByteClass.isWhitespace(b[line.lowerBound]) { throw .badRequest("obsolete line folding") }
        var i = line.lowerBound
        while i < line.upperBound, b[i] != ByteClass.colon {
            guard ByteClass.tchar[Int(b[i])] else {
                // §5.1: whitespace between name and colon MUST be rejected with 400.
                throw .badRequest(
                    ByteClass.isWhitespace(b[i])
                        ? "whitespace between field name and colon" : "invalid character in field name")
            }
            i += 1
        }
        guard i < line.upperBound, i > line.lowerBound else { throw .badRequest("malformed field line") }
        let name = String(decoding: b[line.lowerBound..<i], as: UTF8.self)
        var vs = i + 1, ve = line.upperBound
        while vs < ve, ByteClass.isWhitespace(b[vs]) { vs += 1 }
        while ve > vs, ByteClass.isWhitespace(b[ve - 1]) { ve -= 1 }
        for k in vs..<ve where !ByteClass.fieldValue[Int(b[k])] {
            throw .badRequest("control character in field value")
        }
        return (name, String(decoding: b[vs..<ve], as: UTF8.self))
    }

    // MARK: - Semantics: Host, framing, connection, expectation

    private func interpret(method: String, target: String, version: HTTPVersion, headers: HTTPHeaders)
        throws(HTTPRequestRejection) -> Head
    {
        var hosts: [String] = []
        var contentLengths: [String] = []
        var transferEncodings: [String] = []
        var connectionValues: [String] = []
        var expectValues: [String] = []
        for field in headers.fields {
            let n = field.name
            if HTTPHeaders.equalsIgnoringCase(n, "host") {
                hosts.append(field.value)
            } else if HTTPHeaders.equalsIgnoringCase(n, "content-length") {
                contentLengths.append(field.value)
            } else if HTTPHeaders.equalsIgnoringCase(n, "transfer-encoding") {
                transferEncodings.append(field.value)
            } else if HTTPHeaders.equalsIgnoringCase(n, "connection") {
                connectionValues.append(field.value)
            } else if HTTPHeaders.equalsIgnoringCase(n, "expect") {
                expectValues.append(field.value)
            }
        }

        // RFC 9112 §3.2: a 1.1 request without exactly one Host is answered 400.
        if version == .http11 && hosts.isEmpty { throw .badRequest("missing Host header") }
        if hosts.count > 1 { throw .badRequest("multiple Host headers") }
        // RFC 9112 §3.2: a Host that is not a valid uri-host[:port] is answered 400.
        if let host = hosts.first, !HostSyntax.isValid(host) { throw .badRequest("invalid Host header") }

        let framing = try framingOf(
            version: version, contentLengths: contentLengths,
            transferEncodings: transferEncodings)

        var close = false, keepAliveToken = false
        for value in connectionValues {
            for token in ByteClass.listElements(value) {
                if token.utf8.count == 5, ByteClass.lowercased(token) == "close" { close = true }
                if token.utf8.count == 10, ByteClass.lowercased(token) == "keep-alive" { keepAliveToken = true }
            }
        }
        // RFC 9112 §9.3: 1.1 persists unless "close"; 1.0 only with "keep-alive".
        let keepAlive = version == .http11 ? !close : (keepAliveToken && !close)

        // RFC 9110 §10.1.1: ignore Expect from 1.0; refuse expectations we do not know with 417.
        var expectsContinue = false
        if version == .http11 {
            for value in expectValues {
                for token in ByteClass.listElements(value) {
                    guard ByteClass.lowercased(token) == "100-continue" else {
                        throw .expectationFailed("unsupported expectation")
                    }
                    expectsContinue = true
                }
            }
        }

        switch framing {
        case .length(let n) where n > limits.maxBodyBytes:
            throw .payloadTooLarge("body of \(n) bytes exceeds \(limits.maxBodyBytes)")
        case .none, .length(0):
            expectsContinue = false  // nothing to wait for
        default:
            break
        }

        return Head(
            method: method, target: target, version: version, headers: headers,
            keepAlive: keepAlive, framing: framing, expectsContinue: expectsContinue)
    }

    /// Body length per RFC 9112 §6.1–§6.3, refusing every ambiguous shape.
    private func framingOf(version: HTTPVersion, contentLengths: [String], transferEncodings: [String])
        throws(HTTPRequestRejection) -> Framing
    {
        if !transferEncodings.isEmpty {
            // §6.1: both present is a smuggling shape; a server MAY reject it and we do.
            if !contentLengths.isEmpty { throw .badRequest("both Content-Length and Transfer-Encoding") }
            // §6.1: HTTP/1.0 with Transfer-Encoding must be treated as faulty framing.
            if version == .http10 { throw .badRequest("Transfer-Encoding in an HTTP/1.0 request") }
            // §6.3 item 4: unless chunked is the final coding the length cannot be determined, and
            // the server MUST answer 400 and close. Chunked is also the only coding we decode, so
            // anything but exactly one `chunked` (in one field) is refused: `chunked, identity`,
            // `gzip, chunked`, `xchunked`, two Transfer-Encoding fields.
            guard transferEncodings.count == 1 else { throw .badRequest("more than one Transfer-Encoding field") }
            let codings = ByteClass.listElements(transferEncodings[0])
            guard codings.count == 1, ByteClass.lowercased(codings[0]) == "chunked" else {
                throw .badRequest("Transfer-Encoding other than a single chunked")
            }
            return .chunked
        }
        guard !contentLengths.isEmpty else { return .none }
        // §6.3 item 5: identical duplicates (or a list of identical values) may be accepted;
        // anything else, or anything that is not 1*DIGIT, is unrecoverable framing.
        var length: Int?
        for value in contentLengths {
            let elements = value.split(separator: ",", omittingEmptySubsequences: false)
            for element in elements {
                let digits = element.trimmingWhitespace()
                guard !digits.isEmpty else { throw .badRequest("empty Content-Length") }
                var n = 0
                for c in digits.utf8 {
                    guard c >= 0x30 && c <= 0x39 else { throw .badRequest("invalid Content-Length") }
                    let (m, o1) = n.multipliedReportingOverflow(by: 10)
                    let (s, o2) = m.addingReportingOverflow(Int(c - 0x30))
                    guard !o1 && !o2 else { throw .badRequest("Content-Length overflows") }
                    n = s
                }
                if let l = length, l != n { throw .badRequest("conflicting Content-Length values") }
                length = n
            }
        }
        return .length(length ?? 0)
    }
}

/// Walks the lines of a validated header block (line ends already checked by the scanner),
/// yielding each line's range without its CR LF.
struct LineIterator {
    let bytes: [UInt8]
    var position: Int
    let end: Int

    mutating func next() -> Range<Int>? {
        guard position < end else { return nil }
        var i = position
        while i < end, bytes[i] != ByteClass.lf { i += 1 }
        var lineEnd = i
        if lineEnd > position, bytes[lineEnd - 1] == ByteClass.cr { lineEnd -= 1 }
        defer { position = i + 1 }
        return position..<lineEnd
    }
}
