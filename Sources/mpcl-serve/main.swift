import ArgumentParser
import Dispatch
import EmotionVocabulary
import Foundation
import MPCLMath
import MPCLService

/// `mpcl-serve`: argument parsing and wiring only. Every flag has an environment variable; a flag
/// beats its variable, which beats the default. Invalid values exit with status 2.
struct MPCLServe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mpcl-serve",
        abstract: "Serve MPCL emotion predictions over HTTP/1.1.",
        version: Service.version,
        subcommands: [Serve.self, HealthCheck.self],
        defaultSubcommand: Serve.self)
}

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the server (the default command).")

    @Option(
        help: """
            Bind address [MPCL_HOST, default '::': IPv6 and IPv4 (dual stack), falling back to IPv4 with a log line \
            when the kernel has no IPv6]. 127.0.0.1 or ::1 bind one family.
            """)
    var host: String?
    @Option(help: "TCP port, 0 for any free port [MPCL_PORT, default 8080].") var port: Int?
    @Option(help: "Directory of NAME.safetensors models; omitted: the built-in default model [MPCL_MODELS].") var models: String?
    @Option(help: "Model answering requests that name none [MPCL_DEFAULT_MODEL, default 'default' or the first].") var defaultModel: String?
    @Option(help: "Most windows per forward pass [MPCL_MAX_BATCH, default 32].") var maxBatch: Int?
    @Option(help: "Longest wait to fill a batch, 0 disables batching [MPCL_MAX_DELAY_MS, default 2].") var maxDelayMs: Double?
    @Option(help: "Requests waiting for inference before 503 [MPCL_QUEUE_CAPACITY, default 256].") var queueCapacity: Int?
    @Option(help: "Inference worker threads [MPCL_WORKERS, default: the CPUs this process may use].") var workers: Int?
    @Option(help: "Event-loop threads [MPCL_EVENT_LOOPS, default: the CPUs this process may use].") var eventLoops: Int?
    @Option(help: "Bearer token enabling POST /admin/reload [MPCL_ADMIN_TOKEN; unset: disabled].") var adminToken: String?
    @Option(help: "PEM certificate chain; with --tls-key enables TLS [MPCL_TLS_CERT].") var tlsCert: String?
    @Option(help: "PEM private key [MPCL_TLS_KEY].") var tlsKey: String?
    @Option(help: "Largest request body, also the cap on a gzip body's decompressed size [MPCL_MAX_BODY_BYTES, default 8388608].")
    var maxBodyBytes: Int?
    @Option(help: "Most windows per request [MPCL_MAX_WINDOWS, default 1024].") var maxWindows: Int?
    @Option(help: "Open connections allowed [MPCL_MAX_CONNECTIONS, default 1024].") var maxConnections: Int?
    @Option(help: "Largest header block in bytes [MPCL_MAX_HEADER_BYTES, default 16384].") var maxHeaderBytes: Int?
    @Option(help: "Most header fields [MPCL_MAX_HEADER_COUNT, default 100].") var maxHeaderCount: Int?
    @Option(help: "Seconds to receive a request's headers [MPCL_HEADER_TIMEOUT, default 10].") var headerTimeout: Double?
    @Option(help: "Seconds to receive a request's body [MPCL_BODY_TIMEOUT, default 30].") var bodyTimeout: Double?
    @Option(help: "Seconds an idle keep-alive connection stays open [MPCL_IDLE_TIMEOUT, default 60].") var idleTimeout: Double?
    @Option(
        help: """
            Seconds after SIGTERM/SIGINT during which /readyz answers 503 while the listener stays open, so load \
            balancers stop routing here first [MPCL_SHUTDOWN_GRACE_SECONDS, default 5].
            """)
    var shutdownGraceSeconds: Double?
    @Option(
        help: """
            Then, seconds for in-flight requests to finish; queued work left after it is answered 503, and the exit \
            status is 1 instead of 0 [MPCL_DRAIN_SECONDS, default 25].
            """)
    var drainSeconds: Double?
    @Option(help: "Log one JSON line per request: true or false [MPCL_LOG_REQUESTS, default true].") var logRequests: Bool?
    @Option(
        help:
            "Memory request bodies may hold at once, 10 bytes per body byte [MPCL_BODY_BUDGET_MIB, default: cgroup memory limit − 96 MiB, or 928 MiB without one]."
    ) var bodyBudgetMib: Int?
    @Option(
        help: "Origins allowed to call the API from a browser (CORS): * or a comma-separated list [MPCL_CORS_ORIGIN; unset: CORS off].")
    var corsOrigin: String?
    @Option(help: "File recording the bound port and TLS for `healthcheck` [MPCL_PROBE_FILE; unset: none].") var probeFile: String?

    func configurationFromFlags() throws -> ServiceConfiguration {
        let env = Environment()
        var c = ServiceConfiguration()
        c.host = try host ?? env.string("MPCL_HOST") ?? c.host
        c.port = try port ?? env.value("MPCL_PORT") ?? c.port
        c.modelsDirectory = try models ?? env.string("MPCL_MODELS")
        c.defaultModel = try defaultModel ?? env.string("MPCL_DEFAULT_MODEL")
        c.maxBatch = try maxBatch ?? env.value("MPCL_MAX_BATCH") ?? c.maxBatch
        c.maxDelayMilliseconds = try maxDelayMs ?? env.value("MPCL_MAX_DELAY_MS") ?? c.maxDelayMilliseconds
        c.queueCapacity = try queueCapacity ?? env.value("MPCL_QUEUE_CAPACITY") ?? c.queueCapacity
        c.workers = try workers ?? env.value("MPCL_WORKERS") ?? AvailableCPUs.count
        c.eventLoops = try eventLoops ?? env.value("MPCL_EVENT_LOOPS") ?? AvailableCPUs.count
        c.adminToken = try adminToken ?? env.string("MPCL_ADMIN_TOKEN")
        c.tlsCertificatePath = try tlsCert ?? env.string("MPCL_TLS_CERT")
        c.tlsPrivateKeyPath = try tlsKey ?? env.string("MPCL_TLS_KEY")
        c.limits.maxBodyBytes = try maxBodyBytes ?? env.value("MPCL_MAX_BODY_BYTES") ?? c.limits.maxBodyBytes
        c.maxWindows = try maxWindows ?? env.value("MPCL_MAX_WINDOWS") ?? c.maxWindows
        c.limits.maxConnections = try maxConnections ?? env.value("MPCL_MAX_CONNECTIONS") ?? c.limits.maxConnections
        c.limits.maxHeaderBytes = try maxHeaderBytes ?? env.value("MPCL_MAX_HEADER_BYTES") ?? c.limits.maxHeaderBytes
        c.limits.maxHeaderCount = try maxHeaderCount ?? env.value("MPCL_MAX_HEADER_COUNT") ?? c.limits.maxHeaderCount
        c.limits.headerReadTimeout = try headerTimeout ?? env.value("MPCL_HEADER_TIMEOUT") ?? c.limits.headerReadTimeout
        c.limits.bodyReadTimeout = try bodyTimeout ?? env.value("MPCL_BODY_TIMEOUT") ?? c.limits.bodyReadTimeout
        c.limits.keepAliveIdleTimeout = try idleTimeout ?? env.value("MPCL_IDLE_TIMEOUT") ?? c.limits.keepAliveIdleTimeout
        c.drainSeconds = try drainSeconds ?? env.value("MPCL_DRAIN_SECONDS") ?? c.drainSeconds
        c.shutdownGraceSeconds =
            try shutdownGraceSeconds ?? env.value("MPCL_SHUTDOWN_GRACE_SECONDS") ?? c.shutdownGraceSeconds
        c.logRequests = try logRequests ?? env.value("MPCL_LOG_REQUESTS") ?? c.logRequests
        if let mebibytes: Int = try bodyBudgetMib ?? env.value("MPCL_BODY_BUDGET_MIB") {
            guard (1...(1 << 30)).contains(mebibytes) else { throw ValidationError("body-budget-mib must be in 1...\(1 << 30)") }
            c.bodyBudgetBytes = mebibytes << 20
        }
        if let origins = try corsOrigin ?? env.string("MPCL_CORS_ORIGIN") {
            c.corsOrigins = CommaSeparatedList.items(origins)
            if c.corsOrigins.isEmpty { throw ValidationError("cors-origin must name at least one origin or *") }
        }
        if c.limits.maxHeaderBytes < 256 { throw ValidationError("max-header-bytes must be at least 256") }
        if c.limits.maxHeaderCount < 1 { throw ValidationError("max-header-count must be at least 1") }
        let problems = c.validationErrors()
        if !problems.isEmpty { throw ValidationError(problems.joined(separator: "; ")) }
        if let directory = c.modelsDirectory {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ValidationError("models: '\(directory)' is not a directory")
            }
        }
        return c
    }

    func run() throws {
        let configuration = try configurationFromFlags()
        setBLASThreads(1)
        tuneAllocator(.boundedMemory)
        let service: Service
        do { service = try buildService(configuration) } catch let error as ServiceSetupError {
            throw ValidationError(error.description)
        }
        // Signal sources first: a SIGTERM that arrives as soon as /readyz answers must not be lost.
        SignalHandlers.install(service: service)
        try service.start()
        if let path = try probeFile ?? Environment().string("MPCL_PROBE_FILE") {
            let target = ProbeTarget(bindHost: configuration.host, port: service.port, tls: configuration.tlsCertificatePath != nil)
            do { try target.record(to: path) } catch {
                FileHandle.standardError.write(Data("mpcl-serve: warning: \(error); healthcheck falls back to MPCL_PORT\n".utf8))
            }
        }
        dispatchMain()
    }
}

