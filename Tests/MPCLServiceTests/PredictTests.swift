import Compression
import Dispatch
import EmotionVocabulary
import Foundation
import JSON
import MPCL
import TestSupport
import Testing

@testable import MPCLService

@Suite("POST /predict", .serialized)
struct PredictTests {
    @Test func singleWindowMatchesInProcessPredictor() throws {
        try withServer { server in
            let features = Windows.features(0)
            let reply = try server.client().post("/predict", json: Windows.nested(features))
            #expect(reply.status == 200)
            #expect(reply.header("Content-Type") == "application/json")
            let expected = try server.predictor().distributions(rawFeatures: features, rows: 1)
            #expect(maxDifference(distributions(reply), expected) <= 1e-6)
            let labels = LabelSet.panas
            #expect(reply.json["labels"] == JSON(strings: labels.names))
            #expect(reply.json["model"]?["name"] == "default")
            #expect(reply.json["model"]?["sha256"]?.stringValue?.count == 64)
            let prediction = reply.json["predictions"]?.arrayValue?.first
            let best = expected.indices.max { expected[$0] < expected[$1] }!
            #expect(prediction?["dominant"]?.stringValue == labels.names[best])
            let positive = zip(expected, labels.valence).filter { $0.1 > 0 }.reduce(0.0) { $0 + Double($1.0) }
            #expect(abs((prediction?["valence"]?["positive"]?.doubleValue ?? 0) - positive) <= 1e-6)
            #expect(abs(distributions(reply).reduce(0.0) { $0 + Double($1) } - 1) <= 1e-6)
            #expect(reply.json["aggregate"] == nil)
        }
    }

    @Test func batchOfWindowsAndAggregate() throws {
        try withServer { server in
            let indices = Array(0..<5)
            let reply = try server.client().post("/predict", json: Windows.body(indices, aggregate: true))
            #expect(reply.status == 200)
            let raw = indices.flatMap(Windows.features)
            let expected = try server.predictor().distributions(rawFeatures: raw, rows: indices.count)
            let got = distributions(reply)
            #expect(maxDifference(got, expected) <= 1e-6)
            for row in 0..<indices.count {
                let sum = got[(row * 10)..<((row + 1) * 10)].reduce(0.0) { $0 + Double($1) }
                #expect(abs(sum - 1) <= 1e-6)
                #expect(got[(row * 10)..<((row + 1) * 10)].allSatisfy { $0 >= 0 && $0.isFinite })
            }
            let aggregate = reply.json["aggregate"]?["distribution"]
            for (c, label) in LabelSet.panas.names.enumerated() {
                let mean = (0..<indices.count).reduce(0.0) { $0 + Double(expected[$1 * 10 + c]) } / Double(indices.count)
                #expect(abs((aggregate?[label]?.doubleValue ?? -1) - mean) <= 1e-6)
            }
        }
    }

    @Test func nestedAndFlatShapesGiveIdenticalAnswers() throws {
        try withServer { server in
            let client = try server.client()
            let nested = try client.post("/predict", json: Windows.body([3, 4]))
            let flat = try client.post("/predict", json: Windows.body([3, 4], flat: true))
            #expect(nested.status == 200 && flat.status == 200)
            #expect(distributions(nested) == distributions(flat))
        }
    }

