import Foundation
import HTTP1
import JSON
import TestSupport
import Testing

@testable import MPCLService

/// The body budget (admission by bytes) and CORS, end to end on a real socket.
@Suite("Body budget and CORS", .serialized)
struct AdmissionTests {
    /// A service whose body budget holds one and a half of `body`'s charges, and that body.
    func withRoomForOneAndAHalfBodies(_ run: (TestServer, [UInt8]) throws -> Void) throws {
        let body = Windows.body(Array(0..<10)).serialized()
        let charge = body.count * BodyMemory.bytesPerBodyByte
        try withServer(configure: { $0.bodyBudgetBytes = charge + charge / 2 }) { server in try run(server, body) }
    }

    /// A client that has announced a `/predict` body of `length` bytes with `Expect: 100-continue`.
    /// "100 Continue" is sent only after the body is charged, so the charge is held from the return
    /// until the client sends the body and reads the answer.
    func holdingTheBudget(_ server: TestServer, length: Int) throws -> TestClient {
        let client = try server.client()
        client.send(
            "POST /predict HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n"
                + "Content-Length: \(length)\r\n\r\n")
        #expect(try client.readResponse().status == 100)
        return client
    }

    /// A body charged while it arrives holds the budget: a second body that does not fit is
    /// refused before it is read (503, Retry-After, connection closed); once the first is
    /// answered the budget is free again.
    @Test func bodiesBeyondTheBudgetGet503WithRetryAfter() throws {
        try withRoomForOneAndAHalfBodies { server, body in
            let first = try holdingTheBudget(server, length: body.count)

            let second = try server.client()
            let refused = try second.request("POST", "/predict", body: body)
            #expect(refused.status == 503)
            #expect(refused.header("Retry-After") == "1")
            #expect(refused.header("Connection")?.lowercased() == "close")
            #expect(refused.errorCode == "over_body_budget")

            first.send(body)
            #expect(try first.readResponse().status == 200)
            #expect(try server.client().request("POST", "/predict", body: body).status == 200)
            // Bodiless requests are never charged.
            #expect(try first.get("/healthz").status == 200)
        }
    }

