/// State shared by the listener and all event loops of one server: the read-only setup and
/// the two pieces of mutable state (connection count, draining flag), guarded by one lock.
final class ServerContext: @unchecked Sendable {
    let limits: HTTPLimits
    let handler: HTTPServer.Handler
    let renderError: HTTPErrorRenderer
    let tls: TLSContext?
    let bodyBudget: BodyBudget

    private let lock = Lock()
    private var open = 0
    private var isDraining = false

    init(
        limits: HTTPLimits, handler: @escaping HTTPServer.Handler,
        renderError: @escaping HTTPErrorRenderer, tls: TLSContext?
    ) {
        self.limits = limits
        self.handler = handler
        self.renderError = renderError
        self.tls = tls
        self.bodyBudget = BodyBudget(limits: limits)
    }

    /// The answer for a connection over the cap (sent best-effort, then closed). Rendered per
    /// refusal, so the application's renderer sees — and can log and count — each one. Like every
    /// 503 it carries `Date` and `Retry-After` (RFC 9110 §10.2.3), so clients know when to retry.
    var overCapacityResponse: [UInt8] {
        var response = renderError(.serviceUnavailable("too many open connections"))
        if !response.headers.contains("Retry-After") { response.headers.add(name: "Retry-After", value: "1") }
        return HTTPResponseWriter.serialize(response, keepAlive: false, date: refusalDate.current)
    }

    /// `Date` for refusals; only the accept queue uses it.
    private let refusalDate = HTTPDateCache()

    var openConnections: Int { lock.withLock { open } }

    var draining: Bool {
        get { lock.withLock { isDraining } }
        set { lock.withLock { isDraining = newValue } }
    }

    /// Counts a new connection unless the cap (`HTTPLimits.maxConnections`) is reached.
    func reserveConnection() -> Bool {
        lock.withLock {
            guard open < limits.maxConnections else { return false }
            open += 1
            return true
        }
    }

    func releaseConnection() {
        lock.withLock { open -= 1 }
    }
}
