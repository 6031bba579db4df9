import JSON

extension Service {
    /// The Open Inference Protocol endpoints; errors take its `{"error": "message"}` shape.
    func handleV2(_ exchange: Exchange, route: Route) {
        switch route {
        case .v2Server:
            exchange.respond(["name": "mpcl-serve", "version": .string(Self.version), "extensions": []])
        case .v2Live:
            exchange.respond(["live": true])
        case .v2Ready:
            if isReady { exchange.respond(["ready": true]) } else { exchange.fail(.notReady) }
        case .v2Model(let name):
            guard let model = repository.model(named: name) else { return exchange.fail(.unknownModel(name)) }
            exchange.respond(V2Codec.metadata(model))
        case .v2ModelReady(let name):
            guard repository.model(named: name) != nil else { return exchange.fail(.unknownModel(name)) }
            if isDraining { return exchange.fail(.notReady) }
            exchange.respond(["name": .string(name), "ready": true])
        case .v2Infer(let name):
            infer(exchange, name: name)
        default:
            exchange.fail(.notFound(exchange.request.path))
        }
    }

    private func infer(_ exchange: Exchange, name: String) {
        decodeOffLoopIfLarge(exchange) { [self] in
            let request: PredictRequest
            let id: JSON?
            do throws(ServiceError) {
                guard let model = repository.model(named: name) else { throw ServiceError.unknownModel(name) }
                let body = try RequestBody.json(exchange.request, maxBytes: configuration.limits.maxBodyBytes)
                request = try V2Codec.decode(body, model: model, maxWindows: configuration.maxWindows)
                id = body["id"].flatMap { $0.stringValue != nil ? $0 : nil }
            } catch {
                return exchange.fail(error)
            }
            enqueue(request, exchange) { distributions in
                V2Codec.response(model: request.model, id: id, distributions: distributions, windows: request.windows)
            }
        }
    }

    /// The service's version, reported by `GET /v2`.
    public static let version = "0.1.0"
}
