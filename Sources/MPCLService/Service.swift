import Foundation
import HTTP1
import JSON
import MPCL
import Timekeeping

/// Why the service could not be built or started (bad configuration, no loadable model).
public struct ServiceSetupError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The prediction service: HTTP server, model repository, batcher, metrics and log, wired together.
///
/// Lifecycle: `buildService(configuration)` → `start()` → serve → `shutdown()` (readiness turns 503,
/// after a short grace the listener closes, in-flight requests finish within the drain period,
/// queued work left after it is answered 503) — the same entry points
/// the executable's signal handlers call, so tests exercise them in-process on port 0.
public final class Service: @unchecked Sendable {
    public let configuration: ServiceConfiguration
    public let repository: ModelRepository
    let batcher: Batcher
    let metrics: ServiceMetrics
    let log: RequestLog
    let assets = StaticAssets()
    let cors: CORSPolicy
    /// What each `Exchange` needs to answer, count and log a request.
    let exchangeContext: ExchangeContext
    private var server: HTTPServer!
    let stateLock = NSLock()
    var draining = false

    init(configuration: ServiceConfiguration, repository: ModelRepository, log: RequestLog) {
        self.configuration = configuration
        self.repository = repository
        self.log = log
        let cors = CORSPolicy(origins: configuration.corsOrigins)
        self.cors = cors
        let metrics = ServiceMetrics()
        self.metrics = metrics
        self.exchangeContext = ExchangeContext(
            gzipMinimumBytes: configuration.gzipMinimumBytes, cors: cors, metrics: metrics, log: log)
        self.batcher = Batcher(
            workers: configuration.workers, maxBatch: configuration.maxBatch,
            maxDelayMilliseconds: configuration.maxDelayMilliseconds, capacity: configuration.queueCapacity,
            observer: { windows, inference, waits in
                metrics.batchSize.observe(Double(windows))
                metrics.inferenceDuration.observe(inference)
                for wait in waits { metrics.queueWait.observe(wait) }
            })
        let http = HTTPServerConfiguration(
            host: configuration.host, port: configuration.port, limits: configuration.effectiveLimits,
            tlsCertificatePath: configuration.tlsCertificatePath, tlsPrivateKeyPath: configuration.tlsPrivateKeyPath,
            eventLoopCount: configuration.eventLoops,
            errorRenderer: { [log, metrics] error in
                // The HTTP layer refused the bytes before a request existed (smuggling shapes,
                // oversize headers, timeouts): still one log line and one count per answer.
                // 503s (connection cap, body budget) are transient: say when to retry.
                let retry: HTTPHeaders = error.status == .serviceUnavailable ? ["Retry-After": "1"] : [:]
                var response = ServiceError(error.status, error.code, error.message, headers: retry).response()
                let requestId = RequestId.generate()
                response.headers.add(name: "X-Request-Id", value: requestId)
                metrics.requests.increment(["route": "unmatched", "method": "other", "status": String(error.status.code)])
                log.request(
                    method: "-", path: "-", status: error.status.code, durationSeconds: 0, bytes: response.body.count,
                    requestId: requestId)
                return response
            })
        self.server = HTTPServer(configuration: http) { [weak self] request, responder in
            guard let self else {
                responder.send(ServiceError.notReady.response())
                return
            }
            self.handle(request, responder)
        }
        metrics.sample(
            openConnections: { [weak self] in Double(self?.server.openConnections ?? 0) },
            queueDepth: { [weak self] in Double(self?.batcher.depth ?? 0) },
            ready: { [weak self] in self?.isReady == true ? 1 : 0 })
    }

    /// The bound port (the kernel's choice when configured with 0).
    public var port: Int { server.port }

    /// Ready: a default model is loaded and the server is not draining.
    public var isReady: Bool {
        !stateLock.withLock { draining } && repository.defaultModel != nil
    }

    public var isDraining: Bool { stateLock.withLock { draining } }

