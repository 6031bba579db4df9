/// The service's Prometheus series, named once here so handlers only record.
final class ServiceMetrics: Sendable {
    let registry = PrometheusRegistry()
    let requests: PrometheusRegistry.Counter
    let requestDuration: PrometheusRegistry.Histogram
    let queueWait: PrometheusRegistry.Histogram
    let inferenceDuration: PrometheusRegistry.Histogram
    let batchSize: PrometheusRegistry.Histogram
    let windows: PrometheusRegistry.Counter
    let modelLoads: PrometheusRegistry.Counter
    let reloads: PrometheusRegistry.Counter
    let overloaded: PrometheusRegistry.Counter
    let modelInfo: PrometheusRegistry.Gauge

    static let latencyBuckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
    static let batchBuckets: [Double] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]

    init() {
        requests = registry.counter("mpcl_http_requests_total", "HTTP requests answered, by route, method and status.")
        requestDuration = registry.histogram(
            "mpcl_http_request_duration_seconds", "Time from a complete request to its response, by route.", buckets: Self.latencyBuckets)
        queueWait = registry.histogram(
            "mpcl_queue_wait_seconds", "Time a window chunk waited in the batching queue.", buckets: Self.latencyBuckets)
        inferenceDuration = registry.histogram(
            "mpcl_inference_duration_seconds", "Time of one batched forward pass.", buckets: Self.latencyBuckets)
        batchSize = registry.histogram("mpcl_batch_size", "Windows per forward pass.", buckets: Self.batchBuckets)
        windows = registry.counter("mpcl_windows_total", "Windows predicted.")
        modelLoads = registry.counter("mpcl_model_loads_total", "Model load attempts, by model and result.")
        reloads = registry.counter("mpcl_reloads_total", "Repository rescans, by trigger (startup, signal, admin).")
        overloaded = registry.counter("mpcl_overloaded_total", "Requests refused because the inference queue was full.")
        modelInfo = registry.gauge("mpcl_model_info", "Loaded models: 1 per model with its version and file sha256.")
    }

    /// Registers the gauges sampled at scrape time.
    func sample(openConnections: @escaping () -> Double, queueDepth: @escaping () -> Double, ready: @escaping () -> Double) {
        registry.gauge("mpcl_open_connections", "Open client connections.", sample: openConnections)
        registry.gauge("mpcl_queue_depth", "Requests waiting for an inference worker.", sample: queueDepth)
        registry.gauge("mpcl_ready", "1 when the server is ready to serve predictions.", sample: ready)
    }

    /// Replaces the info series with the models now loaded.
    func recordModels(_ models: [LoadedModel]) {
        modelInfo.reset()
        for model in models { modelInfo.set(1, ["model": model.name, "version": model.version, "sha256": model.sha256]) }
    }
}
