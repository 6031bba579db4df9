import Dispatch
import Foundation
import Glibc

/// One thread running epoll over a share of the server's connections.
///
/// Why epoll rather than a DispatchSource per connection: a source per socket costs a queue hop
/// and several allocations per readiness event; one level-triggered epoll loop per core serves
/// many connections with one `epoll_wait` per batch. Other threads talk to a loop only through
/// `execute`, which queues a closure and wakes the loop through an eventfd; everything else on
/// the loop (its connection table included) is touched by the loop thread alone.
final class EventLoop: @unchecked Sendable {
    static let readBufferSize = 64 * 1024
    private static let wakeKey = UInt64.max
    private static let listenKey = UInt64.max - 1
    private static let maxEvents: Int32 = 256

    let context: ServerContext
    let dateCache = HTTPDateCache()
    /// Scratch buffer for reads; bytes are copied into the parser before the next read.
    let readBuffer = UnsafeMutableRawPointer.allocate(byteCount: EventLoop.readBufferSize, alignment: 16)
    /// Monotonic time at the last wake-up; coarse on purpose (one clock read per batch).
    private(set) var now: UInt64 = monotonicNanos()

    private let epfd: Int32
    private let wakeFD: Int32
    private var connections: [Int32: Connection] = [:]
    private var generation: UInt32 = 0
    private var running = true
    private var threadID = pthread_t()
    private let started = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let tickNanos: UInt64

    private let taskLock = Lock()
    private var tasks: [() -> Void] = []
    private var wakePending = false
    private var stopped = false

    // Listener state, used on the accepting loop only.
    private var listenFD: Int32 = -1
    private var peers: [EventLoop] = []
    private var nextPeer = 0
    private var acceptPaused = false

    init(context: ServerContext) throws {
        self.context = context
        epfd = Epoll.create()
        wakeFD = Epoll.eventfd()
        guard epfd >= 0, wakeFD >= 0 else { throw Socket.Failure(call: "epoll_create1/eventfd", code: errno) }
        Epoll.control(epfd, Epoll.ctlAdd, wakeFD, events: Epoll.inEvent, data: Self.wakeKey)
        // Timers are checked on a tick a fraction of the shortest timeout (10–250 ms).
        let l = context.limits
        let shortest = min(l.headerReadTimeout, l.bodyReadTimeout, l.keepAliveIdleTimeout, l.writeTimeout)
        tickNanos = UInt64(min(0.25, max(0.01, shortest / 10)) * 1e9)
    }

    deinit { readBuffer.deallocate() }

    var isCurrentThread: Bool { pthread_equal(pthread_self(), threadID) != 0 }

    /// Makes this loop the acceptor for `fd`, spreading accepted connections over `peers` round-robin.
    func adoptListener(_ fd: Int32, peers: [EventLoop]) {
        listenFD = fd
        self.peers = peers
        Epoll.control(epfd, Epoll.ctlAdd, fd, events: Epoll.inEvent, data: Self.listenKey)
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "http1-event-loop"
        thread.start()
        started.wait()
    }

    /// Runs `task` on the loop thread. Tasks sent after the loop stopped are dropped.
    @discardableResult
    func execute(_ task: @escaping () -> Void) -> Bool {
        let (accepted, wake): (Bool, Bool) = taskLock.withLock {
            guard !stopped else { return (false, false) }
            tasks.append(task)
            defer { wakePending = true }
            return (true, !wakePending)
        }
        if wake {
            var one: UInt64 = 1
            _ = write(wakeFD, &one, 8)
        }
        return accepted
    }

    /// Closes every connection and ends the thread; returns when it has.
    func stopAndJoin() {
        let accepted = execute { [self] in
            for connection in connections.values { connection.close() }
            running = false
        }
        if accepted { finished.wait() }
    }

    func closeListener() {
        guard listenFD >= 0 else { return }
        Epoll.control(epfd, Epoll.ctlDel, listenFD, events: 0, data: 0)
        close(listenFD)
        listenFD = -1
        peers = []
    }

