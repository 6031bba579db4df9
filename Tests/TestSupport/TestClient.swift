import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Blocking HTTP/1.1 client on a raw socket, for tests of the server and the service: it sends
/// exact bytes (so tests can send malformed, split or pipelined requests), reads responses by
/// Content-Length, and can tell whether the server closed the connection.
public final class TestClient {
    public let fd: Int32
    private var pending: [UInt8] = []

    /// `timeout` bounds every read and write; generous, so a busy machine slows a test, not fails it.
    public init(port: Int, host: String = "127.0.0.1", timeout: Double = 30) throws {
        fd = socket(host.contains(":") ? AF_INET6 : AF_INET, Sockets.streamType, 0)
        guard fd >= 0 else { throw TestClientError(description: "socket failed") }
        #if !canImport(Glibc)
            var one: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        #endif
        var interval = timeval(tv_sec: .init(timeout), tv_usec: .init((timeout - Double(Int(timeout))) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
        guard Sockets.connect(fd, host: host, port: port) == 0 else {
            let reason = String(cString: strerror(errno))
            Sockets.close(fd)
            throw TestClientError(description: "connect failed: \(reason)")
        }
    }

    deinit { Sockets.close(fd) }

    /// Sends all bytes; false if the connection failed first.
    @discardableResult
    public func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Sockets.send(fd, $0.baseAddress! + offset, bytes.count - offset) }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    @discardableResult
    public func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// Sends one request (with a Content-Length body when `body` is given) and reads the response.
    public func request(
        _ method: String, _ target: String, body: [UInt8]? = nil, contentType: String? = "application/json",
        headers: [(String, String)] = []
    ) throws -> TestResponse {
        send(Self.encode(method, target, body: body, contentType: contentType, headers: headers))
        return try readResponse(isHEAD: method == "HEAD")
    }

    public func get(_ target: String, headers: [(String, String)] = []) throws -> TestResponse {
        try request("GET", target, body: nil, contentType: nil, headers: headers)
    }

    /// The bytes of one request: `Host: test`, then `headers`, then Content-Type and Content-Length
    /// when there is a body.
    public static func encode(
        _ method: String, _ target: String, body: [UInt8]?, contentType: String? = "application/json", headers: [(String, String)] = []
    ) -> [UInt8] {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: test\r\n"
        if let contentType, body != nil { head += "Content-Type: \(contentType)\r\n" }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if let body { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        return Array(head.utf8) + (body ?? [])
    }

    /// Reads more bytes into the buffer; false on EOF, error or timeout.
    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = recv(fd, &chunk, chunk.count, 0)
        guard n > 0 else { return false }
        pending.append(contentsOf: chunk[0..<n])
        return true
    }

    /// Reads one response. `isHEAD` skips the body despite Content-Length, as do 1xx, 204 and 304
    /// (RFC 9112 §6.3).
    public func readResponse(isHEAD: Bool = false) throws -> TestResponse {
        var headEnd = findHeadEnd()
        while headEnd == nil {
            guard fill() else { throw TestClientError(description: "connection closed before a response head") }
            headEnd = findHeadEnd()
        }
        let head = String(decoding: pending[0..<headEnd!], as: UTF8.self)
        pending.removeFirst(headEnd! + 4)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
            throw TestClientError(description: "bad status line \(head)")
        }
        var headers: [(String, String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        var response = TestResponse(status: status, headers: headers, body: [])
        let length =
            isHEAD || status == 204 || status == 304 || status < 200
            ? 0 : Int(response.header("Content-Length") ?? "0") ?? 0
        while pending.count < length {
            guard fill() else { throw TestClientError(description: "connection closed mid-body") }
        }
        response.body = Array(pending[0..<length])
        pending.removeFirst(length)
        return response
    }

    private func findHeadEnd() -> Int? {
        guard pending.count >= 4 else { return nil }
        for i in 0...(pending.count - 4)
        where pending[i] == 13 && pending[i + 1] == 10 && pending[i + 2] == 13 && pending[i + 3] == 10 {
            return i
        }
        return nil
    }

    /// True when the server has closed (EOF or reset) within the socket timeout, after
    /// discarding any bytes it still sends.
    public func waitForClose() -> Bool {
        pending.removeAll()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n > 0 { continue }
            if n == 0 { return true }
            return errno == ECONNRESET
        }
    }

    /// Bytes received until the server closes (or the timeout), without parsing.
    public func readToEnd() -> [UInt8] {
        while fill() {}
        defer { pending.removeAll() }
        return pending
    }

    /// Shuts both directions down (the descriptor itself is closed when the client is released).
    public func close() { shutdown(fd, Int32(SHUT_RDWR)) }
}
