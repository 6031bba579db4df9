import Dispatch
import Timekeeping

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// HTTP/1.1 server on plain sockets (optionally TLS) driven by Dispatch: an accept source on the
/// listening socket and a fixed set of serial event-loop queues owning the connections.
///
/// The handler runs on an event-loop queue and must not block it; it answers through the
/// `HTTPResponder`, immediately or later from any thread. Lifecycle:
/// `start()` → serve → `beginShutdown()` → `waitUntilDrained(timeout:)` → `stop()`.
public final class HTTPServer: @unchecked Sendable {
    /// Called concurrently from every event-loop queue, hence `@Sendable`.
    public typealias Handler = @Sendable (HTTPRequest, HTTPResponder) -> Void

    public let configuration: HTTPServerConfiguration
    private let handler: Handler
    private let lock = Lock()
    private var loops: [EventLoop] = []
    private var acceptor: Acceptor?
    private var context: ServerContext?
    private var boundPort = 0
    private var boundHost = ""
    private var shuttingDown = false
    private var stopped = false

    public init(configuration: HTTPServerConfiguration, handler: @escaping Handler) {
        self.configuration = configuration
        self.handler = handler
    }

    /// The port actually bound (useful with `port: 0`); 0 before `start()`.
    public var port: Int { lock.withLock { boundPort } }

    /// The address actually bound: the configured host, or `0.0.0.0` when the dual-stack default
    /// `::` fell back to IPv4 because the kernel has no IPv6. Empty before `start()`.
    public var host: String { lock.withLock { boundHost } }

    /// Connections currently open (accepted and not yet closed).
    public var openConnections: Int { lock.withLock { context }?.openConnections ?? 0 }

    /// Binds, listens and starts the event loops. Throws if the address cannot be bound or the
    /// TLS files cannot be loaded.
    public func start() throws {
        guard lock.withLock({ self.loops.isEmpty && !self.stopped && !self.shuttingDown }) else {
            throw HTTPServerError(description: "server already started or stopped")
        }
        // Belt and braces next to MSG_NOSIGNAL / SO_NOSIGPIPE: OpenSSL writes with plain write(2).
        signal(SIGPIPE, SIG_IGN)
        var tls: TLSContext?
        if let cert = configuration.tlsCertificatePath, let key = configuration.tlsPrivateKeyPath {
            tls = try TLSContext(certificatePath: cert, privateKeyPath: key)
        }
        let context = ServerContext(
            limits: configuration.limits, handler: handler,
            renderError: configuration.errorRenderer, tls: tls)
        let listener = try Socket.listen(
            host: configuration.host, port: configuration.port,
            backlog: configuration.backlog)
        let loops = (0..<max(1, configuration.eventLoopCount)).map { EventLoop(context: context, index: $0) }
        let acceptor = Acceptor(fd: listener.fd, context: context, loops: loops)
        lock.withLock {
            self.context = context
            self.loops = loops
            self.acceptor = acceptor
            self.boundPort = listener.port
            self.boundHost = listener.host
        }
        for loop in loops { loop.start() }
        acceptor.start()
    }

    /// Stops accepting (the listening socket is closed when this returns, so new connects are
    /// refused), lets requests already handed to the handler finish and flush, and closes idle
    /// connections.
    public func beginShutdown() {
        let (loops, context, acceptor): ([EventLoop], ServerContext?, Acceptor?) = lock.withLock {
            guard !shuttingDown else { return ([], nil, nil) }
            shuttingDown = true
            return (self.loops, self.context, self.acceptor)
        }
        guard let context, !loops.isEmpty else { return }
        context.draining = true
        acceptor?.close()
        for loop in loops { loop.execute { loop.beginDrain() } }
    }

    /// Waits until every connection has closed; false on timeout.
    public func waitUntilDrained(timeout: Double) -> Bool {
        let deadline = monotonicNanos() &+ UInt64(max(0, timeout) * 1e9)
        while openConnections > 0 {
            if monotonicNanos() >= deadline { return false }
            usleep(2_000)
        }
        return true
    }

    /// Hard stop: closes the listener and every connection, and waits (bounded) until their
    /// sockets are closed. Must not be called from a handler (it waits for the loop queues).
    public func stop() {
        beginShutdown()
        let loops: [EventLoop] = lock.withLock {
            guard !stopped else { return [] }
            stopped = true
            return self.loops
        }
        for loop in loops { loop.queue.sync { loop.stop() } }
        _ = waitUntilDrained(timeout: 2)
    }
}

/// Misuse of the server lifecycle (bind and TLS failures throw their own errors).
public struct HTTPServerError: Error, CustomStringConvertible {
    public let description: String
}
