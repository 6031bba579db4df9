import EmotionVocabulary
import Foundation
import JSON
import MPCL
import Randomness
import TestSupport
import Testing

@testable import MPCLService

/// What service tests read from a response: its JSON and the service's error fields.
extension TestResponse {
    var json: JSON { (try? JSON.parse(body)) ?? .null }
    /// `error.code` of a service error body.
    var errorCode: String? { json["error"]?["code"]?.stringValue }
    var errorField: String? { json["error"]?["field"]?.stringValue }
}

extension TestClient {
    func post(_ target: String, json: JSON, headers: [(String, String)] = []) throws -> TestResponse {
        try request("POST", target, body: json.serialized(), headers: headers)
    }
}

/// A started service on port 0 with its models in a temporary directory; stopped afterwards.
struct TestServer {
    let service: Service
    let directory: String
    var port: Int { service.port }

    /// In-process reference predictions for the model stored as `name`.
    func predictor(_ name: String = "default") throws -> Predictor {
        Predictor(checkpoint: try Checkpoint.read(from: "\(directory)/\(name).safetensors"))
    }

    func client() throws -> TestClient { try TestClient(port: port) }
}

/// Writes `models` (name → seed) into a fresh directory, starts the service, runs `body`, stops it.
func withServer(
    models: [String: UInt64] = ["default": 1], perSubject: Set<String> = [],
    configure: (inout ServiceConfiguration) -> Void = { _ in },
    _ body: (TestServer) throws -> Void
) throws {
    let directory = try TemporaryDirectory("service")
    defer { directory.remove() }
    let service = try startService(in: directory.path, models: models, perSubject: perSubject) {
        $0.eventLoops = 2
        $0.workers = 2
        $0.drainSeconds = 10
        configure(&$0)
    }
    defer { service.shutdown() }
    try body(TestServer(service: service, directory: directory.path))
}

/// Writes `models` (name → seed) into `directory` and starts a service on them: on 127.0.0.1 at an
/// ephemeral port, without a request log or a shutdown grace. Tests that drive `shutdown()`
/// themselves call this directly; the rest use `withServer`.
func startService(
    in directory: String, models: [String: UInt64] = ["default": 1], perSubject: Set<String> = [],
    configure: (inout ServiceConfiguration) -> Void
) throws -> Service {
    for (name, seed) in models {
        try TestModels.checkpoint(seed: seed, perSubject: perSubject.contains(name)).write(to: "\(directory)/\(name).safetensors")
    }
    var configuration = ServiceConfiguration()
    configuration.host = "127.0.0.1"
    configuration.port = 0
    configuration.modelsDirectory = directory
    configuration.logRequests = false
    configuration.shutdownGraceSeconds = 0
    configure(&configuration)
    let service = try buildService(configuration, logSink: { _ in })
    try service.start()
    return service
}

/// Deterministic windows in the DMER layout, as raw feature rows and as request JSON.
enum Windows {
    static let layout = InputLayout.dmer

    /// Raw features of window `index` (canonical flat order).
    static func features(_ index: Int) -> [Float] {
        var generator = SeededGenerator.derived(from: 17, UInt64(index))
        return (0..<layout.featureCount).map { _ in Float(generator.nextUnit() * 4 - 2) }
    }

    /// The nested request form: eeg [channels][bands], peripheral object of groups, face flat.
    static func nested(_ features: [Float]) -> JSON {
        let eeg = (0..<layout.eegChannels).map { c in
            JSON(numbers: features[(c * layout.eegBands)..<((c + 1) * layout.eegBands)])
        }
        var groups: [(key: String, value: JSON)] = []
        for (index, group) in layout.peripheralGroups.enumerated() {
            groups.append((group.name, JSON(numbers: features[layout.peripheralGroupRange(index)])))
        }
        return ["eeg": .array(eeg), "peripheral": .object(groups), "face": JSON(numbers: features[layout.faceRange])]
    }

    /// The flat request form: eeg channel-major, peripheral one array in group order.
    static func flat(_ features: [Float]) -> JSON {
        [
            "eeg": JSON(numbers: features[layout.eegRange]), "peripheral": JSON(numbers: features[layout.peripheralRange]),
            "face": JSON(numbers: features[layout.faceRange]),
        ]
    }

    static func body(_ indices: [Int], aggregate: Bool = false, flat: Bool = false) -> JSON {
        let windows = indices.map { flat ? Windows.flat(features($0)) : nested(features($0)) }
        return ["windows": .array(windows), "aggregate": .bool(aggregate)]
    }
}

/// The distributions of a `/predict` reply, row-major in label order.
func distributions(_ reply: TestResponse) -> [Float] {
    let labels = reply.json["labels"]?.arrayValue?.compactMap(\.stringValue) ?? []
    var out: [Float] = []
    for prediction in reply.json["predictions"]?.arrayValue ?? [] {
        for label in labels { out.append(Float(prediction["distribution"]?[label]?.doubleValue ?? .nan)) }
    }
    return out
}

func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
    guard a.count == b.count else { return .infinity }
    return zip(a, b).map { abs($0 - $1) }.max() ?? 0
}
