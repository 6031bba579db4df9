import Foundation
import HTTP1
import JSON
import MPCL

extension Service {
    /// `POST /predict` and `POST /v1/models/{name}/predict`: decode → queue → batch → model → JSON.
    func predict(_ exchange: Exchange, pathModel: String?) {
        decodeOffLoopIfLarge(exchange) { [self] in
            let request: PredictRequest
            do throws(ServiceError) {
                let bytes = try RequestBody.jsonBytes(exchange.request, maxBytes: configuration.limits.maxBodyBytes)
                let decoder = PredictRequestDecoder(maxWindows: configuration.maxWindows)
                let body = try bytes.withUnsafeBufferPointer { buffer throws(ServiceError) in
                    try decoder.decode(buffer, pathModel: pathModel, resolve: repository.resolve)
                }
                request = PredictRequest(
                    model: body.target, features: body.features, windows: body.windows, aggregate: body.aggregate,
                    calibration: body.calibration)
            } catch {
                return exchange.fail(error)
            }
            enqueue(request, exchange) { distributions in
                Exchange.jsonResponse(
                    PredictionResponseEncoder.encode(
                        model: request.model, distributions: distributions, windows: request.windows, aggregate: request.aggregate))
            }
        }
    }

    /// Queues `request` for inference; `encode` turns its distributions into the response (on the
    /// worker thread). A full queue answers 503 with `Retry-After`.
    func enqueue(_ request: PredictRequest, _ exchange: Exchange, encode: @escaping @Sendable ([Float]) -> HTTPResponse) {
        let metrics = self.metrics
        let accepted = batcher.submit(request) { distributions in
            // Extreme but finite inputs can overflow inside the network; never answer NaN.
            guard distributions.allSatisfy(\.isFinite) else {
                return exchange.fail(
                    ServiceError(
                        .unprocessableContent, "non_finite_output",
                        "the model's output is not finite for these inputs: feature values are far outside the range it was trained on"))
            }
            metrics.windows.increment(by: Double(request.windows))
            exchange.respond(encode(distributions))
        } abandoned: {
            // Shutdown ran out of drain time before this request reached a worker.
            exchange.fail(
                ServiceError(
                    .serviceUnavailable, "shutting_down", "the server stopped before running this request", headers: ["Retry-After": "1"]))
        }
        if !accepted {
            metrics.overloaded.increment()
            exchange.fail(.overloaded(retryAfterSeconds: 1))
        }
    }

    /// `POST /v1/models/{name}/calibrate`: per-feature mean and standard deviation of the client's
    /// calibration windows (at least two), computed in Double. The server keeps no state: the client
    /// sends the statistics back with each prediction for a per-subject model.
    func calibrate(_ exchange: Exchange, name: String) {
        decodeOffLoopIfLarge(exchange) { [self] in
            do throws(ServiceError) {
                guard let model = repository.model(named: name) else { throw ServiceError.unknownModel(name) }
                let bytes = try RequestBody.jsonBytes(exchange.request, maxBytes: configuration.limits.maxBodyBytes)
                let (features, windows) = try bytes.withUnsafeBufferPointer { buffer throws(ServiceError) in
                    try PredictRequestDecoder.calibrationWindows(buffer, layout: model.layout, maxWindows: configuration.maxWindows)
                }
                guard windows >= 2 else {
                    throw ServiceError.invalidShape("calibration needs at least 2 windows, got \(windows)", field: "windows")
                }
                let statistics = FeatureNormalization(features: features, columns: model.featureCount, rows: 0..<windows)
                exchange.respond([
                    "model": model.reference,
                    "windows": .number(Double(windows)),
                    "mean": JSON(numbers: statistics.mean),
                    "std": JSON(numbers: statistics.std),
                ])
            } catch {
                exchange.fail(error)
            }
        }
    }
}
