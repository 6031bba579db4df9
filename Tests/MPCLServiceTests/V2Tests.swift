import EmotionVocabulary
import Foundation
import JSON
import MPCL
import TestSupport
import Testing

@testable import MPCLService

@Suite("Open Inference Protocol (V2)", .serialized)
struct V2Tests {
    static func inferBody(_ indices: [Int], nestedData: Bool = false) -> JSON {
        let layout = InputLayout.dmer
        let rows = indices.map(Windows.features)
        func tensor(_ name: String, _ shape: [Int], _ range: Range<Int>) -> JSON {
            let data: JSON =
                nestedData
                ? .array(rows.map { JSON(numbers: $0[range]) })
                : JSON(numbers: rows.flatMap { $0[range] })
            return ["name": .string(name), "datatype": "FP32", "shape": .array(shape.map { .number(Double($0)) }), "data": data]
        }
        return [
            "id": "req-1",
            "inputs": [
                tensor("eeg", [rows.count, layout.eegChannels, layout.eegBands], layout.eegRange),
                tensor("peripheral", [rows.count, layout.peripheralDims], layout.peripheralRange),
                tensor("face", [rows.count, layout.faceDims], layout.faceRange),
            ],
        ]
    }

    @Test func inferRoundTripMatchesPredictor() throws {
        try withServer { server in
            let client = try server.client()
            let reply = try client.post("/v2/models/default/infer", json: Self.inferBody([0, 1, 2]))
            #expect(reply.status == 200)
            #expect(reply.json["model_name"] == "default" && reply.json["id"] == "req-1")
            let output = try #require(reply.json["outputs"]?.arrayValue?.first)
            #expect(output["name"] == "distribution" && output["datatype"] == "FP32" && output["shape"] == [3, 10])
            let data = output["data"]?.arrayValue?.compactMap { $0.doubleValue.map(Float.init) } ?? []
            let expected = try server.predictor().distributions(rawFeatures: [0, 1, 2].flatMap(Windows.features), rows: 3)
            #expect(maxDifference(data, expected) <= 1e-6)
            let nested = try client.post("/v2/models/default/infer", json: Self.inferBody([0, 1, 2], nestedData: true))
            #expect(nested.json["outputs"] == reply.json["outputs"])
        }
    }

    /// Regression (found by schemathesis): dimensions each within bounds whose product overflows Int
    /// trapped the server. They are a 400 now (the protocol's status for bad requests), and the
    /// server keeps serving.
    @Test func shapesWhoseProductOverflowsAreRefused() throws {
        try withServer { server in
            let huge: JSON = .array([3_954_556, 144, 11_702_326, 361_977].map { .number($0) })
            let body: JSON = [
                "inputs": [["name": "eeg", "datatype": "FP32", "shape": huge, "data": []]]
            ]
            let client = try server.client()
            let reply = try client.post("/v2/models/default/infer", json: body)
            #expect(reply.status == 400)
            #expect(try JSON.parse(reply.body)["error"]?.stringValue != nil)
            #expect(try client.get("/healthz").status == 200)
        }
    }

    @Test func metadataHealthAndErrorsInTheProtocolShape() throws {
        try withServer { server in
            let client = try server.client()
            #expect(try client.get("/v2/health/live").json["live"] == true)
            #expect(try client.get("/v2/health/ready").json["ready"] == true)
            #expect(try client.get("/v2").json["name"] == "mpcl-serve")
            let metadata = try client.get("/v2/models/default")
            #expect(metadata.json["inputs"]?.arrayValue?.map { $0["name"] } == ["eeg", "peripheral", "face"])
            #expect(metadata.json["inputs"]?.arrayValue?.first?["shape"] == [-1, 18, 5])
            #expect(metadata.json["outputs"]?.arrayValue?.first?["shape"] == [-1, 10])
            #expect(try client.get("/v2/models/default/ready").json["ready"] == true)
            let unknown = try client.get("/v2/models/ghost/ready")
            #expect(unknown.status == 404 && unknown.json["error"]?.stringValue != nil)
            var body = Self.inferBody([0])
            if case .object(var members) = body, case .array(var inputs) = members[1].value {
                inputs.removeLast()
                members[1].value = .array(inputs)
                body = .object(members)
            }
            let missing = try client.post("/v2/models/default/infer", json: body)
            #expect(missing.status == 400)
            #expect(missing.json["error"]?.stringValue?.contains("face") == true)
            let malformed = try client.request("POST", "/v2/models/default/infer", body: Array("{".utf8))
            #expect(malformed.status == 400 && malformed.json["error"]?.stringValue != nil)
        }
    }
}
