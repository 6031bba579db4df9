import Dispatch
import Foundation
import JSON
import Testing

@testable import MPCLService

@Suite("Health, readiness, drain, metrics", .serialized)
struct LifecycleTests {
    @Test func healthAndReadiness() throws {
        try withServer { server in
            let client = try server.client()
            let health = try client.get("/healthz")
            #expect(health.status == 200 && health.json["status"] == "ok")
            let ready = try client.get("/readyz")
            #expect(ready.status == 200 && ready.json["model"]?["name"] == "default")
            let head = try client.request("HEAD", "/healthz", body: nil, contentType: nil)
            #expect(head.status == 200 && head.body.isEmpty)
        }
    }

    @Test func shutdownDrainsAnInFlightRequest() throws {
        let directory = TestModels.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try TestModels.checkpoint(seed: 1).write(to: "\(directory)/default.safetensors")
        var configuration = ServiceConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.modelsDirectory = directory
        configuration.logRequests = false
        let service = try buildService(configuration, logSink: { _ in })
        try service.start()
        let gate = DispatchSemaphore(value: 0)
        let entered = DispatchSemaphore(value: 0)
        service.batcher.beforeInference = {
            entered.signal()
            gate.wait()
        }
        let port = service.port
        let observer = try Client(port: port)
        let inFlight = Mutex<Int?>(nil)
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            inFlight.update { $0 = (try? Client(port: port).post("/predict", json: Windows.body([0])))?.status }
            done.signal()
        }
        entered.wait()
        let drained = Mutex<Bool?>(nil)
        DispatchQueue.global().async { drained.update { $0 = service.shutdown() } }
        #expect(eventually { service.isDraining })
        #expect(!service.isReady)
        // New connections are refused once the listener is closed.
        #expect(eventually { (try? Client(port: port)) == nil })
        _ = observer
        gate.signal()
        done.wait()
        #expect(inFlight.value == 200)
        #expect(eventually { drained.value == true })
    }

    @Test func readinessIs503WhileDraining() throws {
        try withServer { server in
            let client = try server.client()
            #expect(try client.get("/readyz").status == 200)
            server.service.markDrainingForTesting()
            let reply = try client.get("/readyz")
            #expect(reply.status == 503 && reply.errorCode == "not_ready" && reply.header("Retry-After") == "1")
            #expect(try client.get("/v2/health/ready").status == 503)
            #expect(try client.get("/healthz").status == 200)
        }
    }

    @Test func metricsExposeTheExpectedSeries() throws {
        try withServer { server in
            let client = try server.client()
            _ = try client.post("/predict", json: Windows.body([0, 1]))
            _ = try client.get("/nope")
            let reply = try client.get("/metrics")
            #expect(reply.status == 200)
            #expect(reply.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
            let text = reply.text
            for series in [
                "mpcl_http_requests_total{route=\"/predict\",method=\"POST\",status=\"200\"} 1",
                "mpcl_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"} 1",
                "mpcl_http_request_duration_seconds_bucket{route=\"/predict\",le=\"+Inf\"} 1",
                "mpcl_queue_wait_seconds_count 1",
                "mpcl_inference_duration_seconds_count 1",
                "mpcl_batch_size_bucket{le=\"2\"} 1",
                "mpcl_windows_total 2",
                "mpcl_open_connections 1",
                "mpcl_queue_depth 0",
                "mpcl_ready 1",
                "mpcl_model_loads_total{model=\"default\",result=\"success\"} 1",
                "mpcl_reloads_total{trigger=\"startup\",result=\"ok\"} 1",
                "# TYPE mpcl_http_request_duration_seconds histogram",
            ] {
                #expect(text.contains(series), "\(series)")
            }
            #expect(text.contains("mpcl_model_info{model=\"default\",version=\""))
            #expect(text.contains("sha256=\"" + (try client.get("/v1/models/default").json["sha256"]?.stringValue ?? "?") + "\"} 1"))
        }
    }

    @Test func requestLogHasOneJSONLinePerRequest() throws {
        let lines = Mutex<[String]>([])
        let log = RequestLog(logRequests: true, sink: { bytes in lines.update { $0.append(String(decoding: bytes, as: UTF8.self)) } })
        log.request(method: "POST", path: "/predict", status: 200, durationSeconds: 0.0012345, bytes: 99, requestId: "r1")
        let line = try #require(lines.value.first)
        #expect(line.hasSuffix("\n"))
        let json = try JSON.parse(line)
        #expect(json["method"] == "POST" && json["path"] == "/predict" && json["status"] == 200)
        #expect(json["duration_ms"] == 1.235 && json["bytes"] == 99 && json["request_id"] == "r1")
    }
}
