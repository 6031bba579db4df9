import Dispatch
import Foundation
import JSON
import MPCL
import TestSupport
import Testing

@testable import MPCLService

@Suite("Models, hot reload and admin", .serialized)
struct ModelRepositoryTests {
    @Test func listsModelsWithMetadata() throws {
        try withServer(models: ["default": 1, "second": 2]) { server in
            let client = try server.client()
            let list = try client.get("/v1/models")
            #expect(list.status == 200)
            #expect(list.json["default"] == "default")
            #expect(list.json["models"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["default", "second"])
            let one = try client.get("/v1/models/second")
            #expect(one.status == 200)
            let json = one.json
            #expect(json["labels"]?.arrayValue?.count == 10)
            #expect(json["labels"]?.arrayValue?.first?["valence"] == 1)
            #expect(json["input"]?["eeg"]?["channels"] == 18)
            #expect(json["input"]?["feature_count"] == 913)
            #expect((json["parameter_count"]?.intValue ?? 0) > 1000)
            #expect(json["sha256"]?.stringValue?.count == 64)
            #expect(json["loaded_at"]?.stringValue?.hasSuffix("Z") == true)
            #expect(json["training"]?["metrics"]?["test"]?["f1_macro"] == 0.5)
            #expect(json["per_subject_normalization"] == false)
        }
    }

    @Test func hotReloadUnderConcurrentRequestsFailsNothing() throws {
        try withServer(configure: { $0.adminToken = "s3cret" }) { server in
            let before = try server.client().get("/v1/models/default").json["sha256"]
            let stop = Mutex(false)
            let failures = Mutex(0)
            let served = Mutex(0)
            let group = DispatchGroup()
            // However the body exits (a failed `try` included), the client loops stop and are waited for.
            defer {
                stop.update { $0 = true }
                _ = group.wait(timeout: .now() + 60)
            }
            for worker in 0..<4 {
                group.enter()
                onOwnThread {
                    defer { group.leave() }
                    guard let client = try? server.client() else { return failures.add(1) }
                    while !stop.value {
                        let reply = try? client.post("/predict", json: Windows.body([worker]))
                        if reply?.status == 200 { served.add(1) } else { failures.add(1) }
                    }
                }
            }
            for seed in 10..<14 {
                try TestModels.checkpoint(seed: UInt64(seed)).write(to: "\(server.directory)/default.safetensors")
                let reply = try server.client().request("POST", "/admin/reload", body: nil, headers: [("Authorization", "Bearer s3cret")])
                #expect(reply.status == 200)
                #expect(reply.json["loaded"]?.arrayValue?.count == 1)
                #expect(reply.json["failed"]?.arrayValue?.isEmpty == true)
            }
            #expect(eventually(timeout: 60) { served.value > 20 })
            stop.update { $0 = true }
            #expect(group.wait(timeout: .now() + 60) == .success)
            #expect(failures.value == 0)
            let after = try server.client().get("/v1/models/default").json["sha256"]
            #expect(after != before)
            // The answers now come from the new file.
            let features = Windows.features(3)
            let reply = try server.client().post("/predict", json: Windows.nested(features))
            #expect(maxDifference(distributions(reply), try server.predictor().distributions(rawFeatures: features, rows: 1)) <= 1e-6)
        }
    }

    @Test func corruptOrIncompatibleCheckpointIsRefusedAndTheOldModelKeepsServing() throws {
        try withServer(configure: { $0.adminToken = "t" }) { server in
            let reference = try server.predictor()
            let path = "\(server.directory)/default.safetensors"
            var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            bytes.removeLast(1000)
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let reply = try server.client().request("POST", "/admin/reload", body: nil, headers: [("Authorization", "Bearer t")])
            #expect(reply.status == 200)
            let failed = reply.json["failed"]?.arrayValue ?? []
            #expect(failed.count == 1)
            #expect(failed.first?["file"] == "default.safetensors")
            #expect((failed.first?["reason"]?.stringValue ?? "").isEmpty == false)
            let features = Windows.features(2)
            let predicted = try server.client().post("/predict", json: Windows.nested(features))
            #expect(predicted.status == 200)
            #expect(maxDifference(distributions(predicted), reference.distributions(rawFeatures: features, rows: 1)) <= 1e-6)

            try TestModels.checkpoint(seed: 5, layout: .emotionDictSample).write(to: path)
            let incompatible = server.service.reload(trigger: "signal")
            #expect(incompatible.failed.first?.reason.contains("layout") == true)
            #expect(try server.client().get("/readyz").status == 200)
        }
    }

