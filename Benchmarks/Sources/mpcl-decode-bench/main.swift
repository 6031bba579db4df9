import EmotionVocabulary
import Foundation
import JSON
import MPCL
import Timekeeping

@testable import MPCLService

/// Request decoding speed: `/predict` and V2 `infer` bodies (JSON, flat `data`) of 1, 64 and 1024
/// windows of the examples' real values → the feature buffer, with the default checkpoint's layout.
/// Median wall time per body over repeated decodes, one line of JSON per body, with the median of
/// `JSON.parse` alone on the same body (`json_parse_ms`: what the tree decoders paid before any
/// checks, a floor under their time). Decoders are internal
/// to MPCLService, so build with testing enabled:
///
///   cd Benchmarks && swift build -c release --scratch-path ../.build-decode-bench -Xswiftc -enable-testing \
///     --product mpcl-decode-bench
///   ../.build-decode-bench/release/mpcl-decode-bench --checkpoint ../Sources/MPCLService/Resources/default.safetensors
///
/// (Its own scratch path: `-enable-testing` changes how every module is compiled, and `mpcl-bench`
/// in `.build-bench` is measured without it.)
///
/// The numbers are for before/after ratios measured side by side (docs/PERFORMANCE.md), never
/// for tests.
func option(_ name: String, _ fallback: String) -> String {
    let all = Array(CommandLine.arguments)
    if let i = all.firstIndex(of: name), i + 1 < all.count { return all[i + 1] }
    return fallback
}

func now() -> Double { Double(monotonicNanos()) / 1e9 }

/// Median of timed runs: at least 5, then until `seconds` have passed.
func medianSeconds(seconds: Double, _ body: () -> Void) -> Double {
    body()
    var samples: [Double] = []
    let deadline = now() + seconds
    while samples.count < 5 || now() < deadline {
        let start = now()
        body()
        samples.append(now() - start)
    }
    return samples.sorted()[samples.count / 2]
}

let checkpoint: Checkpoint
do {
    checkpoint = try Checkpoint.read(from: option("--checkpoint", "Sources/MPCLService/Resources/default.safetensors"))
} catch {
    fatalError("\(error)")
}
let model = LoadedModel(name: "default", path: nil, checkpoint: checkpoint, sha256: String(repeating: "0", count: 64))
let layout = model.layout
let seconds = Double(option("--seconds", "2")) ?? 2

/// The examples' windows, flat in the model's feature order.
let examples: [[Float]] = {
    var rows: [[Float]] = []
    let directory = option("--examples", "examples")
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
    for name in names {
        guard let data = FileManager.default.contents(atPath: directory + "/" + name), let body = try? JSON.parse(Array(data)) else {
            continue
        }
        let windows = body["windows"]?.arrayValue ?? [body]
        for window in windows {
            if let features = try? decodePredict(JSON.object([("windows", .array([window]))]).serialized()) { rows.append(features) }
        }
    }
    guard !rows.isEmpty else { fatalError("no usable windows in \(directory) (run from the repository root or pass --examples)") }
    return rows
}()

func predictBody(_ count: Int) -> [UInt8] {
    let windows: [JSON] = (0..<count).map { index in
        let row = examples[index % examples.count]
        return [
            "eeg": JSON(numbers: row[layout.eegRange]), "peripheral": JSON(numbers: row[layout.peripheralRange]),
            "face": JSON(numbers: row[layout.faceRange]),
        ]
    }
    return JSON.object([("windows", .array(windows))]).serialized()
}

func v2Body(_ count: Int) -> [UInt8] {
    let rows = (0..<count).map { examples[$0 % examples.count] }
    func tensor(_ name: String, _ shape: [Int], _ range: Range<Int>) -> JSON {
        [
            "name": .string(name), "datatype": "FP32", "shape": .array(shape.map { .number(Double($0)) }),
            "data": JSON(numbers: rows.flatMap { $0[range] }),
        ]
    }
    return JSON.object([
        (
            "inputs",
            [
                tensor("eeg", [count, layout.eegChannels, layout.eegBands], layout.eegRange),
                tensor("peripheral", [count, layout.peripheralDims], layout.peripheralRange),
                tensor("face", [count, layout.faceDims], layout.faceRange),
            ]
        )
    ]).serialized()
}

/// The V2 decode being measured: body bytes → features.
func decodeV2(_ bytes: [UInt8]) throws(ServiceError) -> [Float] {
    try bytes.withUnsafeBufferPointer { buffer throws(ServiceError) in
        try V2InferDecoder(target: model, maxWindows: 1024).decode(buffer, headerLength: buffer.count).features
    }
}

func decodePredict(_ bytes: [UInt8]) throws(ServiceError) -> [Float] {
    try bytes.withUnsafeBufferPointer { buffer throws(ServiceError) in
        try PredictRequestDecoder(maxWindows: 1024).decode(buffer, pathModel: nil) { _ throws(ServiceError) in model }.features
    }
}

for windows in [1, 64, 1024] {
    for (endpoint, body, decode) in [
        ("predict", predictBody(windows), decodePredict), ("v2", v2Body(windows), decodeV2),
    ] as [(String, [UInt8], ([UInt8]) throws(ServiceError) -> [Float])] {
        do {
            let features = try decode(body)
            precondition(features.count == windows * layout.featureCount)
        } catch {
            fatalError("\(endpoint) body of \(windows) windows refused: \(error)")
        }
        let median = medianSeconds(seconds: seconds) { _ = try? decode(body) }
        // The tree decoders the streaming ones replaced start with `JSON.parse` of the whole body;
        // its time alone is a floor under theirs, measured here on the same body for the ratio.
        let parse = medianSeconds(seconds: seconds) { _ = try? JSON.parse(body) }
        print(
            "{\"endpoint\": \"\(endpoint)\", \"windows\": \(windows), \"bytes\": \(body.count), \"median_ms\": \(String(format: "%.4f", median * 1e3)), \"mb_per_s\": \(String(format: "%.1f", Double(body.count) / median / 1e6)), \"json_parse_ms\": \(String(format: "%.4f", parse * 1e3))}"
        )
    }
}
