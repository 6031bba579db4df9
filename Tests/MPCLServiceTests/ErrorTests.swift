import Dispatch
import Foundation
import JSON
import MPCL
import TestSupport
import Testing

@testable import MPCLService

@Suite("Errors: status and JSON body", .serialized)
struct ErrorTests {
    /// The body of a well-formed window with one member replaced.
    func window(_ index: Int = 0, replacing key: String, with value: JSON?) throws -> JSON {
        var members = try #require(Windows.nested(Windows.features(index)).objectValue)
        members.removeAll { $0.key == key }
        if let value { members.append((key, value)) }
        return .object(members)
    }

    @Test func malformedJSONIs400() throws {
        try withServer { server in
            let client = try server.client()
            for text in ["{\"eeg\": NaN}", "{\"eeg\": [Infinity]}", "{", "", "[1,]"] {
                let reply = try client.request("POST", "/predict", body: Array(text.utf8))
                #expect(reply.status == 400, "\(text)")
                #expect(reply.errorCode == "malformed_json")
                #expect(reply.json["error"]?["message"]?.stringValue != nil)
            }
        }
    }

    @Test func numbersBeyondFloatAreNonFinite422() throws {
        try withServer { server in
            var text = Windows.body([0]).text
            text = text.replacingOccurrences(of: "\"face\":[", with: "\"face\":[1e39,")
            // Drop the last face value so the count still fits and the value itself is the problem.
            let body = try JSON.parse(text)
            var windows = body["windows"]!.arrayValue!
            var members = try #require(windows[0].objectValue)
            let face = members.first { $0.key == "face" }!.value.arrayValue!.dropLast()
            members.removeAll { $0.key == "face" }
            members.append(("face", .array(Array(face))))
            windows[0] = .object(members)
            let reply = try server.client().post("/predict", json: ["windows": .array(windows)])
            #expect(reply.status == 422)
            #expect(reply.errorCode == "non_finite")
            #expect(reply.errorField == "windows[0].face[0]")
        }
    }

    @Test func wrongShapesNameTheField() throws {
        try withServer { server in
            let client = try server.client()
            let shortEEG = JSON.array(Array(repeating: [1, 2, 3, 4, 5], count: 17))
            let body: JSON = ["windows": [Windows.nested(Windows.features(0)), try window(replacing: "eeg", with: shortEEG)]]
            let reply = try client.post("/predict", json: body)
            #expect(reply.status == 422)
            #expect(reply.errorCode == "invalid_shape")
            #expect(reply.errorField == "windows[1].eeg")
            #expect(reply.json["error"]?["message"]?.stringValue?.contains("17 rows") == true)

            let missing = try client.post("/predict", json: try window(replacing: "face", with: nil))
            #expect(missing.status == 422 && missing.errorCode == "missing_modality" && missing.errorField == "face")

            let group = try client.post(
                "/predict", json: try window(replacing: "peripheral", with: ["gsr": JSON(numbers: [Float](repeating: 0, count: 28))]))
            #expect(group.status == 422 && group.errorField == "peripheral.ppg")

            let wrongType = try client.post("/predict", json: try window(replacing: "eeg", with: "eeg"))
            #expect(wrongType.status == 422 && wrongType.errorCode == "invalid_type" && wrongType.errorField == "eeg")

            let empty = try client.post("/predict", json: ["windows": []])
            #expect(empty.status == 422 && empty.errorField == "windows")

            let notObject = try client.post("/predict", json: [1, 2])
            #expect(notObject.status == 422)
        }
    }

    @Test func tooManyWindowsAndTooLargeBodyAre413() throws {
        try withServer(configure: {
            $0.maxWindows = 3; $0.limits.maxBodyBytes = 200_000
        }) { server in
            let client = try server.client()
            let many = try client.post("/predict", json: Windows.body([0, 1, 2, 3]))
            #expect(many.status == 413 && many.errorCode == "payload_too_large" && many.errorField == "windows")
            let big = try server.client().request("POST", "/predict", body: [UInt8](repeating: 0x20, count: 300_000))
            #expect(big.status == 413)
            #expect(big.errorCode == "payload_too_large")
        }
    }

