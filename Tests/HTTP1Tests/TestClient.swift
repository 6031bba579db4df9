import Foundation

@testable import HTTP1

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A response as read by the test client.
struct TestResponse {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }
    var bodyString: String { String(decoding: body, as: UTF8.self) }
}

struct TestClientError: Error, CustomStringConvertible {
    let description: String
}

/// Tiny blocking HTTP/1.1 client on a raw socket: sends exact bytes, reads responses by
/// Content-Length, and can tell whether the server closed the connection.
final class TestClient {
    let fd: Int32
    private var pending: [UInt8] = []

    /// `timeout` bounds every read and write; generous, so a busy machine slows a test, not fails it.
    init(port: Int, host: String = "127.0.0.1", timeout: Double = 20) throws {
        let family = host.contains(":") ? AF_INET6 : AF_INET
        fd = socket(family, SystemCalls.streamSocket, 0)
        guard fd >= 0 else { throw TestClientError(description: "socket failed") }
        #if !canImport(Glibc)
            var one: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        #endif
        var tv = timeval(tv_sec: .init(timeout), tv_usec: .init((timeout - Double(Int(timeout))) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var rc: Int32
        if family == AF_INET6 {
            var addr = sockaddr_in6()
            addr.sin6_family = sa_family_t(AF_INET6)
            addr.sin6_port = UInt16(port).bigEndian
            inet_pton(AF_INET6, host, &addr.sin6_addr)
            rc = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        } else {
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = UInt16(port).bigEndian
            inet_pton(AF_INET, host, &addr.sin_addr)
            rc = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        guard rc == 0 else {
            let e = errno
            SystemCalls.close(fd)
            throw TestClientError(description: "connect failed: \(String(cString: strerror(e)))")
        }
    }

    deinit { SystemCalls.close(fd) }

    func send(_ text: String) { send(Array(text.utf8)) }

    /// Sends all bytes; false if the connection failed first.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { SystemCalls.send(fd, $0.baseAddress! + offset, bytes.count - offset) }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    /// Reads more bytes into the buffer; false on EOF, error or timeout.
    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = recv(fd, &chunk, chunk.count, 0)
        guard n > 0 else { return false }
        pending.append(contentsOf: chunk[0..<n])
        return true
    }

    /// Reads one response. `isHEAD` skips the body despite Content-Length.
    func readResponse(isHEAD: Bool = false) throws -> TestResponse {
        var headEnd: Int?
        while true {
            if let r = findHeadEnd() { headEnd = r; break }
            guard fill() else { throw TestClientError(description: "connection closed before response head") }
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
    func waitForClose() -> Bool {
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
    func readToEnd() -> [UInt8] {
        while fill() {}
        defer { pending.removeAll() }
        return pending
    }

    func close() { shutdown(fd, Int32(SHUT_RDWR)) }
}

/// Runs `body` against a started server on an ephemeral port and stops it afterwards.
func withServer(
    limits: HTTPLimits = HTTPLimits(),
    loops: Int = 2,
    configure: (inout HTTPServerConfiguration) -> Void = { _ in },
    handler: @escaping HTTPServer.Handler,
    _ body: (HTTPServer) throws -> Void
) throws {
    var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0, limits: limits, eventLoopCount: loops)
    configure(&configuration)
    let server = HTTPServer(configuration: configuration, handler: handler)
    try server.start()
    defer { server.stop() }
    try body(server)
}

/// Echoes method, target and body; used by most server tests.
let echoHandler: HTTPServer.Handler = { request, responder in
    var headers = HTTPHeaders()
    headers.add(name: "X-Method", value: request.method)
    headers.add(name: "X-Target", value: request.target)
    responder.send(HTTPResponse(status: .ok, headers: headers, body: request.body))
}

/// Polls `condition` until true or `timeout` seconds pass (generous: it returns as soon as it holds).
func eventually(timeout: Double = 20, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        usleep(5_000)
    }
    return condition()
}