    /// Binds and starts serving.
    public func start() throws {
        try server.start()
        if server.host != configuration.host && (configuration.host == "::" || configuration.host.isEmpty) {
            log.event(
                "ipv6 unavailable", level: "warning",
                [("requested_host", .string(configuration.host)), ("host", .string(server.host))])
        }
        log.event(
            "listening",
            [
                ("host", .string(server.host)), ("port", .number(Double(port))),
                ("tls", .bool(configuration.tlsCertificatePath != nil)),
                ("models", JSON(strings: repository.all.map(\.name))),
                ("default_model", repository.defaultModelName.map { .string($0) } ?? .null),
            ])
    }

    /// Rescans the model repository (SIGHUP, `POST /admin/reload`); logs and counts the outcome.
    @discardableResult
    public func reload(trigger: String) -> ModelRepository.ReloadReport {
        let report = repository.reload()
        metrics.reloads.increment(["trigger": trigger, "result": report.failed.isEmpty ? "ok" : "partial"])
        metrics.recordModels(repository.all)
        log.event(
            "reload", level: report.failed.isEmpty ? "info" : "warning",
            [("trigger", .string(trigger)), ("report", report.json)])
        return report
    }

    /// Graceful shutdown, bounded in time: readiness turns 503 at once while the listener stays
    /// open for `shutdownGraceSeconds` (load balancers see the 503 before connects are refused);
    /// then the listener closes and in-flight requests get `drainSeconds` to finish. Work still
    /// queued for inference after that is answered 503, and whatever is left is cut off. True
    /// when everything drained in time (the exit status reports it). Call from any thread except
    /// an event loop; later calls return at once.
    @discardableResult
    public func shutdown() -> Bool {
        let first = stateLock.withLock {
            defer { draining = true }
            return !draining
        }
        guard first else { return true }
        log.event(
            "draining",
            [
                ("shutdown_grace_seconds", .number(configuration.shutdownGraceSeconds)),
                ("drain_seconds", .number(configuration.drainSeconds)),
            ])
        if configuration.shutdownGraceSeconds > 0 {
            Thread.sleep(forTimeInterval: configuration.shutdownGraceSeconds)
        }
        server.beginShutdown()
        var drained = server.waitUntilDrained(timeout: configuration.drainSeconds)
        if !batcher.stop(timeout: drained ? 5 : 0) {
            drained = false
            // The abandoned requests' 503s are queued on their connections: a moment to flush.
            _ = server.waitUntilDrained(timeout: 1)
        }
        let cutOff = server.openConnections
        server.stop()
        log.event(
            "stopped", level: drained ? "info" : "warning",
            [("drained", .bool(drained)), ("connections_cut_off", .number(Double(cutOff)))])
        return drained
    }

    /// Releases the workers of a service that will never start.
    func discard() { batcher.stop(timeout: 5) }

    /// Entry point for every request the HTTP layer hands over (on an event-loop thread: nothing
    /// here blocks; inference and large decodes run elsewhere).
    func handle(_ request: HTTPRequest, _ responder: HTTPResponder) {
        let route = Router.route(request.path)
        let exchange = Exchange(
            request: request, responder: responder, requestId: RequestId.make(from: request.headers["X-Request-Id"]),
            route: route, started: monotonicNanos(), context: exchangeContext)
        guard let route else { return exchange.fail(.notFound(request.path)) }
        if request.method == "OPTIONS", cors.isEnabled {
            return exchange.respond(cors.preflight(methods: route.allowedMethods, origin: request.headers["Origin"]))
        }
        guard route.allowedMethods.contains(request.method) else {
            return exchange.fail(.methodNotAllowed(request.method, allowed: route.allowedMethods))
        }
        switch route {
        case .healthz: exchange.respond(["status": "ok"])
        case .page: assets.page.isEmpty ? exchange.fail(.notFound(request.path)) : exchange.respond(assets.pageResponse)
        case .examples: assets.examples.isEmpty ? exchange.fail(.notFound(request.path)) : exchange.respond(assets.examplesResponse)
        case .readyz: readiness(exchange)
        case .metrics:
            exchange.respond(
                HTTPResponse(
                    status: .ok, headers: ["Content-Type": "text/plain; version=0.0.4; charset=utf-8"], body: metrics.registry.render()))
        case .listModels: listModels(exchange)
        case .model(let name): modelMetadata(exchange, name: name)
        case .predict: predict(exchange, pathModel: nil)
        case .modelPredict(let name): predict(exchange, pathModel: name)
        case .calibrate(let name): calibrate(exchange, name: name)
        case .adminReload: adminReload(exchange)
        case .v2Server, .v2Live, .v2Ready, .v2Model, .v2ModelReady, .v2Infer: handleV2(exchange, route: route)
        }
    }

