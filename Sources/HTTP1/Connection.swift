import Dispatch

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One client connection, owned by and only touched on its event loop's queue.
///
/// Readiness comes from two Dispatch sources on that queue: a read source, suspended while
/// back-pressure (or the end of input) means nothing should be read, and a write source created
/// and resumed only while output is pending after a send would have blocked — responses are
/// written inline first, so most never need it.
///
/// Pipeline: socket bytes → `HTTPRequestParser` → `ResponseQueue` (one slot per request, in
/// arrival order, RFC 9112 §9.3.2) → handler. Parse errors and timeouts become a final error
/// response followed by a close. Back-pressure: when `maxPipelinedRequests` responses are
/// outstanding or too much output is queued, the connection stops reading until they drain.
final class Connection: @unchecked Sendable {
    /// Output queued beyond this stops reading (back-pressure against clients that do not read).
    private static let outputHighWater = 1 << 20
    /// How long to keep draining input after our final response before closing (RFC 9112 §9.6).
    private static let lingerNanos: UInt64 = 2_000_000_000

    /// Readiness the connection waits for; maps onto resuming or suspending its two sources.
    struct Interest: OptionSet {
        let rawValue: UInt8
        static let read = Interest(rawValue: 1)
        static let write = Interest(rawValue: 2)
    }

    let fd: Int32
    let loop: EventLoop
    private let tls: TLSSession?
    private let limits: HTTPLimits
    private var parser: HTTPRequestParser

    private var responses = ResponseQueue()
    private var out: [UInt8] = []
    private var outSent = 0

    /// Where the connection is in its life, from taking requests to closed; each state allows
    /// less than the one before it.
    enum State: Equatable {
        /// Reading, parsing and answering requests.
        case open
        /// Parsing has stopped, because a final error response is queued or (`draining`) the server
        /// is shutting down; the requests already handed over are still answered, in order.
        case finishing(draining: Bool)
        /// The response that ends the connection is in the output buffer; once it is flushed the
        /// write side shuts down.
        case flushingLast
        /// Our side is shut; input is read and dropped until the peer closes or `deadline` passes,
        /// so the client sees our final response before any RST (RFC 9112 §9.6).
        case lingering(deadline: UInt64)
        case closed
    }

    private var state = State.open
    // Three facts stay outside `state` because they vary independently of it:
    /// The peer half-closed (read returned EOF): nothing more to read, but responses to the requests
    /// it sent are still written, in any state before `lingering`.
    private var inputEnded = false
    /// `processInput` is on the stack: a handler answering synchronously must not re-enter it.
    private var processing = false
    /// The last `processInput` stopped because of back-pressure: a flush that relieves it resumes parsing.
    private var pausedByBackPressure = false
    /// What OpenSSL needs before it can continue (a read may need writability and vice versa).
    private var tlsWant: Interest = []
    private var registered: Interest = []
    private var readSource: DispatchSourceRead?
    private var writeSource: DispatchSourceWrite?
    /// Source cancellations still to run before the socket may be closed.
    private var pendingCancellations = 0

    private let acceptedAt: UInt64
    private var headStartedAt: UInt64 = 0
    private var bodyStartedAt: UInt64 = 0
    private var lastActivity: UInt64
    private var lastWriteProgress: UInt64 = 0

    init(fd: Int32, loop: EventLoop, tls: TLSSession?) {
        self.fd = fd
        self.loop = loop
        self.tls = tls
        self.limits = loop.context.limits
        self.parser = HTTPRequestParser(limits: loop.context.limits)
        self.acceptedAt = loop.now
        self.lastActivity = loop.now
    }

    private var pendingOutput: Int { out.count - outSent }

    var closed: Bool { state == .closed }

    /// Taking new requests (parsing input into requests and reading for them).
    private var isOpen: Bool { state == .open }

    private var isLingering: Bool {
        if case .lingering = state { return true }
        return false
    }

    /// Shutting down gracefully: the last response says `Connection: close`.
    private var isDraining: Bool { state == .finishing(draining: true) }

