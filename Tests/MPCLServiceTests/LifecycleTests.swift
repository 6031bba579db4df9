import Dispatch
import Foundation
import JSON
import TestSupport
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
        let directory = try TemporaryDirectory("service")
        defer { directory.remove() }
        let service = try startService(in: directory.path) { $0.drainSeconds = 30 }
        let gate = WorkerGate(service.batcher)
        let done = DispatchSemaphore(value: 0)
        let drainedSignal = DispatchSemaphore(value: 0)
        defer {
            gate.open()  // whatever failed, the worker and the shutdown are released and waited for
            _ = done.wait(timeout: .now() + 60)
            _ = drainedSignal.wait(timeout: .now() + 60)
        }
        let port = service.port
        let inFlight = Mutex<Int?>(nil)
        onOwnThread {
            defer { done.signal() }
            inFlight.update { $0 = (try? TestClient(port: port).post("/predict", json: Windows.body([0])))?.status }
        }
        try #require(gate.workerArrived(), "the request never reached the worker")
        let drained = Mutex<Bool?>(nil)
        onOwnThread {
            defer { drainedSignal.signal() }
            drained.update { $0 = service.shutdown() }
        }
        #expect(eventually { service.isDraining })
        #expect(!service.isReady)
        // New connections are refused once the listener is closed.
        #expect(eventually { (try? TestClient(port: port)) == nil })
        gate.open()
        #expect(eventually { inFlight.value != nil })
        #expect(inFlight.value == 200)
        #expect(eventually { drained.value == true })
    }

    @Test func drainCutOffAnswersQueuedWork503AndReportsIt() throws {
        let directory = try TemporaryDirectory("service")
        defer { directory.remove() }
        let service = try startService(in: directory.path) {
            $0.drainSeconds = 0.3
            $0.workers = 1
            $0.maxDelayMilliseconds = 0
        }
        let gate = WorkerGate(service.batcher)
        let group = DispatchGroup()
        let statuses = Mutex<[Int: Int]>([:])
        defer {
            gate.open()  // the stuck worker is released whatever happened
            _ = group.wait(timeout: .now() + 60)
        }
        let port = service.port
        for index in 0..<2 {
            group.enter()
            onOwnThread {
                defer { group.leave() }
                let status = (try? TestClient(port: port).post("/predict", json: Windows.body([index])))?.status ?? -1
                statuses.update { $0[index] = status }
            }
            // The first request holds the only worker; the second waits in the queue.
            if index == 0 { try #require(gate.workerArrived()) }
        }
        #expect(eventually { service.batcher.depth == 1 })
        // The worker never finishes within the drain period: the queued request is answered 503,
        // the one inside the forward pass is cut off, and shutdown says it did not drain.
        #expect(service.shutdown() == false)
        #expect(group.wait(timeout: .now() + 60) == .success)
        #expect(statuses.value[1] == 503)
        #expect(statuses.value[0] == -1)
    }

    @Test func readinessTurns503DuringTheShutdownGraceWhileTheListenerStaysOpen() throws {
        let directory = try TemporaryDirectory("service")
        defer { directory.remove() }
        let service = try startService(in: directory.path) { $0.shutdownGraceSeconds = 1 }
        let port = service.port
        let stopped = DispatchSemaphore(value: 0)
        defer { _ = stopped.wait(timeout: .now() + 60) }
        onOwnThread {
            defer { stopped.signal() }
            service.shutdown()
        }
        #expect(eventually { service.isDraining })
        // Still accepting: a new connection gets the draining 503 rather than a refused connect.
        let reply = try TestClient(port: port).get("/readyz")
        #expect(reply.status == 503 && reply.errorCode == "not_ready" && reply.header("Retry-After") == "1")
        #expect(eventually { (try? TestClient(port: port)) == nil })
    }

    @Test func headAnswersWithExactlyTheHeadersOfGet() throws {
        try withServer { server in
            let client = try server.client()
            let encodings: [[(String, String)]] = [[], [("Accept-Encoding", "gzip")]]
            for path in ["/", "/healthz", "/v1/models/default"] {
                for encoding in encodings {
                    let get = try client.get(path, headers: encoding)
                    let head = try client.request("HEAD", path, body: nil, contentType: nil, headers: encoding)
                    let ignored: Set<String> = ["date", "x-request-id"]
                    let getFields = get.headers.filter { !ignored.contains($0.0.lowercased()) }
                    let headFields = head.headers.filter { !ignored.contains($0.0.lowercased()) }
                    #expect(getFields.map { "\($0.0): \($0.1)" } == headFields.map { "\($0.0): \($0.1)" }, "\(path) \(encoding)")
                    #expect(head.status == get.status && head.body.isEmpty)
                }
            }
        }
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
            let text = reply.bodyString
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
