import Glibc

/// HTTP/1.1 server on plain sockets (optionally TLS) with a fixed set of epoll event loops.
///
/// The handler runs on an event-loop thread and must not block it; it answers through the
/// `HTTPResponder`, immediately or later from any thread. Lifecycle:
/// `start()` → serve → `beginShutdown()` → `waitUntilDrained(timeout:)` → `stop()`.
public final class HTTPServer: @unchecked Sendable {
    /// Called concurrently from every event-loop thread, hence `@Sendable`.
    public typealias Handler = @Sendable (HTTPRequest, HTTPResponder) -> Void

    public let configuration: HTTPServerConfiguration
    private let handler: Handler
    private let lock = Lock()
    private var loops: [EventLoop] = []
    private var context: ServerContext?
    private var listenFD: Int32 = -1
    private var boundPort = 0
    private var shuttingDown = false
    private var stopped = false

    public init(configuration: HTTPServerConfiguration, handler: @escaping Handler) {
        self.configuration = configuration
        self.handler = handler
    }

    /// The port actually bound (useful with `port: 0`); 0 before `start()`.
    public var port: Int { lock.withLock { boundPort } }

    /// Connections currently open (accepted and not yet closed).
    public var openConnections: Int { lock.withLock { context }?.openConnections ?? 0 }

    /// Binds, listens and starts the event loops. Throws if the address cannot be bound or the
    /// TLS files cannot be loaded.
    public func start() throws {
        guard lock.withLock({ self.loops.isEmpty && !self.stopped && !self.shuttingDown }) else {
            throw HTTPServerError(description: "server already started or stopped")
        }
        // Belt and braces next to MSG_NOSIGNAL: OpenSSL writes with plain write(2).
        signal(SIGPIPE, SIG_IGN)
        var tls: TLSContext?
        if let cert = configuration.tlsCertificatePath, let key = configuration.tlsPrivateKeyPath {
            tls = try TLSContext(certificatePath: cert, privateKeyPath: key)
        }
        let context = ServerContext(
            limits: configuration.limits, handler: handler,
            renderError: configuration.errorRenderer, tls: tls)
        let (fd, port) = try Socket.listen(
            host: configuration.host, port: configuration.port,
            backlog: configuration.backlog)
        var loops: [EventLoop] = []
        do {
            for _ in 0..<max(1, configuration.eventLoopCount) { loops.append(try EventLoop(context: context)) }
        } catch {
            close(fd)
            throw error
        }
        loops[0].adoptListener(fd, peers: loops)
        lock.withLock {
            self.context = context
            self.loops = loops
            self.listenFD = fd
            self.boundPort = port
        }
        for loop in loops { loop.start() }
    }

    /// Stops accepting (the listening socket is shut now, so new connects are refused), lets
    /// requests already handed to the handler finish and flush, and closes idle connections.
    public func beginShutdown() {
        let (loops, context, fd): ([EventLoop], ServerContext?, Int32) = lock.withLock {
            guard !shuttingDown else { return ([], nil, -1) }
            shuttingDown = true
            return (self.loops, self.context, self.listenFD)
        }
        guard let context, !loops.isEmpty else { return }
        context.draining = true
        // shutdown(2) on a listening socket stops it listening at once; the loop closes the fd.
        shutdown(fd, Int32(SHUT_RDWR))
        loops[0].execute { loops[0].closeListener() }
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

    /// Hard stop: closes the listener and every connection and joins the loop threads.
    /// Must not be called from a handler (it waits for the loop threads).
    public func stop() {
        beginShutdown()
        let loops: [EventLoop] = lock.withLock {
            guard !stopped else { return [] }
            stopped = true
            return self.loops
        }
        for loop in loops { loop.stopAndJoin() }
        lock.withLock { self.loops = [] }
    }
}

/// Misuse of the server lifecycle (bind and TLS failures throw their own errors).
public struct HTTPServerError: Error, CustomStringConvertible {
    public let description: String
}
