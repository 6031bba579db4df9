#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The container's health check without curl: one `GET /readyz` over a plain socket.
public enum HealthProbe {
    /// True when `http://host:port/readyz` answers 200 within `timeout` seconds.
    public static func isReady(host: String, port: Int, timeout: Double = 2) -> Bool {
        var hints = addrinfo()
        #if canImport(Glibc)
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            let sendFlags = Int32(MSG_NOSIGNAL)
        #else
            hints.ai_socktype = SOCK_STREAM
            let sendFlags: Int32 = 0  // SO_NOSIGPIPE below
        #endif
        hints.ai_family = AF_UNSPEC
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else { return false }
        defer { freeaddrinfo(list) }
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
            let request = Array("GET /readyz HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n".utf8)
            guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, sendFlags) }) == request.count else { continue }
            var response: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 512)
            while response.count < 12 {
                let count = recv(fd, &buffer, buffer.count, 0)
                if count <= 0 { break }
                response.append(contentsOf: buffer[0..<count])
            }
            // "HTTP/1.1 200 "
            return response.count >= 12 && Array(response[9..<12]) == Array("200".utf8)
        }
        return false
    }
}
