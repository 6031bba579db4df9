import EmotionVocabulary
import Foundation
import JSON
import MPCL
import TestSupport
import Testing

@testable import MPCLService

/// The binary tensor data extension, datatype conversion, versions and requested outputs, as
/// Triton's and KServe's clients use them (their real clients run in scripts/check-clients).
@Suite("Open Inference Protocol (V2): binary tensors and protocol checks", .serialized)
struct V2BinaryTests {
    /// An infer body whose inputs carry `binary_data_size` and whose bytes follow the JSON header.
    static func binaryBody(_ indices: [Int], datatype: String = "FP32", outputs: JSON? = nil, parameters: JSON? = nil)
        -> (bytes: [UInt8], headerLength: Int)
    {
        let layout = InputLayout.dmer
        let rows = indices.map(Windows.features)
        var tail: [UInt8] = []
        var inputs: [JSON] = []
        for (name, shape, range) in [
            ("eeg", [rows.count, layout.eegChannels, layout.eegBands], layout.eegRange),
            ("peripheral", [rows.count, layout.peripheralDims], layout.peripheralRange),
            ("face", [rows.count, layout.faceDims], layout.faceRange),
        ] {
            let start = tail.count
            for value in rows.flatMap({ $0[range] }) {
                switch datatype {
                case "FP64": withUnsafeBytes(of: Double(value).bitPattern.littleEndian) { tail.append(contentsOf: $0) }
                default: withUnsafeBytes(of: value.bitPattern.littleEndian) { tail.append(contentsOf: $0) }
                }
            }
            inputs.append([
                "name": .string(name), "datatype": .string(datatype), "shape": .array(shape.map { .number(Double($0)) }),
                "parameters": ["binary_data_size": .number(Double(tail.count - start))],
            ])
        }
        var members: [(key: String, value: JSON)] = [("inputs", .array(inputs))]
        if let outputs { members.append(("outputs", outputs)) }
        if let parameters { members.append(("parameters", parameters)) }
        let header = JSON.object(members).serialized()
        return (header + tail, header.count)
    }

    /// The distribution of a binary response: JSON header of `Inference-Header-Content-Length` bytes,
    /// then little-endian FP32 values.
    static func binaryDistribution(_ reply: TestResponse) throws -> [Float] {
        let length = try #require(reply.header("Inference-Header-Content-Length").flatMap { Int($0) })
        let header = try JSON.parse(reply.body[..<length])
        let output = try #require(header["outputs"]?.arrayValue?.first)
        #expect(output["data"] == nil)
        let size = try #require(output["parameters"]?["binary_data_size"]?.intValue)
        #expect(size == reply.body.count - length)
        return stride(from: length, to: reply.body.count, by: 4).map { offset in
            Float(
                bitPattern: UInt32(reply.body[offset]) | UInt32(reply.body[offset + 1]) << 8 | UInt32(reply.body[offset + 2]) << 16
                    | UInt32(reply.body[offset + 3]) << 24)
        }
    }

    @Test func binaryInputsAndOutputsMatchThePredictor() throws {
        try withServer { server in
            let client = try server.client()
            let expected = try server.predictor().distributions(rawFeatures: [0, 1, 2].flatMap(Windows.features), rows: 3)
            for contentType in [nil, "application/octet-stream"] {
                let body = Self.binaryBody([0, 1, 2], parameters: ["binary_data_output": true])
                let reply = try client.request(
                    "POST", "/v2/models/default/infer", body: body.bytes, contentType: contentType,
                    headers: [("Inference-Header-Content-Length", String(body.headerLength))])
                #expect(reply.status == 200, "\(reply.bodyString.prefix(300))")
                #expect(reply.header("Content-Type") == "application/octet-stream")
                #expect(maxDifference(try Self.binaryDistribution(reply), expected) <= 1e-6)
            }
            // Binary inputs, JSON output (binary_data: false on the requested output wins).
            let body = Self.binaryBody(
                [0, 1, 2], outputs: [["name": "distribution", "parameters": ["binary_data": false]]],
                parameters: ["binary_data_output": true])
            let reply = try client.request(
                "POST", "/v2/models/default/infer", body: body.bytes, contentType: nil,
                headers: [("Inference-Header-Content-Length", String(body.headerLength))])
            #expect(reply.status == 200 && reply.header("Inference-Header-Content-Length") == nil)
            let data = reply.json["outputs"]?.arrayValue?.first?["data"]?.arrayValue?.compactMap { $0.doubleValue.map(Float.init) } ?? []
            #expect(maxDifference(data, expected) <= 1e-6)
        }
    }

