/// Everything `HTTPServer` needs at setup; one value so the app wires it from its own config.
public struct HTTPServerConfiguration: Sendable {
    /// Numeric IPv4/IPv6 literal (`127.0.0.1`, `::1`, `0.0.0.0`, `::`) or a resolvable name.
    public var host: String
    /// 0 asks the kernel for an ephemeral port; read the result from `HTTPServer.port`.
    public var port: Int
    public var limits: HTTPLimits
    /// PEM certificate chain and private key; both set enables TLS on the listener.
    public var tlsCertificatePath: String?
    public var tlsPrivateKeyPath: String?
    public var backlog: Int32
    /// Event loops: serial Dispatch queues, each owning a share of the connections.
    public var eventLoopCount: Int
    /// Renders refusals (parse errors, 408, 503) into a response; default `HTTPErrorBody.json`.
    public var errorRenderer: HTTPErrorRenderer

    public init(
        host: String = "127.0.0.1",
        port: Int = 0,
        limits: HTTPLimits = HTTPLimits(),
        tlsCertificatePath: String? = nil,
        tlsPrivateKeyPath: String? = nil,
        backlog: Int32 = 1024,
        eventLoopCount: Int = HTTPServerConfiguration.defaultEventLoopCount,
        errorRenderer: @escaping HTTPErrorRenderer = HTTPErrorBody.json
    ) {
        self.host = host
        self.port = port
        self.limits = limits
        self.tlsCertificatePath = tlsCertificatePath
        self.tlsPrivateKeyPath = tlsPrivateKeyPath
        self.backlog = backlog
        self.eventLoopCount = eventLoopCount
        self.errorRenderer = errorRenderer
    }

    /// One loop per online CPU: each loop is a serial queue whose work never blocks.
    public static var defaultEventLoopCount: Int { SystemCalls.processorCount }
}