    func beginDrain() {
        for connection in connections.values { connection.beginDrain() }
    }

    func register(_ fd: Int32) {
        if context.draining {
            close(fd)
            context.releaseConnection()
            return
        }
        var tls: TLSSession?
        if let tlsContext = context.tls {
            tls = TLSSession(context: tlsContext, fd: fd)
            if tls == nil {
                close(fd)
                context.releaseConnection()
                return
            }
        }
        generation &+= 1
        let key = UInt64(generation) << 32 | UInt64(UInt32(bitPattern: fd))
        let connection = Connection(fd: fd, key: key, loop: self, tls: tls)
        connections[fd] = connection
        Epoll.control(epfd, Epoll.ctlAdd, fd, events: Epoll.inEvent, data: key)
    }

    func updateInterest(_ fd: Int32, events: UInt32, key: UInt64) {
        Epoll.control(epfd, Epoll.ctlMod, fd, events: events, data: key)
    }

    /// Forgets a closed connection (the kernel drops the epoll registration with the fd).
    func unregister(_ connection: Connection) {
        if let current = connections[connection.fd], current === connection {
            connections[connection.fd] = nil
        }
    }

    private func run() {
        threadID = pthread_self()
        started.signal()
        let events = UnsafeMutableRawPointer.allocate(byteCount: Int(Self.maxEvents) * Epoll.eventSize, alignment: 8)
        defer { events.deallocate() }
        var nextTick = now &+ tickNanos
        while running {
            let timeout = Int32(clamping: (nextTick &- min(nextTick, now)) / 1_000_000 + 1)
            let n = Epoll.wait(epfd, events, capacity: Self.maxEvents, timeoutMs: timeout)
            now = monotonicNanos()
            if n > 0 {
                for i in 0..<Int(n) {
                    let (flags, key) = Epoll.event(events, i)
                    switch key {
                    case Self.wakeKey:
                        var value: UInt64 = 0
                        _ = read(wakeFD, &value, 8)
                    case Self.listenKey:
                        acceptConnections()
                    default:
                        let fd = Int32(bitPattern: UInt32(truncatingIfNeeded: key))
                        if let connection = connections[fd], connection.key == key {
                            connection.handle(events: flags)
                        }
                    }
                }
            }
            runTasks()
            if now >= nextTick {
                nextTick = now &+ tickNanos
                for connection in connections.values { connection.checkTimers(now: now) }
                if acceptPaused, listenFD >= 0 {
                    acceptPaused = false
                    Epoll.control(epfd, Epoll.ctlMod, listenFD, events: Epoll.inEvent, data: Self.listenKey)
                }
            }
        }
        closeListener()
        taskLock.withLock {
            stopped = true
            tasks = []
        }
        close(epfd)
        close(wakeFD)
        finished.signal()
    }

    private func runTasks() {
        let batch: [() -> Void] = taskLock.withLock {
            wakePending = false
            defer { tasks = [] }
            return tasks
        }
        for task in batch { task() }
    }

    private func acceptConnections() {
        while listenFD >= 0 {
            let fd = Epoll.accept(listenFD)
            if fd < 0 {
                let e = errno
                if e == EINTR || e == ECONNABORTED { continue }
                if e == EMFILE || e == ENFILE {
                    // Out of descriptors: stop polling the listener until the next tick instead of spinning.
                    acceptPaused = true
                    Epoll.control(epfd, Epoll.ctlMod, listenFD, events: 0, data: Self.listenKey)
                }
                return
            }
            if context.draining {
                close(fd)
                continue
            }
            guard context.reserveConnection() else {
                context.overCapacityResponse.withUnsafeBytes {
                    _ = send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
                }
                close(fd)
                continue
            }
            Socket.setNoDelay(fd)
            let target = peers.isEmpty ? self : peers[nextPeer % peers.count]
            nextPeer &+= 1
            if target === self {
                register(fd)
            } else {
                target.execute { target.register(fd) }
            }
        }
    }
}
