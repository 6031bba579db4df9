/// What the parser has to say after being fed.
public enum HTTPParserEvent: Sendable, Equatable {
    /// A 1.1 request with `Expect: 100-continue` and a body has a complete, valid head; the
    /// server should send `100 Continue` now (RFC 9110 §10.1.1). Its `.request` follows later.
    case expectContinue
    /// A complete request, body aggregated.
    case request(HTTPRequest)
}

/// Incremental, socket-free HTTP/1.1 request parser (RFC 9112).
///
/// Why pure: every framing decision (where a request ends) is security-relevant, so it lives
/// in a value type that tests can feed byte by byte. The result never depends on how the
/// input was split: limits are checked against fixed windows, not against read sizes.
///
/// Usage: `feed` bytes, then call `next()` until it returns nil. After an error the parser
/// stays failed (every `next()` rethrows it); after a request that does not keep the
/// connection alive it stops producing requests and ignores further input.
public struct HTTPRequestParser {
    /// Where the parser is in the current message; the server uses it to pick a timeout.
    public enum Phase: Sendable, Equatable {
        /// Between requests, nothing buffered.
        case idle
        /// Some bytes of a request head are buffered.
        case head
        /// The head is complete and the body is being received.
        case body
        /// No further requests will be produced (error, or connection not kept alive).
        case finished
    }

    public let limits: HTTPLimits

    private var buffer: [UInt8] = []
    /// First unconsumed byte in `buffer`; all scan offsets are relative to it so compaction is free.
    private var start = 0
    private var state: State = .head(Scan())
    private var head: HTTPHeadParser.Head?
    private var body: [UInt8] = []

    /// Longest chunk-size line (size plus ignored extensions) accepted.
    static let maxChunkLineBytes = 4096

    private struct Scan {
        var scanned = 0  // bytes after `start` already examined
        var lineStart = 0  // start of the current line
        var blockStart = 0  // first byte after skipped leading empty lines
        var lines = 0  // completed non-empty lines (trailers only)
    }

    private enum State {
        case head(Scan)
        case fixedBody(Int)
        case chunkSize(Int)  // bytes of the size line already scanned
        case chunkData(Int)  // bytes of this chunk still to read
        case chunkDataEnd
        case trailers(Scan)
        case finished
        case failed(HTTPRequestRejection)
    }

    public init(limits: HTTPLimits = HTTPLimits()) {
        self.limits = limits
    }

    public var phase: Phase {
        switch state {
        case .head: return buffer.count > start ? .head : .idle
        case .finished, .failed: return .finished
        default: return .body
        }
    }

    /// The request whose body is being received: its Content-Length (nil when chunked), the chunk
    /// data aggregated so far and its header fields, so the server can charge the body
    /// (`BodyBudget`) before reading it, or as a chunked one grows. Nil otherwise.
    public var bodyInProgress: (declaredLength: Int?, receivedChunkBytes: Int, headers: HTTPHeaders)? {
        guard let head else { return nil }
        switch state {
        case .fixedBody(let n): return (n, 0, head.headers)
        case .chunkSize, .chunkData, .chunkDataEnd, .trailers: return (nil, body.count, head.headers)
        default: return nil
        }
    }

    /// Bytes received but not yet consumed by a produced event.
    public var bufferedByteCount: Int { buffer.count - start }

