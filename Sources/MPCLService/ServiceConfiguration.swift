import HTTP1

/// Everything an operator sets, in one value: `mpcl-serve` fills it from flags and the
/// environment, tests fill it by hand (port 0, small limits) and pass it to `buildService`.
public struct ServiceConfiguration: Sendable {
    /// Bind address; numeric IPv4/IPv6 literal or a resolvable name. `::` listens on IPv6 and
    /// IPv4 (dual stack; IPv4 only, with a log line, on a kernel without IPv6); `127.0.0.1` or
    /// `::1` bind one family.
    public var host = "::"
    /// TCP port; 0 asks the kernel for a free one (read it back from `Service.port`).
    public var port = 8080
    /// Directory whose `NAME.safetensors` files are served; nil serves the built-in default model.
    public var modelsDirectory: String?
    /// Model answering `POST /predict` without `"model"`; nil means `default`, else the first by name.
    public var defaultModel: String?
    /// Most windows in one forward pass; larger requests are split into chunks of this size.
    public var maxBatch = 32
    /// How long the first queued window waits for others to share its forward pass; 0 disables batching.
    public var maxDelayMilliseconds = 2.0
    /// Requests that may wait for a worker; further ones are answered 503 with `Retry-After`.
    public var queueCapacity = 256
    /// Inference worker threads (each runs whole forward passes with one BLAS thread).
    public var workers = 2
    /// Bearer token for `POST /admin/reload`; nil disables the admin endpoints (404).
    public var adminToken: String?
    /// PEM certificate chain and private key; both set enables TLS.
    public var tlsCertificatePath: String?
    public var tlsPrivateKeyPath: String?
    /// Most windows in one request (413 above).
    public var maxWindows = 1024
    /// Socket-level limits: body size (also the cap on a gzip body's decompressed size), headers,
    /// timeouts, connections.
    public var limits = HTTPLimits()
    /// Memory, in bytes, that request bodies being received and decoded may be charged at once
    /// (`BodyMemory`: 10 bytes per body byte); nil derives it from the cgroup memory limit.
    public var bodyBudgetBytes: Int?
    /// Origins whose browser pages may call the API (CORS): `["*"]` for any; empty turns CORS off.
    public var corsOrigins: [String] = []
    /// Event-loop threads of the HTTP layer.
    public var eventLoops = HTTPServerConfiguration.defaultEventLoopCount
    /// Grace period for in-flight requests after SIGTERM/SIGINT (after `shutdownGraceSeconds`);
    /// work still queued when it ends is answered 503.
    public var drainSeconds = 25.0
    /// Seconds between SIGTERM and closing the listener, during which readiness answers 503 and
    /// new connections are still served, so load balancers stop routing here before connects are
    /// refused (Kubernetes removes endpoints asynchronously).
    public var shutdownGraceSeconds = 5.0
    /// Responses larger than this are gzip-compressed for clients that accept it.
    public var gzipMinimumBytes = 1024
    /// Request bodies larger than this are decoded off the event loop.
    public var inlineDecodeLimit = 64 << 10
    /// Whether one JSON line per request is written to the log.
    public var logRequests = true

    public init() {}

    /// The HTTP layer's limits with the body budget filled in.
    var effectiveLimits: HTTPLimits {
        var limits = self.limits
        limits.bodyBytesCharge = BodyMemory.bytesPerBodyByte
        limits.bodyBudgetBytes = bodyBudgetBytes ?? BodyMemory.defaultBudget(maxBodyBytes: limits.maxBodyBytes)
        return limits
    }

    /// Problems that make the configuration unusable, phrased for an operator.
    public func validationErrors() -> [String] {
        var errors: [String] = []
        if !(0...65535).contains(port) { errors.append("port must be in 0...65535 (got \(port))") }
        if maxBatch < 1 { errors.append("max-batch must be at least 1 (got \(maxBatch))") }
        if !(maxDelayMilliseconds >= 0 && maxDelayMilliseconds <= 1000) {
            errors.append("max-delay-ms must be in 0...1000 (got \(maxDelayMilliseconds))")
        }
        if queueCapacity < 1 { errors.append("queue-capacity must be at least 1 (got \(queueCapacity))") }
        if !(1...256).contains(workers) { errors.append("workers must be in 1...256 (got \(workers))") }
        if maxWindows < 1 { errors.append("max-windows must be at least 1 (got \(maxWindows))") }
        if limits.maxBodyBytes < 1 { errors.append("max-body-bytes must be at least 1") }
        if limits.maxConnections < 1 { errors.append("max-connections must be at least 1") }
        if !(limits.headerReadTimeout > 0) || !(limits.bodyReadTimeout > 0) || !(limits.keepAliveIdleTimeout > 0) {
            errors.append("timeouts must be positive")
        }
        if !(drainSeconds >= 0) { errors.append("drain-seconds must not be negative") }
        if !(shutdownGraceSeconds >= 0 && shutdownGraceSeconds <= 600) {
            errors.append("shutdown-grace-seconds must be in 0...600 (got \(shutdownGraceSeconds))")
        }
        if eventLoops < 1 { errors.append("event-loops must be at least 1") }
        if (tlsCertificatePath == nil) != (tlsPrivateKeyPath == nil) {
            errors.append("tls-cert and tls-key must be given together")
        }
        if let budget = bodyBudgetBytes, budget < 1 { errors.append("body-budget-mib must be at least 1") }
        if let token = adminToken, token.isEmpty { errors.append("admin-token must not be empty") }
        return errors
    }
}