struct HealthCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "healthcheck", abstract: "Exit 0 when the server's /readyz answers 200, else 1.",
        discussion: """
            Probes the server as it was configured: the address, port and TLS it recorded in its probe \
            file (MPCL_PROBE_FILE, set in the image), else MPCL_HOST, MPCL_PORT and MPCL_TLS_CERT; \
            flags here override both. TLS certificates are not verified (a liveness probe of this host).
            """)

    @Option(help: "Server address [default: recorded, else loopback for a wildcard MPCL_HOST].") var host: String?
    @Option(help: "Server port [default: recorded, else MPCL_PORT, else 8080].") var port: Int?
    @Option(help: "Probe over TLS: true or false [default: recorded, else whether MPCL_TLS_CERT is set].") var tls: Bool?
    @Option(help: "The server's probe file [MPCL_PROBE_FILE].") var probeFile: String?
    @Option(help: "Seconds to wait for the answer.") var timeout: Double = 2

    func run() throws {
        let env = Environment()
        let recorded = try (probeFile ?? env.string("MPCL_PROBE_FILE")).flatMap { ProbeTarget.recorded(at: $0) }
        var target =
            try recorded
            ?? ProbeTarget(
                bindHost: env.string("MPCL_HOST") ?? ServiceConfiguration().host, port: env.value("MPCL_PORT") ?? 8080,
                tls: env.string("MPCL_TLS_CERT") != nil)
        if let host { target.host = host }
        if let port { target.port = port }
        if let tls { target.tls = tls }
        guard HealthProbe.isReady(target, timeout: timeout) else { throw ExitCode.failure }
    }
}

