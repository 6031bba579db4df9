/// Maps a request path to an endpoint of docs/SERVICE.md, and says which methods it allows.
///
/// Paths are matched segment by segment; `{name}` segments are model names. The `route` label
/// (the path template) keeps the metrics' cardinality bounded whatever clients send.
enum Route: Equatable {
    case predict
    case modelPredict(String)
    case listModels
    case model(String)
    case calibrate(String)
    case healthz
    case readyz
    case metrics
    case adminReload
    case v2Server
    case v2Live
    case v2Ready
    /// The V2 model routes carry KServe's optional `/versions/{v}` segment (nil without one).
    case v2Model(String, version: String?)
    case v2ModelReady(String, version: String?)
    case v2Infer(String, version: String?)
    case page
    case examples

    /// Methods the endpoint answers (HEAD wherever GET).
    var allowedMethods: [String] {
        switch self {
        case .predict, .modelPredict, .calibrate, .adminReload, .v2Infer: return ["POST"]
        default: return ["GET", "HEAD"]
        }
    }

    /// The path template, used as the `route` label of metrics.
    var template: String {
        switch self {
        case .predict: return "/predict"
        case .modelPredict: return "/v1/models/{name}/predict"
        case .listModels: return "/v1/models"
        case .model: return "/v1/models/{name}"
        case .calibrate: return "/v1/models/{name}/calibrate"
        case .healthz: return "/healthz"
        case .readyz: return "/readyz"
        case .metrics: return "/metrics"
        case .adminReload: return "/admin/reload"
        case .v2Server: return "/v2"
        case .v2Live: return "/v2/health/live"
        case .v2Ready: return "/v2/health/ready"
        case .v2Model: return "/v2/models/{name}"
        case .v2ModelReady: return "/v2/models/{name}/ready"
        case .v2Infer: return "/v2/models/{name}/infer"
        case .page: return "/"
        case .examples: return "/examples.json"
        }
    }

    /// Whether errors take the Open Inference Protocol's `{"error": "message"}` shape.
    var isV2: Bool {
        switch self {
        case .v2Server, .v2Live, .v2Ready, .v2Model, .v2ModelReady, .v2Infer: return true
        default: return false
        }
    }
}

enum Router {
    /// The endpoint at `path`, or nil (404). A trailing slash is not the same path.
    static func route(_ path: Substring) -> Route? {
        switch path {
        case "/": return .page
        case "/examples.json": return .examples
        case "/predict": return .predict
        case "/healthz": return .healthz
        case "/readyz": return .readyz
        case "/metrics": return .metrics
        case "/admin/reload": return .adminReload
        case "/v1/models": return .listModels
        case "/v2": return .v2Server
        case "/v2/health/live": return .v2Live
        case "/v2/health/ready": return .v2Ready
        default: break
        }
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        // "/v1/models/x" splits into ["", "v1", "models", "x"].
        guard segments.count >= 4, segments[0].isEmpty, segments[2] == "models", isModelName(segments[3]) else { return nil }
        let name = String(segments[3])
        // KServe's optional `/versions/{v}`: kept for the service to check against the one version
        // each name serves (its metadata's `versions`).
        var rest = Array(segments[4...])
        var version: String?
        if segments[1] == "v2", rest.count >= 2, rest[0] == "versions", !rest[1].isEmpty {
            version = String(rest[1].prefix(128))
            rest.removeFirst(2)
        }
        switch (segments[1], rest) {
        case ("v1", []): return .model(name)
        case ("v1", ["predict"]): return .modelPredict(name)
        case ("v1", ["calibrate"]): return .calibrate(name)
        case ("v2", []): return .v2Model(name, version: version)
        case ("v2", ["ready"]): return .v2ModelReady(name, version: version)
        case ("v2", ["infer"]): return .v2Infer(name, version: version)
        default: return nil
        }
    }

    /// Model names are file stems: letters, digits, `.`, `_`, `-`; at most 128 characters.
    static func isModelName(_ name: Substring) -> Bool {
        !name.isEmpty && name.utf8.count <= 128 && name != "." && name != ".."
            && name.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x2E || byte == 0x5F || byte == 0x2D
            }
    }
}
