/// Every bound the HTTP/1.1 layer enforces, in one value handed over at setup.
///
/// Why one type: limits are a security decision made by the deployment, not by the code
/// paths that enforce them. Passing a single value to the parser and the server keeps
/// every bound visible, testable and configurable in one place.
public struct HTTPLimits: Sendable, Equatable {
    /// Largest accepted request body (aggregated). Larger → 413 (RFC 9110 §15.5.14).
    public var maxBodyBytes: Int
    /// Largest header block, request line and final empty line included. Larger → 431 (RFC 6585 §5).
    public var maxHeaderBytes: Int
    /// Most header fields in one request (also bounds trailer fields). More → 431.
    public var maxHeaderCount: Int
    /// Seconds allowed for one request's whole header block, measured from its first byte.
    /// Expiry → 408 and close; this is what cuts off slowloris clients.
    public var headerReadTimeout: Double
    /// Seconds allowed to receive one request's whole body once its head is complete. Expiry → 408 and close.
    public var bodyReadTimeout: Double
    /// Seconds a keep-alive connection may sit with nothing in flight before a quiet close
    /// (no response: RFC 9112 §9.5 lets a server close idle connections at any time).
    public var keepAliveIdleTimeout: Double
    /// Seconds a pending response may make no write progress (client not reading) before the connection is dropped.
    public var writeTimeout: Double
    /// Open connections allowed at once; further ones are answered 503 and closed.
    public var maxConnections: Int
    /// Refuse a bare LF where CRLF is required (RFC 9112 §2.2 permits leniency; strictness removes a smuggling vector).
    public var strictCRLF: Bool
    /// Requests that may be queued on one connection awaiting responses (pipelining, RFC 9112 §9.3.2).
    /// At the bound the server stops reading that connection until responses drain (back-pressure).
    public var maxPipelinedRequests: Int
    /// Memory, in bytes, that request bodies being received and decoded may be charged at once
    /// (`BodyBudget`); a body that does not fit is answered 503 before it is read. `Int.max`: no budget.
    public var bodyBudgetBytes: Int
    /// Bytes charged per body byte: the application's peak memory per byte of body while it holds
    /// and decodes it (1: only the raw bytes).
    public var bodyBytesCharge: Int

    public init(
        maxBodyBytes: Int = 8 << 20,
        maxHeaderBytes: Int = 16 << 10,
        maxHeaderCount: Int = 100,
        headerReadTimeout: Double = 10,
        bodyReadTimeout: Double = 30,
        keepAliveIdleTimeout: Double = 60,
        writeTimeout: Double = 30,
        maxConnections: Int = 1024,
        strictCRLF: Bool = true,
        maxPipelinedRequests: Int = 16,
        bodyBudgetBytes: Int = Int.max,
        bodyBytesCharge: Int = 1
    ) {
        self.maxBodyBytes = maxBodyBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.headerReadTimeout = headerReadTimeout
        self.bodyReadTimeout = bodyReadTimeout
        self.keepAliveIdleTimeout = keepAliveIdleTimeout
        self.writeTimeout = writeTimeout
        self.maxConnections = maxConnections
        self.strictCRLF = strictCRLF
        self.maxPipelinedRequests = maxPipelinedRequests
        self.bodyBudgetBytes = bodyBudgetBytes
        self.bodyBytesCharge = bodyBytesCharge
    }
}
