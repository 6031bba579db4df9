/// What answering a request needs from the service, and nothing more: the gzip threshold, the
/// CORS policy, and where each answer is counted and logged. Built once by `Service`, shared by
/// every `Exchange`.
struct ExchangeContext: Sendable {
    /// Bodies at least this large are gzip-compressed for clients that accept it.
    let gzipMinimumBytes: Int
    let cors: CORSPolicy
    let metrics: ServiceMetrics
    let log: RequestLog
}
