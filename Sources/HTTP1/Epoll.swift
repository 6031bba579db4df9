import Glibc

/// epoll and eventfd, bound at run time.
///
/// Why dlsym: Swift's Glibc module does not export <sys/epoll.h> or <sys/eventfd.h>, and the
/// target may not add a C module. `@convention(c)` pointers from `dlsym` keep the C ABI exact.
/// `struct epoll_event` is packed (12 bytes) on x86-64 and padded (16) elsewhere, so events are
/// read and written through raw memory with the right layout.
enum Epoll {
    static let inEvent: UInt32 = 0x001
    static let outEvent: UInt32 = 0x004
    static let errEvent: UInt32 = 0x008
    static let hupEvent: UInt32 = 0x010
    static let ctlAdd: Int32 = 1
    static let ctlDel: Int32 = 2
    static let ctlMod: Int32 = 3
    static let cloexec: Int32 = 0o2000000
    static let eventfdNonblock: Int32 = 0o4000

    #if arch(x86_64)
        static let eventSize = 12
        static let dataOffset = 4
    #else
        static let eventSize = 16
        static let dataOffset = 8
    #endif

    private typealias CreateFn = @convention(c) (Int32) -> Int32
    private typealias CtlFn = @convention(c) (Int32, Int32, Int32, UnsafeMutableRawPointer?) -> Int32
    private typealias WaitFn = @convention(c) (Int32, UnsafeMutableRawPointer?, Int32, Int32) -> Int32
    private typealias EventfdFn = @convention(c) (UInt32, Int32) -> Int32
    private typealias Accept4Fn =
        @convention(c) (
            Int32, UnsafeMutablePointer<sockaddr>?,
            UnsafeMutablePointer<socklen_t>?, Int32
        ) -> Int32

    private static func symbol<T>(_ name: String, as: T.Type) -> T {
        guard let p = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else {
            fatalError("libc symbol \(name) not found")
        }
        return unsafeBitCast(p, to: T.self)
    }

    private static let createFn = symbol("epoll_create1", as: CreateFn.self)
    private static let ctlFn = symbol("epoll_ctl", as: CtlFn.self)
    private static let waitFn = symbol("epoll_wait", as: WaitFn.self)
    private static let eventfdFn = symbol("eventfd", as: EventfdFn.self)
    private static let accept4Fn = symbol("accept4", as: Accept4Fn.self)

    static func create() -> Int32 { createFn(cloexec) }

    static func eventfd() -> Int32 { eventfdFn(0, eventfdNonblock | cloexec) }

    /// Accepts a connection already non-blocking and close-on-exec (one syscall instead of three).
    static func accept(_ fd: Int32) -> Int32 {
        accept4Fn(fd, nil, nil, Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue))
    }

    @discardableResult
    static func control(_ epfd: Int32, _ op: Int32, _ fd: Int32, events: UInt32, data: UInt64) -> Int32 {
        var raw = (UInt64(0), UInt64(0))
        return withUnsafeMutableBytes(of: &raw) { p in
            p.storeBytes(of: events, toByteOffset: 0, as: UInt32.self)
            p.storeBytes(of: data, toByteOffset: dataOffset, as: UInt64.self)
            return ctlFn(epfd, op, fd, p.baseAddress)
        }
    }

    static func wait(_ epfd: Int32, _ events: UnsafeMutableRawPointer, capacity: Int32, timeoutMs: Int32) -> Int32 {
        waitFn(epfd, events, capacity, timeoutMs)
    }

    static func event(_ events: UnsafeMutableRawPointer, _ i: Int) -> (events: UInt32, data: UInt64) {
        let base = events + i * eventSize
        return (base.loadUnaligned(as: UInt32.self), base.loadUnaligned(fromByteOffset: dataOffset, as: UInt64.self))
    }
}

/// Monotonic time in nanoseconds; timeouts must not jump with the wall clock.
@inline(__always)
func monotonicNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}
