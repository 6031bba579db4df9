import Foundation
import JSON
import MPCL
import TestSupport
import Testing

@testable import MPCLService

@Suite("Calibration for per-subject models", .serialized)
struct CalibrationTests {
    @Test func calibrateThenPredictMatchesPredictorWithTheSameStatistics() throws {
        try withServer(models: ["default": 1, "person": 4], perSubject: ["person"]) { server in
            let client = try server.client()
            let calibration = try client.post("/v1/models/person/calibrate", json: ["windows": Windows.body(Array(0..<6))["windows"]!])
            #expect(calibration.status == 200)
            let mean = calibration.json["mean"]?.arrayValue?.compactMap { $0.doubleValue.map(Float.init) } ?? []
            let std = calibration.json["std"]?.arrayValue?.compactMap { $0.doubleValue.map(Float.init) } ?? []
            #expect(mean.count == 913 && std.count == 913)
            let raw = (0..<6).flatMap(Windows.features)
            let expected = FeatureNormalization(features: raw, columns: 913, rows: 0..<6)
            #expect(maxDifference(mean, expected.mean) <= 1e-6)
            #expect(maxDifference(std, expected.std) <= 1e-6)

            let features = Windows.features(20)
            var body = Windows.body([20])
            if case .object(var members) = body {
                members.append(("calibration", ["mean": calibration.json["mean"]!, "std": calibration.json["std"]!]))
                body = .object(members)
            }
            let reply = try client.post("/v1/models/person/predict", json: body)
            #expect(reply.status == 200)
            let reference = try server.predictor("person")
                .distributions(rawFeatures: features, rows: 1, calibration: FeatureNormalization(mean: mean, std: std))
            #expect(maxDifference(distributions(reply), reference) <= 1e-6)
        }
    }

    @Test func perSubjectModelWithoutCalibrationIs422() throws {
        try withServer(models: ["default": 1, "person": 4], perSubject: ["person"]) { server in
            let client = try server.client()
            let missing = try client.post("/v1/models/person/predict", json: Windows.body([0]))
            #expect(missing.status == 422 && missing.errorCode == "missing_calibration" && missing.errorField == "calibration")
            var body = Windows.body([0])
            if case .object(var members) = body {
                members.append(("calibration", ["mean": [1, 2], "std": [1, 2]]))
                body = .object(members)
            }
            let short = try client.post("/v1/models/person/predict", json: body)
            #expect(short.status == 422 && short.errorField == "calibration.mean")
            // A model without per-subject standardisation validates the field but does not use it.
            let invalid = try client.post("/v1/models/default/predict", json: body)
            #expect(invalid.status == 422 && invalid.errorField == "calibration.mean")
            var valid = Windows.body([0])
            if case .object(var members) = valid {
                let ones = JSON(numbers: [Float](repeating: 1, count: 913))
                members.append(("calibration", ["mean": ones, "std": ones]))
                valid = .object(members)
            }
            let ignored = try client.post("/v1/models/default/predict", json: valid)
            #expect(ignored.status == 200)
            #expect(distributions(ignored) == distributions(try client.post("/v1/models/default/predict", json: Windows.body([0]))))
            let one = try client.post("/v1/models/person/calibrate", json: ["windows": Windows.body([0])["windows"]!])
            #expect(one.status == 422 && one.errorField == "windows")
        }
    }
}