    private func readiness(_ exchange: Exchange) {
        if isReady {
            exchange.respond(["status": "ready", "model": repository.defaultModel.map { $0.reference } ?? .null])
        } else {
            let error = ServiceError(
                .serviceUnavailable, "not_ready", isDraining ? "the server is draining" : "no default model is loaded",
                headers: ["Retry-After": "1"])
            exchange.fail(error)
        }
    }

    private func listModels(_ exchange: Exchange) {
        exchange.respond([
            "default": repository.defaultModelName.map { .string($0) } ?? .null,
            "models": .array(repository.all.map { $0.metadata }),
        ])
    }

    private func modelMetadata(_ exchange: Exchange, name: String) {
        guard let model = repository.model(named: name) else { return exchange.fail(.unknownModel(name)) }
        exchange.respond(model.metadata)
    }

    /// Runs `work` on the event loop for small plain bodies and on a global queue for large or
    /// compressed ones, so one big request cannot stall the other connections of its loop.
    func decodeOffLoopIfLarge(_ exchange: Exchange, _ work: @escaping @Sendable () -> Void) {
        if exchange.request.body.count > configuration.inlineDecodeLimit || !RequestBody.codings(exchange.request).isEmpty {
            DispatchQueue.global().async(execute: work)
        } else {
            work()
        }
    }
}

/// Builds the service from its configuration and loads the models (but does not bind): `main`
/// and the tests share this one function.
public func buildService(_ configuration: ServiceConfiguration) throws -> Service {
    try buildService(configuration, logSink: nil)
}

func buildService(_ configuration: ServiceConfiguration, logSink: (@Sendable ([UInt8]) -> Void)?) throws -> Service {
    let problems = configuration.validationErrors()
    guard problems.isEmpty else { throw ServiceSetupError(problems.joined(separator: "; ")) }
    let log = RequestLog(logRequests: configuration.logRequests, sink: logSink)
    let repository = ModelRepository(directory: configuration.modelsDirectory, defaultModel: configuration.defaultModel)
    let service = Service(configuration: configuration, repository: repository, log: log)
    let metrics = service.metrics
    repository.onLoad = { name, ok, reason in
        metrics.modelLoads.increment(["model": name, "result": ok ? "success" : "failure"])
        if let reason {
            log.event("model refused", level: "error", [("model", .string(name)), ("reason", .string(reason))])
        } else {
            log.event("model loaded", [("model", .string(name))])
        }
    }
    let report = service.reload(trigger: "startup")
    if repository.isEmpty || configuration.defaultModel.map({ repository.model(named: $0) == nil }) == true {
        service.discard()
    }
    if repository.isEmpty {
        let reasons = report.failed.map { "\($0.file): \($0.reason)" }.joined(separator: "; ")
        throw ServiceSetupError(
            "no model could be loaded" + (reasons.isEmpty ? " (the directory has no .safetensors files)" : ": \(reasons)"))
    }
    if let wanted = configuration.defaultModel, repository.model(named: wanted) == nil {
        throw ServiceSetupError(
            "default model '\(wanted)' is not among the loaded models: \(repository.all.map(\.name).joined(separator: ", "))")
    }
    return service
}

extension Service {
    /// Turns readiness off without stopping (tests of the draining answers).
    func markDrainingForTesting() { stateLock.withLock { draining = true } }
}