    private var backPressured: Bool {
        responses.count >= limits.maxPipelinedRequests || pendingOutput >= Self.outputHighWater
    }

    // MARK: - Readiness

    /// Creates the read source and starts waiting for the first bytes (on the loop's queue).
    func start() {
        let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: loop.queue)
        source.setEventHandler { [unowned self] in
            loop.touch()
            handle(.read)
        }
        readSource = source
        setInterest(.read)
    }

    func handle(_ events: Interest) {
        guard !closed else { return }
        if isLingering {
            discardInput()
            return
        }
        if let tls, !tls.handshakeDone {
            advanceHandshake(tls)
            return
        }
        var moreWaiting = false
        if events.contains(.read) || !tlsWant.isEmpty {
            moreWaiting = readAvailable()
            if closed { return }
        }
        pump()
        if moreWaiting { readAgainSoon() }
    }

    /// Reading stopped at the per-event cap with bytes possibly still in the socket: continue on
    /// a later turn of the queue (other connections go first), whatever the source reports.
    private func readAgainSoon() {
        loop.execute { [self] in
            guard !closed, registered.contains(.read), !isLingering else { return }
            loop.touch()
            handle(.read)
        }
    }

    /// Parses what is buffered, then writes; repeats while a flush relieves back-pressure so
    /// requests that arrived while paused are not left waiting for input that may never come.
    private func pump() {
        repeat {
            if let tls, tls.hasBufferedData, !backPressured { readAvailable() }
            if closed { return }
            processInput()
            afterIO()
        } while !closed && pausedByBackPressure && !backPressured
    }

    private func advanceHandshake(_ tls: TLSSession) {
        switch tls.handshake() {
        case .bytes:
            setInterest(.read)
            readAvailable()  // the client's first request may already be buffered inside OpenSSL
            if closed { return }
            pump()
        case .wouldBlock(let wantWrite):
            setInterest(wantWrite ? .write : .read)
        case .eof, .failed:
            close()
        }
    }

    /// Reads what the socket has, feeding the parser. Returns true when it stopped with bytes
    /// possibly left (back-pressure, or the per-event cap on buffered input that keeps one client
    /// from growing its parser buffer without bound).
    @discardableResult
    private func readAvailable() -> Bool {
        guard !inputEnded, isOpen else { return false }
        tlsWant = []
        let buffer = loop.readBuffer
        while true {
            switch readSome(buffer, EventLoop.readBufferSize) {
            case .bytes(let n):
                parser.feed(UnsafeBufferPointer(start: buffer.assumingMemoryBound(to: UInt8.self), count: n))
                lastActivity = loop.now
                // Read until the socket would block. For plain TCP a short read says so already
                // (recv returns everything queued up to the size asked), one syscall before
                // EAGAIN would; OpenSSL may hold decrypted bytes no source can see, so TLS reads on.
                if tls == nil && n < EventLoop.readBufferSize { return false }
                if backPressured || parser.bufferedByteCount > readCap { return true }
            case .wouldBlock(let wantWrite):
                if wantWrite { tlsWant = .write }
                return false
            case .eof:
                inputEnded = true
                return false
            case .failed:
                close()
                return false
            }
        }
    }

    /// Unparsed input one event may buffer: a whole largest request plus one read.
    private var readCap: Int { limits.maxBodyBytes + limits.maxHeaderBytes + EventLoop.readBufferSize }

    /// Reads and drops input after our final response so the client sees it before any RST.
    private func discardInput() {
        for _ in 0..<16 {  // bounded: a client flooding us must not monopolise the loop
            let n = recv(fd, loop.readBuffer, EventLoop.readBufferSize, 0)
            if n > 0 { continue }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return }
            if n < 0 && errno == EINTR { continue }
            close()
            return
        }
    }

    // MARK: - Requests and responses

    /// Parses buffered input into requests and hands them to the handler, in order, until the
    /// parser needs more bytes or back-pressure applies.
    private func processInput() {
        guard !processing, !closed else { return }
        processing = true
        defer { processing = false }
        defer { pausedByBackPressure = backPressured }
        while isOpen && !backPressured {
            let event: HTTPParserEvent?
            do {
                event = try parser.next()
            } catch {
                fail(error)
                break
            }
            guard let event else {
                if !chargeBodyInProgress() { refuseOverBodyBudget() }  // body budget hook
                break
            }
            switch event {
            case .expectContinue:
                guard chargeBodyInProgress() else {  // body budget hook: refuse before "100 Continue"
                    refuseOverBodyBudget()
                    break
                }
                responses.enqueueInterim(HTTPResponseWriter.continueResponse)
                moveReadyToOutput()
            case .request(let request):
                headStartedAt = 0
                bodyStartedAt = 0
                guard let charge = chargeCompleteRequest(request) else {  // body budget hook
                    refuseOverBodyBudget()
                    break
                }
                let sequence = responses.enqueue(
                    isHEAD: request.method == "HEAD", keepAlive: request.keepAlive,
                    version: request.version)
                if charge > 0 { heldBodyCharges[sequence] = charge }  // body budget hook
                loop.context.handler(request, HTTPResponder(connection: self, sequence: sequence))
                if closed { return }
            }
        }
        updatePhaseTimers()
    }

    /// Called (on the loop) when the handler answers request `sequence`.
    func complete(_ sequence: UInt64, _ response: HTTPResponse) {
        releaseBodyCharge(sequence)  // body budget hook
        guard !closed, responses.fill(sequence, with: response) else { return }
        moveReadyToOutput()
        if !processing { pump() }  // back-pressure may have eased
    }

    /// Serialises answered responses at the head of the queue into the output buffer.
    private func moveReadyToOutput() {
        if pendingOutput == 0 { lastWriteProgress = loop.now }
        let dateCache = loop.dateCache
        if responses.drainReady(into: &out, lastBeforeClose: isDraining, date: dateCache.current) {
            switch state {
            case .open, .finishing: state = .flushingLast
            case .flushingLast, .lingering, .closed: break
            }
        }
    }

    /// Queues the error response that ends this connection.
    private func fail(_ error: HTTPRequestRejection) {
        if isOpen { state = .finishing(draining: false) }
        responses.enqueueFinal(loop.context.renderError(error))
        moveReadyToOutput()
    }

    // MARK: - Body budget (BodyBudget.swift): a self-contained block to carry over to a new I/O core
    //
    // A body is charged as soon as the parser has its head and is waiting for the body (or has it
    // whole already), before the bytes are read; a chunked body's charge grows with the chunk data
    // received, and is topped up to the final size on completion. The charge moves to the
    // request's response slot when the handler gets the request, and is released when the handler
    // answers (even after the client left: the decode it started still holds the memory). A
    // refused request gets a 503 and the connection closes, so its body is never read.

    /// Charge taken for the request whose body is arriving (0: none yet).
    private var receivingBodyCharge = 0
    /// Charges of requests handed to the handler, by response sequence.
    private var heldBodyCharges: [UInt64: Int] = [:]

    /// Charges (more for) the body the parser is receiving; false when it does not fit the budget.
    private func chargeBodyInProgress() -> Bool {
        guard let body = parser.bodyInProgress else { return true }
        let budget = loop.context.bodyBudget
        let cost = budget.cost(length: body.declaredLength ?? body.receivedChunkBytes, headers: body.headers)
        guard cost > receivingBodyCharge else { return true }
        guard budget.reserve(cost - receivingBodyCharge, held: receivingBodyCharge) else { return false }
        receivingBodyCharge = cost
        return true
    }

    /// The charge a complete request carries to its handler: the one taken while its body arrived,
    /// topped up to its final size (or all of it now, when the body came with its head); nil when
    /// it does not fit the budget.
    private func chargeCompleteRequest(_ request: HTTPRequest) -> Int? {
        let held = receivingBodyCharge
        receivingBodyCharge = 0
        guard !request.body.isEmpty else {
            loop.context.bodyBudget.release(held)
            return 0
        }
        let budget = loop.context.bodyBudget
        let cost = budget.cost(length: request.body.count, headers: request.headers)
        if cost <= held { return held }
        guard budget.reserve(cost - held, held: held) else {
            budget.release(held)
            return nil
        }
        return cost
    }

    private func releaseBodyCharge(_ sequence: UInt64) {
        if let charge = heldBodyCharges.removeValue(forKey: sequence) { loop.context.bodyBudget.release(charge) }
    }

    private func releaseReceivingCharge() {
        loop.context.bodyBudget.release(receivingBodyCharge)
        receivingBodyCharge = 0
    }

    private func refuseOverBodyBudget() {
        releaseReceivingCharge()
        fail(.overBodyBudget("the server is receiving too many request bodies; retry shortly"))
    }

    // MARK: - Writing

    private func afterIO() {
        guard !closed else { return }
        flush()
        guard !closed else { return }
        updateInterest()
    }

    private func flush() {
        while outSent < out.count {
            let result = out.withUnsafeBytes { writeSome($0.baseAddress! + outSent, $0.count - outSent) }
            switch result {
            case .bytes(let n):
                outSent += n
                lastWriteProgress = loop.now
            case .wouldBlock(let wantWrite):
                if !wantWrite { tlsWant = .read }
                return
            case .eof, .failed:
                close()
                return
            }
        }
        if outSent > 0 {
            out.removeAll(keepingCapacity: out.capacity <= 256 * 1024)
            outSent = 0
            lastActivity = loop.now
        }
        switch state {
        case .flushingLast:
            startLingering()
        case .open, .finishing:
            // Nothing more will come: the peer stopped sending, or we stopped taking requests.
            if (inputEnded || isDraining) && responses.isEmpty { close() }
        case .lingering, .closed:
            break
        }
    }

    private func startLingering() {
        state = .lingering(deadline: loop.now &+ min(Self.lingerNanos, UInt64(limits.keepAliveIdleTimeout * 1e9)))
        tls?.shutdown()
        SystemCalls.shutdown(fd, Int32(SHUT_WR))
        setInterest(.read)
    }

    private func updateInterest() {
        guard !isLingering else { return }
        var want: Interest = []
        if !inputEnded && isOpen && !backPressured { want.insert(.read) }
        if pendingOutput > 0 { want.insert(.write) }
        want.formUnion(tlsWant)
        setInterest(want)
    }

    /// Resumes or suspends the sources so that exactly `wanted` readiness is reported. When
    /// reading resumes after back-pressure, bytes that arrived meanwhile are read at once rather
    /// than waiting for the source to report them again.
    private func setInterest(_ wanted: Interest) {
        guard wanted != registered, !closed else { return }
        let resumesReading = wanted.contains(.read) && !registered.contains(.read)
        if wanted.contains(.read) != registered.contains(.read), let readSource {
            if wanted.contains(.read) { readSource.resume() } else { readSource.suspend() }
        }
        if wanted.contains(.write) != registered.contains(.write) {
            if wanted.contains(.write) { writeSourceCreatingIfNeeded().resume() } else { writeSource?.suspend() }
        }
        registered = wanted
        if resumesReading && readSource != nil && !processing && !isLingering {
            loop.execute { [self] in
                guard !closed, registered.contains(.read) else { return }
                loop.touch()
                handle(.read)
            }
        }
    }

    /// The write source, made the first time a send would block (created suspended).
    private func writeSourceCreatingIfNeeded() -> DispatchSourceWrite {
        if let writeSource { return writeSource }
        let source = DispatchSource.makeWriteSource(fileDescriptor: fd, queue: loop.queue)
        source.setEventHandler { [unowned self] in
            loop.touch()
            handle(.write)
        }
        source.activate()
        source.suspend()
        writeSource = source
        return source
    }

    // MARK: - Transport

    private func readSome(_ buffer: UnsafeMutableRawPointer, _ count: Int) -> IOResult {
        if let tls { return tls.read(buffer, count) }
        return Socket.receive(fd, buffer, count)
    }

    private func writeSome(_ buffer: UnsafeRawPointer, _ count: Int) -> IOResult {
        if let tls { return tls.write(buffer, count) }
        return Socket.send(fd, buffer, count)
    }

    // MARK: - Timeouts, drain, close

    private func updatePhaseTimers() {
        switch parser.phase {
        case .head:
            if headStartedAt == 0 { headStartedAt = loop.now }
            bodyStartedAt = 0
        case .body:
            headStartedAt = 0
            if bodyStartedAt == 0 { bodyStartedAt = loop.now }
        case .idle, .finished:
            headStartedAt = 0
            bodyStartedAt = 0
        }
    }

    func checkTimers(now: UInt64) {
        switch state {
        case .closed: return
        case .lingering(let deadline):
            if now >= deadline { close() }
            return
        case .open, .finishing, .flushingLast: break
        }
        if let tls, !tls.handshakeDone {
            if elapsed(since: acceptedAt, now) > limits.headerReadTimeout { close() }
            return
        }
        if pendingOutput > 0 && elapsed(since: lastWriteProgress, now) > limits.writeTimeout {
            close()
            return
        }
        guard isOpen else { return }
        if !backPressured {
            if headStartedAt != 0 && elapsed(since: headStartedAt, now) > limits.headerReadTimeout {
                fail(.requestTimeout("request header not received in time"))
                afterIO()
                return
            }
            if bodyStartedAt != 0 && elapsed(since: bodyStartedAt, now) > limits.bodyReadTimeout {
                fail(.requestTimeout("request body not received in time"))
                afterIO()
                return
            }
        }
        // A connection that never started a request gets only the header timeout: holding
        // silent sockets open is the cheapest way to exhaust `maxConnections`.
        let idleLimit =
            !responses.hasStarted
            ? min(limits.headerReadTimeout, limits.keepAliveIdleTimeout) : limits.keepAliveIdleTimeout
        if responses.isEmpty && pendingOutput == 0 && parser.phase == .idle
            && elapsed(since: lastActivity, now) > idleLimit
        {
            close()  // RFC 9112 §9.5: idle keep-alive connections may be closed without a response
        }
    }

    private func elapsed(since start: UInt64, _ now: UInt64) -> Double {
        Double(now &- min(start, now)) / 1e9
    }

    /// Graceful shutdown: take no new requests, finish the ones in flight (the last response
    /// says `Connection: close`), close idle connections now.
    func beginDrain() {
        switch state {
        case .closed, .lingering, .finishing(draining: true): return
        case .flushingLast:
            // The last response is already queued (nothing is left in `responses`).
            if pendingOutput == 0 { close() }
            return
        case .open, .finishing(draining: false):
            state = .finishing(draining: true)
        }
        if responses.isEmpty {
            if pendingOutput == 0 { close() } else { state = .flushingLast }
            return
        }
        updateInterest()
    }

    /// Cancels both sources, then closes the socket once their cancellations have run (a
    /// source must never watch a descriptor number the kernel may already have reused).
    func close() {
        guard !closed else { return }
        state = .closed
        loop.unregister(self)
        responses.cancelAll()
        releaseReceivingCharge()  // body budget hook
        out = []
        var sources: [(source: DispatchSourceProtocol, running: Bool)] = []
        if let readSource { sources.append((readSource, registered.contains(.read))) }
        if let writeSource { sources.append((writeSource, registered.contains(.write))) }
        pendingCancellations = sources.count
        if sources.isEmpty { finishClose() }
        for (source, running) in sources {
            source.setCancelHandler { [self] in
                pendingCancellations -= 1
                if pendingCancellations == 0 { finishClose() }
            }
            source.cancel()
            if !running { source.resume() }  // a suspended source never runs its cancel handler
        }
    }

    private func finishClose() {
        SystemCalls.close(fd)
        readSource = nil
        writeSource = nil
        loop.context.releaseConnection()
    }
}