    public mutating func feed<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        switch state {
        case .finished, .failed: return
        default: break
        }
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: buffer.capacity <= 1 << 20)
            start = 0
        } else if start >= 1 << 16, start * 2 >= buffer.count {
            buffer.removeSubrange(0..<start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next event, nil when more input is needed (or the parser has finished).
    public mutating func next() throws(HTTPRequestRejection) -> HTTPParserEvent? {
        do {
            return try step()
        } catch {
            state = .failed(error)
            head = nil
            body = []
            throw error
        }
    }

    private mutating func step() throws(HTTPRequestRejection) -> HTTPParserEvent? {
        while true {
            switch state {
            case .failed(let error):
                throw error
            case .finished:
                return nil
            case .head(var scan):
                guard let end = try scanBlock(&scan, window: limits.maxHeaderBytes, skipLeadingEmptyLines: true)
                else {
                    state = .head(scan)
                    return nil
                }
                let parsed = try HTTPHeadParser(limits: limits)
                    .parse(buffer, start: start + scan.blockStart, end: start + scan.lineStart)
                start += end
                head = parsed
                body = []
                switch parsed.framing {
                case .none, .length(0):
                    return .request(complete())
                case .length(let n):
                    state = .fixedBody(n)
                case .chunked:
                    state = .chunkSize(0)
                }
                if parsed.expectsContinue { return .expectContinue }
            case .fixedBody(let n):
                guard buffer.count - start >= n else { return nil }
                body = Array(buffer[start..<(start + n)])
                start += n
                return .request(complete())
            case .chunkSize(let scanned):
                try readChunkSize(scanned: scanned)
                if case .chunkSize = state { return nil }
            case .chunkData(let remaining):
                let n = min(remaining, buffer.count - start)
                body.append(contentsOf: buffer[start..<(start + n)])
                start += n
                guard n == remaining else {
                    state = .chunkData(remaining - n)
                    return nil
                }
                state = .chunkDataEnd
            case .chunkDataEnd:
                // RFC 9112 §7.1: chunk-data is followed by exactly CRLF.
                guard start < buffer.count else { return nil }
                if buffer[start] == ByteClass.cr {
                    guard start + 1 < buffer.count else { return nil }
                    guard buffer[start + 1] == ByteClass.lf else { throw .badRequest("chunk data not followed by CRLF") }
                    start += 2
                } else if buffer[start] == ByteClass.lf && !limits.strictCRLF {
                    start += 1
                } else {
                    throw .badRequest("chunk data not followed by CRLF")
                }
                state = .chunkSize(0)
            case .trailers(var scan):
                // RFC 9112 §7.1.2: trailer fields are parsed for well-formedness and discarded.
                guard let end = try scanBlock(&scan, window: limits.maxHeaderBytes, skipLeadingEmptyLines: false)
                else {
                    state = .trailers(scan)
                    return nil
                }
                var lines = LineIterator(bytes: buffer, position: start, end: start + scan.lineStart)
                var count = 0
                while let line = lines.next() {
                    count += 1
                    if count > limits.maxHeaderCount { throw .headerFieldsTooLarge("too many trailer fields") }
                    try validateTrailer(line)
                }
                start += end
                return .request(complete())
            }
        }
    }

    /// Builds the finished request and moves to the next message (or stops, when not persistent).
    private mutating func complete() -> HTTPRequest {
        let h = head!
        head = nil
        let request = HTTPRequest(
            method: h.method, target: h.target, version: h.version,
            headers: h.headers, body: body, keepAlive: h.keepAlive)
        body = []
        state = h.keepAlive ? .head(Scan()) : .finished
        return request
    }

    /// Finds the empty line ending a header or trailer block within `window` bytes of `start`.
    ///
    /// Checks every line ending as it goes (RFC 9112 §2.2): bare LF is refused when strict,
    /// bare CR always. Returns the block length including the final empty line, or nil.
    /// Over the window without an end → 431, whatever the read sizes were.
    private func scanBlock(_ scan: inout Scan, window: Int, skipLeadingEmptyLines: Bool)
        throws(HTTPRequestRejection) -> Int?
    {
        let windowEnd = min(buffer.count, start + window)
        var i = start + scan.scanned
        var lineStart = start + scan.lineStart
        var blockStart = start + scan.blockStart
        defer {
            scan.scanned = i - start
            scan.lineStart = lineStart - start
            scan.blockStart = blockStart - start
        }
        while i < windowEnd {
            let b = buffer[i]
            if b == ByteClass.lf {
                let hasCR = i > lineStart && buffer[i - 1] == ByteClass.cr
                if !hasCR && limits.strictCRLF { throw .badRequest("bare LF in header section") }
                let contentEnd = hasCR ? i - 1 : i
                if contentEnd == lineStart {
                    if skipLeadingEmptyLines && lineStart == blockStart {
                        // RFC 9112 §2.2: ignore empty lines before the request-line.
                        blockStart = i + 1
                        lineStart = i + 1
                        i += 1
                        continue
                    }
                    i += 1
                    return i - start
                }
                lineStart = i + 1
            } else if i > lineStart && buffer[i - 1] == ByteClass.cr {
                throw .badRequest("bare CR in header section")
            }
            i += 1
        }
        if buffer.count >= start + window {
            // RFC 9112 §3: a request-target longer than we parse gets 414; it is the request line
            // itself (no line end yet) that overflowed the window.
            if skipLeadingEmptyLines && lineStart == blockStart {
                throw .uriTooLong("request line exceeds \(window) bytes")
            }
            throw .headerFieldsTooLarge("header section exceeds \(window) bytes")
        }
        return nil
    }

    /// Parses `chunk-size [ chunk-ext ] CRLF` (RFC 9112 §7.1) strictly: 1–16 hex digits, then
    /// nothing, or optional whitespace and `;` extensions (ignored). Signs, `0x`, leading or
    /// trailing whitespace without an extension are refused: such sizes are read differently by
    /// different parsers.
    private mutating func readChunkSize(scanned: Int) throws(HTTPRequestRejection) {
        let windowEnd = min(buffer.count, start + Self.maxChunkLineBytes)
        var i = start + scanned
        var lf = -1
        while i < windowEnd {
            if buffer[i] == ByteClass.lf { lf = i; break }
            if i > start && buffer[i - 1] == ByteClass.cr { throw .badRequest("bare CR in chunk size line") }
            i += 1
        }
        guard lf >= 0 else {
            if buffer.count >= start + Self.maxChunkLineBytes { throw .badRequest("chunk size line too long") }
            state = .chunkSize(i - start)
            return
        }
        let hasCR = lf > start && buffer[lf - 1] == ByteClass.cr
        if !hasCR && limits.strictCRLF { throw .badRequest("bare LF in chunk size line") }
        let end = hasCR ? lf - 1 : lf
        var j = start
        var size: UInt64 = 0
        while j < end, let d = ByteClass.hexValue(buffer[j]) {
            guard j - start < 16 else { throw .badRequest("chunk size too long") }
            size = size << 4 | UInt64(d)
            j += 1
        }
        guard j > start else { throw .badRequest("missing chunk size") }
        if j < end {
            while j < end, ByteClass.isWhitespace(buffer[j]) { j += 1 }
            guard j < end, buffer[j] == UInt8(ascii: ";") else { throw .badRequest("malformed chunk size") }
            for k in j..<end where !ByteClass.fieldValue[Int(buffer[k])] {
                throw .badRequest("control character in chunk extension")
            }
        }
        let room = UInt64(max(0, limits.maxBodyBytes - body.count))
        guard size <= room else { throw .payloadTooLarge("chunked body exceeds \(limits.maxBodyBytes) bytes") }
        start = lf + 1
        state = size == 0 ? .trailers(Scan()) : .chunkData(Int(size))
    }

    private func validateTrailer(_ line: Range<Int>) throws(HTTPRequestRejection) {
        guard !line.isEmpty, !ByteClass.isWhitespace(buffer[line.lowerBound]) else {
            throw .badRequest("malformed trailer field")
        }
        var i = line.lowerBound
        while i < line.upperBound, buffer[i] != ByteClass.colon {
            guard ByteClass.tchar[Int(buffer[i])] else { throw .badRequest("malformed trailer field") }
            i += 1
        }
        guard i > line.lowerBound, i < line.upperBound else { throw .badRequest("malformed trailer field") }
        for k in (i + 1)..<line.upperBound where !ByteClass.fieldValue[Int(buffer[k])] {
            throw .badRequest("control character in trailer field")
        }
    }
}
