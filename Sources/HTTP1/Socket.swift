#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Listening-socket setup and the small socket calls the connection code needs.
enum Socket {
    struct Failure: Error, CustomStringConvertible {
        let call: String
        let code: Int32
        var description: String { "\(call) failed: \(String(cString: strerror(code)))" }
    }

    /// A bound, listening, non-blocking socket.
    struct Listener {
        let fd: Int32
        let port: Int
        /// The address actually bound: `host`, or `0.0.0.0` when `::` fell back to IPv4.
        let host: String
    }

    /// Binds and listens on a numeric IPv4/IPv6 literal or a resolvable host name, non-blocking,
    /// with SO_REUSEADDR so a restarted server can rebind while old connections sit in TIME_WAIT.
    ///
    /// `::` (and the empty host) listen dual-stack: one IPv6 socket with IPV6_V6ONLY off also
    /// accepts IPv4 clients as v4-mapped addresses (RFC 4291 §2.5.5.2). A kernel without IPv6
    /// makes that fail, and the listener falls back to `0.0.0.0` (the caller logs it).
    static func listen(host: String, port: Int, backlog: Int32) throws -> Listener {
        let dualStack = host.isEmpty || host == "::"
        do {
            let (fd, bound) = try bind(host: dualStack ? "::" : host, port: port, backlog: backlog, dualStack: dualStack)
            return Listener(fd: fd, port: bound, host: dualStack ? "::" : host)
        } catch let failure as Failure where dualStack && failure.isNoIPv6 {
            let (fd, bound) = try bind(host: "0.0.0.0", port: port, backlog: backlog, dualStack: false)
            return Listener(fd: fd, port: bound, host: "0.0.0.0")
        }
    }

    private static func bind(host: String, port: Int, backlog: Int32, dualStack: Bool) throws -> (Int32, Int) {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = SystemCalls.streamSocket
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var result: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &result)
        guard rc == 0, let first = result else {
            throw Failure(call: "getaddrinfo(\(host))", code: rc == EAI_SYSTEM ? errno : (rc == EAI_FAMILY ? EAFNOSUPPORT : EINVAL))
        }
        defer { freeaddrinfo(result) }
        var lastError = Failure(call: "bind", code: EADDRNOTAVAIL)
        var ai: UnsafeMutablePointer<addrinfo>? = first
        while let a = ai {
            ai = a.pointee.ai_next
            let fd = socket(a.pointee.ai_family, SystemCalls.streamSocket, 0)
            guard fd >= 0 else {
                lastError = Failure(call: "socket", code: errno)
                continue
            }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            var one: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            if dualStack && a.pointee.ai_family == AF_INET6 {
                var zero: Int32 = 0
                setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &zero, socklen_t(MemoryLayout<Int32>.size))
            }
            guard systemBind(fd, a.pointee.ai_addr, a.pointee.ai_addrlen) == 0 else {
                lastError = Failure(call: "bind", code: errno)
                SystemCalls.close(fd)
                continue
            }
            guard SystemCalls.listen(fd, backlog) == 0 else {
                lastError = Failure(call: "listen", code: errno)
                SystemCalls.close(fd)
                continue
            }
            SystemCalls.setNonBlocking(fd)
            return (fd, boundPort(fd))
        }
        throw lastError
    }

    /// One non-blocking `recv`, mapped to `IOResult`.
    static func receive(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> IOResult {
        while true {
            let n = recv(fd, buffer, count, 0)
            if n > 0 { return .bytes(n) }
            if n == 0 { return .eof }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock(wantWrite: false)
            default: return .failed
            }
        }
    }

    /// One non-blocking `send`; a vanished client produces EPIPE, never SIGPIPE (see `SystemCalls`).
    static func send(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> IOResult {
        while true {
            let n = SystemCalls.send(fd, buffer, count)
            if n >= 0 { return .bytes(n) }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock(wantWrite: true)
            default: return .failed
            }
        }
    }

    /// Disables Nagle: responses are written whole, and pipelined clients wait on each one.
    static func setNoDelay(_ fd: Int32) {
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    static func boundPort(_ fd: Int32) -> Int {
        var storage = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(fd, $0, &len) }
        }
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
            }
        case AF_INET6:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
            }
        default:
            return 0
        }
    }
}

extension Socket.Failure {
    /// The kernel has no IPv6 (module absent or disabled): the cue to fall back to IPv4.
    var isNoIPv6: Bool { code == EAFNOSUPPORT || code == EADDRNOTAVAIL || code == EPROTONOSUPPORT }
}

/// `bind(2)`, outside `Socket` whose own `bind` shadows it.
private func systemBind(_ fd: Int32, _ address: UnsafePointer<sockaddr>?, _ length: socklen_t) -> Int32 {
    bind(fd, address, length)
}