    @Test func contentTypeIsChecked() throws {
        try withServer { server in
            let client = try server.client()
            let body = Windows.body([0]).serialized()
            let wrong = try client.request("POST", "/predict", body: body, contentType: "text/plain")
            #expect(wrong.status == 415 && wrong.errorCode == "unsupported_media_type")
            let none = try client.request("POST", "/predict", body: body, contentType: nil)
            #expect(none.status == 415)
            let charset = try client.request("POST", "/predict", body: body, contentType: "Application/JSON; charset=utf-8")
            #expect(charset.status == 200)
            let brotli = try client.request("POST", "/predict", body: body, headers: [("Content-Encoding", "br")])
            #expect(brotli.status == 415)
        }
    }

    @Test func unknownPathsModelsAndMethods() throws {
        try withServer { server in
            let client = try server.client()
            let path = try client.get("/nope")
            #expect(path.status == 404 && path.errorCode == "not_found")
            let model = try client.post("/v1/models/ghost/predict", json: Windows.nested(Windows.features(0)))
            #expect(model.status == 404 && model.errorCode == "unknown_model")
            var body = Windows.nested(Windows.features(0))
            if case .object(var members) = body {
                members.append(("model", "ghost"))
                body = .object(members)
            }
            let byBody = try client.post("/predict", json: body)
            #expect(byBody.status == 404 && byBody.errorField == "model")
            #expect(try client.get("/v1/models/ghost").status == 404)
            let method = try client.get("/predict")
            #expect(method.status == 405 && method.header("Allow") == "POST" && method.errorCode == "method_not_allowed")
            let delete = try client.request("DELETE", "/healthz", body: nil, contentType: nil)
            #expect(delete.status == 405 && delete.header("Allow") == "GET, HEAD")
        }
    }

    @Test func protocolErrorsUseTheServiceShape() throws {
        try withServer(configure: { $0.limits.maxHeaderBytes = 1024 }) { server in
            let client = try server.client()
            let reply = try client.get("/healthz", headers: [("X-Big", String(repeating: "a", count: 2000))])
            #expect(reply.status == 431)
            #expect(reply.errorCode == "header_fields_too_large")
            #expect(reply.json["error"]?["field"] == .null)
            #expect(reply.header("X-Request-Id") != nil)
            let smuggle = try server.client()
            smuggle.send("POST /predict HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
            let refused = try smuggle.readResponse()
            #expect(refused.status == 400 && refused.errorCode == "bad_request")
        }
    }

    @Test func fullQueueAnswers503WithRetryAfter() throws {
        try withServer(configure: {
            $0.queueCapacity = 1; $0.workers = 1; $0.maxDelayMilliseconds = 0
        }) { server in
            let gate = WorkerGate(server.service.batcher)
            let group = DispatchGroup()
            let statuses = Mutex<[Int]>([])
            // Whatever happens below, the worker is let go and the clients are waited for (bounded):
            // a worker left on the gate would keep the teardown's drain waiting.
            defer {
                gate.open(workers: 2)
                _ = group.wait(timeout: .now() + 60)
            }
            // The first request occupies the only worker, the second fills the queue.
            for index in 0..<2 {
                group.enter()
                onOwnThread {
                    defer { group.leave() }
                    let status = (try? server.client().post("/predict", json: Windows.body([index])).status) ?? -1
                    statuses.update { $0.append(status) }
                }
                if index == 0 { try #require(gate.workerArrived(), "the first request never reached the worker") }
            }
            #expect(eventually(timeout: 30) { server.service.batcher.depth == 1 })
            let refused = try server.client().post("/predict", json: Windows.body([9]))
            #expect(refused.status == 503)
            #expect(refused.header("Retry-After") == "1")
            #expect(refused.errorCode == "overloaded")
            gate.open(workers: 2)
            #expect(group.wait(timeout: .now() + 60) == .success)
            #expect(statuses.value == [200, 200])
        }
    }
}
