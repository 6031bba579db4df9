import COpenSSL

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The container's health check without curl: one `GET /readyz` over a plain socket, or over TLS
/// when the server serves TLS.
public enum HealthProbe {
    /// True when `http://host:port/readyz` answers 200 within `timeout` seconds.
    public static func isReady(host: String, port: Int, timeout: Double = 2) -> Bool {
        isReady(ProbeTarget(host: host, port: port, tls: false), timeout: timeout)
    }

    /// True when the target's `/readyz` answers 200 within `timeout` seconds (per address tried).
    /// Over TLS the certificate is not verified: the probe asks whether this server is up on this
    /// host, not who it is, and a server's certificate is usually issued for its public name (or is
    /// self-signed), never for the loopback address probed here.
    public static func isReady(_ target: ProbeTarget, timeout: Double = 2) -> Bool {
        // Loopback by number: a container need not have an /etc/hosts naming localhost.
        let hosts = target.host == "localhost" ? ["127.0.0.1", "::1"] : [target.host]
        return hosts.contains { isReady(address: $0, target: target, timeout: timeout) }
    }

    static func isReady(address host: String, target: ProbeTarget, timeout: Double) -> Bool {
        var hints = addrinfo()
        #if canImport(Glibc)
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
            hints.ai_socktype = SOCK_STREAM
        #endif
        hints.ai_family = AF_UNSPEC
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(target.port), &hints, &list) == 0, let first = list else { return false }
        defer { freeaddrinfo(list) }
        let request = Array("GET /readyz HTTP/1.1\r\nHost: \(target.host)\r\nConnection: close\r\n\r\n".utf8)
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            entry = current.pointee.ai_next
            let fd = socket(current.pointee.ai_family, current.pointee.ai_socktype, current.pointee.ai_protocol)
            guard fd >= 0 else { continue }
            defer { close(fd) }
            #if !canImport(Glibc)
                var one: Int32 = 1
                setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
            #endif
            var interval = timeval(tv_sec: .init(timeout), tv_usec: .init((timeout - Double(Int(timeout))) * 1e6))
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
            guard connect(fd, current.pointee.ai_addr, current.pointee.ai_addrlen) == 0 else { continue }
            let head = target.tls ? tlsExchange(fd: fd, request: request) : plainExchange(fd: fd, request: request)
            guard let head else { continue }
            // "HTTP/1.1 200 "
            return head.count >= 12 && Array(head[9..<12]) == Array("200".utf8)
        }
        return false
    }

    /// `send` flags that keep a closed peer from raising SIGPIPE (Darwin sets SO_NOSIGPIPE instead).
    #if canImport(Glibc)
        static let noSignal = Int32(MSG_NOSIGNAL)
    #else
        static let noSignal: Int32 = 0
    #endif

    /// Sends the request, returns at least the status line's first 12 bytes (or what arrived).
    static func plainExchange(fd: Int32, request: [UInt8]) -> [UInt8]? {
        let sent = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, noSignal) }
        guard sent == request.count else { return nil }
        return readHead { buffer in recv(fd, buffer.baseAddress, buffer.count, 0) }
    }

    /// The same over a TLS client session on the connected socket (timeouts are the socket's).
    static func tlsExchange(fd: Int32, request: [UInt8]) -> [UInt8]? {
        guard let context = SSL_CTX_new(TLS_client_method()) else { return nil }
        defer { SSL_CTX_free(context) }
        SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nil)
        guard let session = SSL_new(context) else { return nil }
        defer { SSL_free(session) }
        guard SSL_set_fd(session, fd) == 1, SSL_connect(session) == 1 else { return nil }
        let sent = request.withUnsafeBytes { SSL_write(session, $0.baseAddress, Int32($0.count)) }
        guard sent == Int32(request.count) else { return nil }
        let head = readHead { buffer in Int(SSL_read(session, buffer.baseAddress, Int32(buffer.count))) }
        _ = SSL_shutdown(session)
        return head
    }

    /// Reads until the 12 bytes of "HTTP/1.1 NNN" are in (or the peer stops sending).
    static func readHead(_ receive: (UnsafeMutableRawBufferPointer) -> Int) -> [UInt8] {
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 512)
        while response.count < 12 {
            let count = buffer.withUnsafeMutableBytes { receive($0) }
            if count <= 0 { break }
            response.append(contentsOf: buffer[0..<count])
        }
        return response
    }
}