/// SIGTERM/SIGINT drain and exit: 0 when the drain completed in time, 1 when work was cut off
/// (the service logs which); SIGHUP rescans the model repository.
enum SignalHandlers {
    nonisolated(unsafe) static var sources: [DispatchSourceSignal] = []

    static func install(service: Service) {
        let queue = DispatchQueue(label: "mpcl.signals")
        for number in [SIGTERM, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler {
                Foundation.exit(service.shutdown() ? 0 : 1)
            }
            source.resume()
            sources.append(source)
        }
        signal(SIGHUP, SIG_IGN)
        let hangup = DispatchSource.makeSignalSource(signal: SIGHUP, queue: queue)
        hangup.setEventHandler { service.reload(trigger: "signal") }
        hangup.resume()
        sources.append(hangup)
    }
}

/// Reads the MPCL_* variables, refusing values that do not parse.
struct Environment {
    let variables = ProcessInfo.processInfo.environment

    func string(_ name: String) throws -> String? {
        guard let value = variables[name], !value.isEmpty else { return nil }
        return value
    }

    func value<T: LosslessStringConvertible>(_ name: String) throws -> T? {
        guard let text = try string(name) else { return nil }
        guard let value = T(text.trimmingCharacters(in: .whitespaces)) else {
            throw ValidationError("\(name)='\(text)' is not a valid \(T.self)")
        }
        return value
    }
}

do {
    var command = try MPCLServe.parseAsRoot()
    try command.run()
} catch {
    let code = MPCLServe.exitCode(for: error)
    if code == .success || error is ExitCode {
        MPCLServe.exit(withError: error)
    }
    let message = MPCLServe.fullMessage(for: error)
    FileHandle.standardError.write(Data(("mpcl-serve: " + message + "\n").utf8))
    Foundation.exit(code == .validationFailure ? 2 : 1)
}
