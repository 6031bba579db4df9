import JSON
import TestSupport
import Testing

@testable import MPCLService

@Suite("Strict inputs and small contracts", .serialized)
struct StrictInputTests {
    @Test func unknownFieldsAndOutOfRangeValuesAre422() throws {
        try withServer { server in
            let client = try server.client()
            var members = try #require(Windows.nested(Windows.features(0)).objectValue)
            members.append(("agregate", true))
            let misspelt = try client.post("/predict", json: .object(members))
            #expect(misspelt.status == 422 && misspelt.errorCode == "unknown_field" && misspelt.errorField == "agregate")

            let mixed = try client.post("/predict", json: ["windows": [Windows.nested(Windows.features(0))], "eeg": []])
            #expect(mixed.status == 422 && mixed.errorField == "eeg")

            let inWindow = try client.post("/predict", json: ["windows": [.object(members)]])
            #expect(inWindow.errorField == "windows[0].agregate")

            var large = try #require(Windows.flat(Windows.features(0)).objectValue)
            var eeg = Windows.features(0)[0..<90].map { JSON.number(Double($0)) }
            eeg[4] = 2e9
            large.removeAll { $0.key == "eeg" }
            large.append(("eeg", .array(eeg)))
            let outOfRange = try client.post("/predict", json: .object(large))
            #expect(outOfRange.status == 422 && outOfRange.errorCode == "out_of_range" && outOfRange.errorField == "eeg[4]")
        }
    }

    @Test func unmatchedV2PathsAnswerInTheProtocolShape() throws {
        try withServer { server in
            let reply = try server.client().get("/v2/models/a/b/c")
            #expect(reply.status == 404)
            #expect(reply.json["error"]?.stringValue != nil)
        }
    }

    @Test func healthProbeSeesReadiness() throws {
        try withServer { server in
            #expect(HealthProbe.isReady(host: "127.0.0.1", port: server.port))
            server.service.markDrainingForTesting()
            #expect(!HealthProbe.isReady(host: "127.0.0.1", port: server.port))
        }
        #expect(!HealthProbe.isReady(host: "127.0.0.1", port: 1, timeout: 0.5))
    }
}