    @Test func newAndRemovedFilesAreNoticed() throws {
        try withServer(models: ["default": 1, "gone": 2]) { server in
            try TestModels.checkpoint(seed: 3).write(to: "\(server.directory)/fresh.safetensors")
            try FileManager.default.removeItem(atPath: "\(server.directory)/gone.safetensors")
            let report = server.service.reload(trigger: "signal")
            #expect(report.loaded.map(\.name) == ["fresh"])
            #expect(report.removed == ["gone"])
            #expect(report.unchanged == ["default"])
            #expect(try server.client().get("/v1/models/gone").status == 404)
            #expect(try server.client().get("/v1/models/fresh").status == 200)
        }
    }

    @Test func adminReloadNeedsTheBearerToken() throws {
        try withServer(configure: { $0.adminToken = "right" }) { server in
            let client = try server.client()
            let none = try client.request("POST", "/admin/reload", body: nil)
            #expect(none.status == 401 && none.errorCode == "unauthorized")
            #expect(none.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
            let wrong = try client.request("POST", "/admin/reload", body: nil, headers: [("Authorization", "Bearer wrong")])
            #expect(wrong.status == 401)
            let prefix = try client.request("POST", "/admin/reload", body: nil, headers: [("Authorization", "Bearer righ")])
            #expect(prefix.status == 401)
            let basic = try client.request("POST", "/admin/reload", body: nil, headers: [("Authorization", "Basic right")])
            #expect(basic.status == 401)
            let ok = try client.request("POST", "/admin/reload", body: nil, headers: [("Authorization", "bearer right")])
            #expect(ok.status == 200 && ok.json["unchanged"] == ["default"])
        }
    }

    @Test func adminReloadIsDisabledWithoutAToken() throws {
        try withServer { server in
            let reply = try server.client().request("POST", "/admin/reload", body: nil, headers: [("Authorization", "Bearer x")])
            #expect(reply.status == 404)
        }
    }

    @Test func builtInDefaultServesWithoutAModelDirectory() throws {
        var configuration = ServiceConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.logRequests = false
        let service = try buildService(configuration, logSink: { _ in })
        try service.start()
        defer { service.shutdown() }
        let client = try TestClient(port: service.port)
        #expect(try client.get("/readyz").status == 200)
        let reply = try client.post("/predict", json: Windows.nested(Windows.features(0)))
        #expect(reply.status == 200)
        #expect(reply.json["model"]?["name"] == "default")
        let path = try #require(ModelRepository.builtInCheckpointPath)
        let checkpoint = try Checkpoint.read(from: path)
        #expect(checkpoint.model.config.layout == .dmer)
    }

    @Test func startupFailsClearlyWithoutLoadableModels() throws {
        let directory = try TemporaryDirectory("service")
        defer { directory.remove() }
        var configuration = ServiceConfiguration()
        configuration.modelsDirectory = directory.path
        #expect(throws: ServiceSetupError.self) { try buildService(configuration, logSink: { _ in }) }
        try TestModels.checkpoint(seed: 1).write(to: directory.file("a.safetensors"))
        configuration.defaultModel = "b"
        #expect(throws: ServiceSetupError.self) { try buildService(configuration, logSink: { _ in }) }
        configuration.defaultModel = nil
        configuration.maxBatch = 0
        #expect(throws: ServiceSetupError.self) { try buildService(configuration, logSink: { _ in }) }
    }
}
