#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The socket calls the test client needs, spelled once for Glibc and Darwin: inside `TestClient`
/// its own `send` and `close` methods would shadow the C functions.
enum Sockets {
    static var streamType: Int32 {
        #if canImport(Glibc)
            Int32(SOCK_STREAM.rawValue)
        #else
            SOCK_STREAM
        #endif
    }

    static func close(_ fd: Int32) {
        #if canImport(Glibc)
            _ = Glibc.close(fd)
        #else
            _ = Darwin.close(fd)
        #endif
    }

    /// `send(2)` without SIGPIPE when the peer has gone (a test must see a failed send, not die).
    static func send(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
        #if canImport(Glibc)
            Glibc.send(fd, buffer, count, Int32(MSG_NOSIGNAL))
        #else
            Darwin.send(fd, buffer, count, 0)  // SO_NOSIGPIPE is set on the socket
        #endif
    }

    /// Connects `fd` to `host` (an IPv4 or IPv6 literal) and `port`; the `connect(2)` result.
    static func connect(_ fd: Int32, host: String, port: Int) -> Int32 {
        if host.contains(":") {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = UInt16(port).bigEndian
            inet_pton(AF_INET6, host, &address.sin6_addr)
            return connect(fd, to: &address)
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        inet_pton(AF_INET, host, &address.sin_addr)
        return connect(fd, to: &address)
    }

    private static func connect<Address>(_ fd: Int32, to address: inout Address) -> Int32 {
        withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                #if canImport(Glibc)
                    Glibc.connect(fd, $0, socklen_t(MemoryLayout<Address>.size))
                #else
                    Darwin.connect(fd, $0, socklen_t(MemoryLayout<Address>.size))
                #endif
            }
        }
    }
}