    @Test func jsonWithoutContentTypeAndOtherDatatypesAreAccepted() throws {
        try withServer { server in
            let client = try server.client()
            let expected = try server.predictor().distributions(rawFeatures: Windows.features(4), rows: 1)
            let plain = try client.request("POST", "/v2/models/default/infer", body: V2Tests.inferBody([4]).serialized(), contentType: nil)
            #expect(plain.status == 200)
            // FP64 binary converts to FP32 exactly for values that came from Floats.
            let fp64 = Self.binaryBody([4], datatype: "FP64")
            let converted = try client.request(
                "POST", "/v2/models/default/infer", body: fp64.bytes, contentType: nil,
                headers: [("Inference-Header-Content-Length", String(fp64.headerLength))])
            #expect(converted.status == 200)
            #expect(converted.json["outputs"] == plain.json["outputs"])
            let data = plain.json["outputs"]?.arrayValue?.first?["data"]?.arrayValue?.compactMap { $0.doubleValue.map(Float.init) } ?? []
            #expect(maxDifference(data, expected) <= 1e-6)
        }
    }

    @Test func halfPrecisionDecodesExactly() {
        #expect(V2Datatype.halfToFloat(0x3C00) == 1)
        #expect(V2Datatype.halfToFloat(0xC000) == -2)
        #expect(V2Datatype.halfToFloat(0x3555) == Float(0x1.554p-2))
        #expect(V2Datatype.halfToFloat(0x0001) == 0x1p-24)
        #expect(V2Datatype.halfToFloat(0x7BFF) == 65504)
        #expect(V2Datatype.halfToFloat(0x7C00) == .infinity)
        #expect(V2Datatype.halfToFloat(0x7E00).isNaN)
    }

    /// Each refusal: status, and a message naming the problem.
    @Test func protocolRefusals() throws {
        try withServer { server in
            let client = try server.client()
            let version = try #require(client.get("/v2/models/default").json["versions"]?.arrayValue?.first?.stringValue)
            #expect(try client.post("/v2/models/default/versions/\(version)/infer", json: V2Tests.inferBody([0])).status == 200)
            #expect(try client.get("/v2/models/default/versions/\(version)").status == 200)
            for path in [
                "/v2/models/default/versions/bogus/infer", "/v2/models/default/versions/bogus", "/v2/models/default/versions/bogus/ready",
            ] {
                let reply = path.hasSuffix("infer") ? try client.post(path, json: V2Tests.inferBody([0])) : try client.get(path)
                #expect(reply.status == 404 && reply.json["error"]?.stringValue?.contains("bogus") == true, "\(path)")
            }
            func refused(_ body: JSON, _ words: String, status: Int = 400) throws {
                let reply = try client.post("/v2/models/default/infer", json: body)
                #expect(
                    reply.status == status && reply.json["error"]?.stringValue?.contains(words) == true, "\(reply.bodyString.prefix(300))")
            }
            func with(_ key: String, _ value: JSON) throws -> JSON {
                var members = try #require(V2Tests.inferBody([0]).objectValue)
                members.append((key, value))
                return .object(members)
            }
            try refused(try with("outputs", [["name": "nope"]]), "nope")
            try refused(try with("outputs", [["name": "distribution"], ["name": "distribution"]]), "twice")
            try refused(try with("outputs", [["name": "distribution", "parameters": ["classification": 3]]]), "classification")
            var boolean = V2Tests.inferBody([0])
            if case .object(var members) = boolean, case .array(var inputs) = members[1].value, case .object(var eeg) = inputs[0] {
                eeg[1].value = "BOOL"
                inputs[0] = .object(eeg)
                members[1].value = .array(inputs)
                boolean = .object(members)
            }
            try refused(boolean, "BOOL")
            // Binary framing errors: a header length beyond the body, bytes left over, too few bytes.
            let body = Self.binaryBody([0])
            for (bytes, length, words) in [
                (body.bytes, body.bytes.count + 1, "Inference-Header-Content-Length"),
                (body.bytes + [0, 0, 0, 0], body.headerLength, "belong to no input"),
                (Array(body.bytes.dropLast(4)), body.headerLength, "remain"),
            ] {
                let reply = try client.request(
                    "POST", "/v2/models/default/infer", body: bytes, contentType: "application/octet-stream",
                    headers: [("Inference-Header-Content-Length", String(length))])
                #expect(reply.status == 400 && reply.json["error"]?.stringValue?.contains(words) == true, "\(reply.bodyString.prefix(300))")
            }
            let text = try client.request(
                "POST", "/v2/models/default/infer", body: V2Tests.inferBody([0]).serialized(), contentType: "text/plain")
            #expect(text.status == 415)
            let extensions = try client.get("/v2").json["extensions"]
            #expect(extensions == ["binary_tensor_data"])
            #expect(try client.get("/healthz").status == 200)
        }
    }

    @Test func duplicateKeysAreA400NamingTheKey() throws {
        try withServer { server in
            let client = try server.client()
            let v2 = try client.request("POST", "/v2/models/default/infer", body: Array(#"{"inputs":[],"inputs":[]}"#.utf8))
            #expect(v2.status == 400 && v2.json["error"]?.stringValue?.contains("'inputs'") == true)
            var text = Windows.body([0]).serialized()
            text.removeLast()
            text += Array(#","aggregate":true}"#.utf8)
            let predict = try client.request("POST", "/predict", body: text)
            #expect(predict.status == 400 && predict.errorCode == "malformed_json")
            #expect(predict.json["error"]?["message"]?.stringValue?.contains("duplicate member name 'aggregate'") == true)
        }
    }
}
