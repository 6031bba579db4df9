import Dispatch
import Timekeeping

/// One serial Dispatch queue owning a share of the server's connections.
///
/// Every connection lives on exactly one loop: its read and write sources, its timeouts and
/// every completion from other threads (`execute`, i.e. `queue.async`) run on this queue, so a
/// connection's state is touched by one thread at a time without locks. About one loop per core
/// (`HTTPServerConfiguration.eventLoopCount`) spreads connections over the cores while keeping a
/// connection's requests on one cache-warm queue.
///
/// Timeouts: one timer source per loop ticks at a fraction of the shortest timeout (10–250 ms)
/// and checks each connection's header, body, idle and write deadlines. Why not a timer per
/// connection: re-arming a timer for every request is a per-request cost; the tick is per loop.
final class EventLoop: @unchecked Sendable {
    static let readBufferSize = 64 * 1024
    private static let identity = DispatchSpecificKey<UInt>()

    let context: ServerContext
    let queue: DispatchQueue
    let dateCache = HTTPDateCache()
    /// Scratch buffer for reads; bytes are copied into the parser before the next read.
    let readBuffer = UnsafeMutableRawPointer.allocate(byteCount: EventLoop.readBufferSize, alignment: 16)
    /// Monotonic time at the start of the current event; coarse on purpose (one clock read per event).
    private(set) var now: UInt64 = monotonicNanos()

    private var connections: [ObjectIdentifier: Connection] = [:]
    private let ticker: DispatchSourceTimer
    private var stopped = false

    init(context: ServerContext, index: Int) {
        self.context = context
        queue = DispatchQueue(label: "http1.loop.\(index)", qos: .userInitiated)
        ticker = DispatchSource.makeTimerSource(queue: queue)
        let l = context.limits
        let shortest = min(l.headerReadTimeout, l.bodyReadTimeout, l.keepAliveIdleTimeout, l.writeTimeout)
        let tickNanos = Int(min(0.25, max(0.01, shortest / 10)) * 1e9)
        let tick = DispatchTimeInterval.nanoseconds(tickNanos)
        ticker.schedule(deadline: .now() + tick, repeating: tick, leeway: .nanoseconds(tickNanos / 4))
        queue.setSpecific(key: Self.identity, value: UInt(bitPattern: ObjectIdentifier(self)))
        ticker.setEventHandler { [weak self] in self?.checkTimers() }
    }

    deinit { readBuffer.deallocate() }

    /// Whether the caller is running on this loop's queue (then it may touch its connections).
    var isCurrent: Bool {
        DispatchQueue.getSpecific(key: Self.identity) == UInt(bitPattern: ObjectIdentifier(self))
    }

    func start() { ticker.resume() }

    /// Runs `task` on the loop's queue.
    func execute(_ task: @escaping @Sendable () -> Void) { queue.async(execute: task) }

    /// Refreshes `now`; each source handler calls it once before touching connections.
    @inline(__always)
    func touch() { now = monotonicNanos() }

    /// Takes ownership of an accepted, non-blocking socket (on the loop's queue).
    func register(_ fd: Int32) {
        touch()
        if stopped || context.draining {
            SystemCalls.close(fd)
            context.releaseConnection()
            return
        }
        var tls: TLSSession?
        if let tlsContext = context.tls {
            tls = TLSSession(context: tlsContext, fd: fd)
            if tls == nil {
                SystemCalls.close(fd)
                context.releaseConnection()
                return
            }
        }
        let connection = Connection(fd: fd, loop: self, tls: tls)
        connections[ObjectIdentifier(connection)] = connection
        connection.start()
    }

    /// Forgets a closed connection (its sources are cancelled and its socket closed by itself).
    func unregister(_ connection: Connection) {
        connections[ObjectIdentifier(connection)] = nil
    }

    func beginDrain() {
        for connection in Array(connections.values) { connection.beginDrain() }
    }

    /// Closes every connection and stops the timer; later registrations are refused.
    func stop() {
        guard !stopped else { return }
        stopped = true
        for connection in Array(connections.values) { connection.close() }
        ticker.cancel()
    }

    private func checkTimers() {
        touch()
        for connection in Array(connections.values) { connection.checkTimers(now: now) }
    }
}
