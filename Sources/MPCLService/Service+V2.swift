import HTTP1
import JSON

extension Service {
    /// The Open Inference Protocol endpoints; errors take its `{"error": "message"}` shape.
    func handleV2(_ exchange: Exchange, route: Route) {
        switch route {
        case .v2Server:
            exchange.respond([
                "name": "mpcl-serve", "version": .string(Self.version), "extensions": JSON(strings: Self.v2Extensions),
            ])
        case .v2Live:
            exchange.respond(["live": true])
        case .v2Ready:
            if isReady { exchange.respond(["ready": true]) } else { exchange.fail(.notReady) }
        case .v2Model(let name, let version):
            do throws(ServiceError) {
                exchange.respond(V2Codec.metadata(try v2Model(name, version: version)))
            } catch {
                exchange.fail(error)
            }
        case .v2ModelReady(let name, let version):
            do throws(ServiceError) {
                _ = try v2Model(name, version: version)
                if isDraining { return exchange.fail(.notReady) }
                exchange.respond(["name": .string(name), "ready": true])
            } catch {
                exchange.fail(error)
            }
        case .v2Infer(let name, let version):
            infer(exchange, name: name, version: version)
        default:
            exchange.fail(.notFound(exchange.request.path))
        }
    }

    /// The model a V2 path names; a `/versions/{v}` segment must be the version its metadata
    /// advertises (each name serves exactly one), else 404 like an unknown model.
    func v2Model(_ name: String, version: String?) throws(ServiceError) -> LoadedModel {
        guard let model = repository.model(named: name) else { throw .unknownModel(name) }
        if let version, version != model.version {
            throw ServiceError(
                .notFound, "unknown_version", "model '\(name)' has no version '\(version.prefix(64))'; it serves version \(model.version)",
                field: "model_version")
        }
        return model
    }

    private func infer(_ exchange: Exchange, name: String, version: String?) {
        decodeOffLoopIfLarge(exchange) { [self] in
            let request: V2Codec.InferRequest
            do throws(ServiceError) {
                let model = try v2Model(name, version: version)
                let (bytes, headerLength) = try V2RequestBody.split(exchange.request, maxBytes: configuration.limits.maxBodyBytes)
                let decoder = V2InferDecoder(target: model, maxWindows: configuration.maxWindows)
                let body = try bytes.withUnsafeBufferPointer { buffer throws(ServiceError) in
                    try decoder.decode(buffer, headerLength: headerLength)
                }
                request = V2Codec.InferRequest(
                    predict: PredictRequest(
                        model: body.target, features: body.features, windows: body.windows, aggregate: false,
                        calibration: body.calibration),
                    id: body.id.map { .string($0) }, binaryOutput: body.binaryOutput)
            } catch {
                return exchange.fail(error)
            }
            let predict = request.predict
            enqueue(predict, exchange) { distributions in
                V2Codec.response(
                    model: predict.model, id: request.id, distributions: distributions, windows: predict.windows,
                    binary: request.binaryOutput)
            }
        }
    }

    /// Protocol extensions `GET /v2` lists: only those implemented.
    static let v2Extensions = ["binary_tensor_data"]

    /// The service's version, reported by `GET /v2`.
    public static let version = "0.1.0"
}