    /// A chunked body is charged as its chunks arrive: while another body holds most of the
    /// budget, it is refused once its growing charge no longer fits, before the rest is read.
    @Test func chunkedBodiesAreChargedAsTheyGrow() throws {
        try withRoomForOneAndAHalfBodies { server, body in
            let holder = try holdingTheBudget(server, length: body.count)
            // A small chunked body fits next to it ...
            let small = try server.client()
            let smallBody = Windows.body([0]).serialized()
            small.send(
                "POST /predict HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + String(smallBody.count, radix: 16) + "\r\n")
            small.send(smallBody)
            small.send("\r\n0\r\n\r\n")
            #expect(try small.readResponse().status == 200)
            // ... a growing one is refused when its charge passes what is left.
            let growing = try server.client()
            growing.send(
                "POST /predict HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
            let piece = [UInt8](repeating: 0x20, count: 16 << 10)
            for _ in 0..<(body.count / piece.count + 2) {
                growing.send(String(piece.count, radix: 16) + "\r\n")
                growing.send(piece)
                growing.send("\r\n")
            }
            let refused = try growing.readResponse()
            #expect(refused.status == 503 && refused.header("Retry-After") == "1")
            holder.send(body)
            #expect(try holder.readResponse().status == 200)
        }
    }

    /// One body is always admitted when nothing else is charged, even when its charge exceeds the
    /// budget: the largest allowed body stays servable.
    @Test func aSingleBodyLargerThanTheBudgetIsAdmitted() throws {
        try withServer(configure: { $0.bodyBudgetBytes = 1 }) { server in
            let client = try server.client()
            #expect(try client.request("POST", "/predict", body: Windows.body([0, 1]).serialized()).status == 200)
            #expect(try client.request("POST", "/predict", body: Windows.body([2]).serialized()).status == 200)
        }
    }

    @Test func budgetArithmetic() {
        let budget = BodyBudget(limits: HTTPLimits(maxBodyBytes: 1000, bodyBudgetBytes: 5000, bodyBytesCharge: 20))
        #expect(budget.cost(length: 100, headers: [:]) == 2000)
        // A content-coded body may inflate to the body limit: charged for that plus its wire bytes.
        #expect(budget.cost(length: 100, headers: ["Content-Encoding": "gzip"]) == 20_100)
        #expect(budget.cost(length: 100, headers: ["Content-Encoding": "identity"]) == 2000)
        #expect(budget.reserve(2000) && budget.reserve(2000))
        #expect(!budget.reserve(2000))
        // A request topping up its own charge is admitted when it is alone, whatever the size.
        budget.release(2000)
        #expect(budget.reserve(20_000, held: 2000))
        #expect(!budget.reserve(Int.max, held: 0))
        budget.release(22_000)
        #expect(budget.inUse == 0)
        #expect(budget.reserve(1_000_000))
        #expect(!budget.reserve(Int.max, held: 1_000_000))
        budget.release(1_000_000)
    }

    @Test func defaultBudgetFollowsTheMemoryLimit() {
        let maxBody = 8 << 20
        #expect(BodyMemory.defaultBudget(maxBodyBytes: maxBody, limit: 1 << 30) == (1 << 30) - BodyMemory.reservedBytes)
        // A small pod still admits one maximum-size body at a time.
        #expect(BodyMemory.defaultBudget(maxBodyBytes: maxBody, limit: 128 << 20) == maxBody * BodyMemory.bytesPerBodyByte)
        #expect(BodyMemory.defaultBudget(maxBodyBytes: maxBody, limit: nil) == BodyMemory.defaultLimitBytes - BodyMemory.reservedBytes)
        #expect(BodyMemory.residentBound(budget: 160 << 20, maxBodyBytes: maxBody) == 256 << 20)
    }

    @Test func corsPreflightAndResponseHeaders() throws {
        try withServer(configure: { $0.corsOrigins = ["https://app.example"] }) { server in
            let client = try server.client()
            let preflight = try client.request(
                "OPTIONS", "/v2/models/default/infer", body: nil,
                headers: [
                    ("Origin", "https://app.example"), ("Access-Control-Request-Method", "POST"),
                    ("Access-Control-Request-Headers", "content-type, inference-header-content-length"),
                ])
            #expect(preflight.status == 204)
            #expect(preflight.header("Access-Control-Allow-Origin") == "https://app.example")
            #expect(preflight.header("Access-Control-Allow-Methods") == "POST, OPTIONS")
            #expect(preflight.header("Access-Control-Allow-Headers")?.contains("Inference-Header-Content-Length") == true)
            #expect(preflight.header("Access-Control-Max-Age") == "600")
            let allowed = try client.post("/predict", json: Windows.body([0]), headers: [("Origin", "https://app.example")])
            #expect(allowed.status == 200 && allowed.header("Access-Control-Allow-Origin") == "https://app.example")
            #expect(allowed.header("Access-Control-Expose-Headers")?.contains("X-Request-Id") == true)
            #expect(allowed.headers.contains { $0.0 == "Vary" && $0.1 == "Origin" })
            let other = try client.get("/healthz", headers: [("Origin", "https://evil.example")])
            #expect(other.status == 200 && other.header("Access-Control-Allow-Origin") == nil)
            let unknown = try client.request("OPTIONS", "/nowhere", body: nil, headers: [("Origin", "https://app.example")])
            #expect(unknown.status == 404)
        }
        try withServer(configure: { $0.corsOrigins = ["*"] }) { server in
            let reply = try server.client().get("/healthz", headers: [("Origin", "https://any.example")])
            #expect(reply.header("Access-Control-Allow-Origin") == "*")
        }
        try withServer { server in
            let reply = try server.client().request("OPTIONS", "/predict", body: nil, headers: [("Origin", "https://app.example")])
            #expect(reply.status == 405 && reply.header("Allow") == "POST")
            #expect(reply.header("Access-Control-Allow-Origin") == nil)
        }
    }
}
