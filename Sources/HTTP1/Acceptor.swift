import Dispatch

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The listening socket's read source: accepts connections and deals them round-robin to the
/// event loops.
///
/// It runs on its own serial queue so that `close()` can wait for the listener to be really
/// closed (new connects refused) from any thread without waiting on a busy loop.
final class Acceptor: @unchecked Sendable {
    /// Most connections accepted per readiness event before yielding the queue.
    private static let batch = 64

    let fd: Int32
    private let context: ServerContext
    private let loops: [EventLoop]
    private let queue = DispatchQueue(label: "http1.accept", qos: .userInitiated)
    private let source: DispatchSourceRead
    private let closed = DispatchSemaphore(value: 0)
    private var nextLoop = 0
    private var paused = false
    private var cancelled = false

    init(fd: Int32, context: ServerContext, loops: [EventLoop]) {
        self.fd = fd
        self.context = context
        self.loops = loops
        source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        source.setEventHandler { [weak self] in self?.acceptPending() }
        source.setCancelHandler { [self] in
            SystemCalls.close(fd)
            closed.signal()
        }
    }

    func start() { source.resume() }

    /// Stops listening: after it returns, new connects are refused (bounded wait for the
    /// source's cancellation, which closes the socket on the accept queue).
    func close() {
        let first: Bool = queue.sync {
            defer { cancelled = true }
            return !cancelled
        }
        guard first else { return }
        // shutdown(2) stops a Linux listener at once, before the cancellation runs.
        SystemCalls.shutdown(fd, Int32(SHUT_RDWR))
        queue.sync {
            if paused {
                paused = false
                source.resume()  // a suspended source never runs its cancel handler
            }
        }
        source.cancel()
        _ = closed.wait(timeout: .now() + 2)
    }

    private func acceptPending() {
        for _ in 0..<Self.batch {
            guard !cancelled else { return }
            let client = SystemCalls.accept(fd)
            if client < 0 {
                let e = errno
                if e == EINTR || e == ECONNABORTED { continue }
                if e == EMFILE || e == ENFILE { pauseAccepting() }
                return
            }
            if context.draining {
                SystemCalls.close(client)
                continue
            }
            guard context.reserveConnection() else {
                refuse(client)
                continue
            }
            Socket.setNoDelay(client)
            let loop = loops[nextLoop % loops.count]
            nextLoop &+= 1
            loop.execute { loop.register(client) }
        }
    }

    /// Answers a connection over the cap with a best-effort 503 and closes it.
    private func refuse(_ client: Int32) {
        let response = context.overCapacityResponse
        response.withUnsafeBytes { _ = SystemCalls.send(client, $0.baseAddress, $0.count) }
        SystemCalls.close(client)
    }

    /// Out of descriptors: stop reading the listener for a moment instead of spinning on it.
    private func pauseAccepting() {
        guard !paused else { return }
        paused = true
        source.suspend()
        queue.asyncAfter(deadline: .now() + .milliseconds(100)) { [self] in
            guard paused, !cancelled else { return }
            paused = false
            source.resume()
        }
    }
}
