#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The few libc calls whose spelling differs between Linux (Glibc) and macOS (Darwin), in one place.
///
/// Why a namespace: `Connection.close()`, `Socket.send` and `Socket.listen` shadow the C functions
/// of the same names inside those types, and Glibc and Darwin name their modules (and a few
/// constants) differently, so the qualified spelling cannot be written once.
enum SystemCalls {
    #if canImport(Glibc)
        /// `SOCK_STREAM` is an enum case in Glibc and an `Int32` in Darwin.
        static let streamSocket = Int32(SOCK_STREAM.rawValue)
        /// Linux suppresses SIGPIPE per call; Darwin per socket (`SO_NOSIGPIPE`, set at accept).
        static let sendFlags = Int32(MSG_NOSIGNAL)
    #else
        static let streamSocket = SOCK_STREAM
        static let sendFlags: Int32 = 0
    #endif

    static func close(_ fd: Int32) {
        #if canImport(Glibc)
            _ = Glibc.close(fd)
        #else
            _ = Darwin.close(fd)
        #endif
    }

    static func listen(_ fd: Int32, _ backlog: Int32) -> Int32 {
        #if canImport(Glibc)
            Glibc.listen(fd, backlog)
        #else
            Darwin.listen(fd, backlog)
        #endif
    }

    static func send(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
        #if canImport(Glibc)
            Glibc.send(fd, buffer, count, sendFlags)
        #else
            Darwin.send(fd, buffer, count, sendFlags)
        #endif
    }

    static func shutdown(_ fd: Int32, _ how: Int32) {
        #if canImport(Glibc)
            _ = Glibc.shutdown(fd, how)
        #else
            _ = Darwin.shutdown(fd, how)
        #endif
    }

    /// Accepts one pending connection, then makes it non-blocking and close-on-exec. Why not
    /// `accept4`: it is Linux-only; two `fcntl`s per connection are noise next to its requests.
    static func accept(_ listener: Int32) -> Int32 {
        #if canImport(Glibc)
            let fd = Glibc.accept(listener, nil, nil)
        #else
            let fd = Darwin.accept(listener, nil, nil)
        #endif
        guard fd >= 0 else { return fd }
        setNonBlocking(fd)
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        #if !canImport(Glibc)
            var one: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        #endif
        return fd
    }

    static func setNonBlocking(_ fd: Int32) {
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
    }

    /// Online CPUs, at least 1.
    static var processorCount: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }
}