    @Test(arguments: [0.0, 5.0])
    func concurrentClientsMatchPredictorWithBatchingOnAndOff(delay: Double) throws {
        try withServer(configure: {
            $0.maxDelayMilliseconds = delay; $0.maxBatch = 8
        }) { server in
            let predictor = try server.predictor()
            let failures = Mutex(0)
            #expect(
                concurrently(12) { worker in
                    guard let client = try? server.client() else { return failures.add(1) }
                    for round in 0..<4 {
                        let indices = Array((worker * 10 + round)..<(worker * 10 + round + 1 + (worker + round) % 3))
                        guard let reply = try? client.post("/predict", json: Windows.body(indices)), reply.status == 200 else {
                            return failures.add(1)
                        }
                        let expected = predictor.distributions(rawFeatures: indices.flatMap(Windows.features), rows: indices.count)
                        if maxDifference(distributions(reply), expected) > 1e-6 { failures.add(1) }
                    }
                })
            #expect(failures.value == 0)
        }
    }

    @Test func requestsLargerThanMaxBatchAreSplitAndReassembled() throws {
        try withServer(configure: { $0.maxBatch = 4 }) { server in
            let indices = Array(0..<11)
            let reply = try server.client().post("/predict", json: Windows.body(indices))
            #expect(reply.status == 200)
            let expected = try server.predictor().distributions(rawFeatures: indices.flatMap(Windows.features), rows: 11)
            #expect(maxDifference(distributions(reply), expected) <= 1e-6)
        }
    }

    @Test func modelChosenByBodyOrPath() throws {
        try withServer(models: ["default": 1, "other": 2]) { server in
            let client = try server.client()
            let features = Windows.features(7)
            var body = Windows.nested(features)
            if case .object(var members) = body {
                members.append(("model", "other"))
                body = .object(members)
            }
            let byBody = try client.post("/predict", json: body)
            let byPath = try client.post("/v1/models/other/predict", json: Windows.nested(features))
            let expected = try server.predictor("other").distributions(rawFeatures: features, rows: 1)
            #expect(byBody.json["model"]?["name"] == "other")
            #expect(byPath.json["model"]?["name"] == "other")
            #expect(maxDifference(distributions(byBody), expected) <= 1e-6)
            #expect(maxDifference(distributions(byPath), expected) <= 1e-6)
        }
    }

    @Test func pipelinedRequestsAnswerInOrder() throws {
        try withServer { server in
            let client = try server.client()
            var bytes: [UInt8] = []
            for index in 0..<3 {
                bytes += TestClient.encode(
                    "POST", "/predict", body: Windows.body([index]).serialized(), headers: [("X-Request-Id", "pipe-\(index)")])
            }
            client.send(bytes)
            let predictor = try server.predictor()
            for index in 0..<3 {
                let reply = try client.readResponse()
                #expect(reply.status == 200)
                #expect(reply.header("X-Request-Id") == "pipe-\(index)")
                let expected = predictor.distributions(rawFeatures: Windows.features(index), rows: 1)
                #expect(maxDifference(distributions(reply), expected) <= 1e-6)
            }
        }
    }

    @Test func chunkedRequestBody() throws {
        try withServer { server in
            let client = try server.client()
            let body = Windows.body([1, 2]).serialized()
            var bytes = Array(
                "POST /predict HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
            var offset = 0
            while offset < body.count {
                let size = min(1000, body.count - offset)
                bytes += Array((String(size, radix: 16) + "\r\n").utf8) + body[offset..<(offset + size)] + [13, 10]
                offset += size
            }
            bytes += Array("0\r\n\r\n".utf8)
            client.send(bytes)
            let reply = try client.readResponse()
            #expect(reply.status == 200)
            #expect(reply.json["predictions"]?.arrayValue?.count == 2)
        }
    }

    @Test func gzipRequestBodyAndGzipResponse() throws {
        try withServer { server in
            let client = try server.client()
            let body = try Deflate.gzip(Windows.body([1, 2, 3]).serialized())
            let reply = try client.request(
                "POST", "/predict", body: body, headers: [("Content-Encoding", "gzip"), ("Accept-Encoding", "br;q=1, gzip;q=0.5")])
            #expect(reply.status == 200)
            #expect(reply.header("Content-Encoding") == "gzip")
            let plain = try Inflate.gzip(reply.body, maximumOutputSize: 1 << 20)
            let json = try JSON.parse(plain)
            #expect(json["predictions"]?.arrayValue?.count == 3)
            let uncompressed = try client.post("/predict", json: Windows.body([1, 2, 3]))
            #expect(uncompressed.header("Content-Encoding") == nil)
            #expect(uncompressed.json == json)
        }
    }

    @Test func gzipBombIsRefusedWith413() throws {
        try withServer(configure: { $0.limits.maxBodyBytes = 64 << 10 }) { server in
            let bomb = try Deflate.gzip([UInt8](repeating: 0x20, count: 4 << 20))
            #expect(bomb.count < 64 << 10)
            let reply = try server.client().request("POST", "/predict", body: bomb, headers: [("Content-Encoding", "gzip")])
            #expect(reply.status == 413)
            #expect(reply.errorCode == "payload_too_large")
        }
    }

    @Test func requestIdIsEchoedWhenSaneAndGeneratedOtherwise() throws {
        try withServer { server in
            let client = try server.client()
            #expect(try client.get("/healthz", headers: [("X-Request-Id", "abc-123")]).header("X-Request-Id") == "abc-123")
            let generated = try client.get("/healthz", headers: [("X-Request-Id", "has space;and<script>")]).header("X-Request-Id")
            #expect(generated?.count == 32 && generated != "bad id")
            #expect(try client.get("/healthz").header("X-Request-Id")?.count == 32)
        }
    }
}
