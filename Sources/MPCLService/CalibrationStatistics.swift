import MPCL

/// A per-subject model's calibration as a client sends it → the `FeatureNormalization` that
/// z-scores its windows (docs/SERVICE.md). The one place that judges the statistics, whichever
/// protocol carried them: `/predict`'s `"calibration": {"mean": [F], "std": [F]}` and V2's
/// `calibration_mean` / `calibration_std` tensors.
///
/// Checks: one value per feature in each vector, and no negative standard deviation (σ is then
/// floored at `FeatureNormalization.stdFloor`). The values themselves were read by the decoders'
/// one number check, `featureValue` (finite as a Float, within ±1e9), like every feature.
struct CalibrationStatistics {
    /// How the protocol that carried the statistics names them in its refusals.
    enum Naming {
        /// `calibration.mean`, `calibration.std[i]` (a `/predict` body member); 422 like every
        /// other content error of that endpoint.
        case predictBody
        /// `calibration_mean`, `inputs.calibration_std` (V2 input tensors); 400, the protocol's
        /// status for every bad request.
        case v2Inputs

        func name(_ vector: Vector) -> String {
            switch self {
            case .predictBody: return vector == .mean ? "calibration.mean" : "calibration.std"
            case .v2Inputs: return vector == .mean ? "calibration_mean" : "calibration_std"
            }
        }

        func field(_ vector: Vector) -> String {
            switch self {
            case .predictBody: return name(vector)
            case .v2Inputs: return "inputs." + name(vector)
            }
        }

        /// The refusal for a negative standard deviation at `index`.
        func negative(at index: Int) -> ServiceError {
            switch self {
            case .predictBody:
                return ServiceError(
                    .unprocessableContent, "invalid_value", "calibration.std[\(index)] is negative", field: "calibration.std[\(index)]")
            case .v2Inputs:
                return ServiceError(.badRequest, "invalid_value", "calibration_std has a negative entry", field: "inputs.calibration_std")
            }
        }
    }

    enum Vector { case mean, std }

    let featureCount: Int
    let naming: Naming

    /// Refuses a vector of which the client sent `count` values, not one per feature. (A
    /// `/predict` body's arrays are read into featureCount slots, which refuses a wrong length as
    /// it reads, in the same words.)
    func checkCount(_ count: Int, of vector: Vector) throws(ServiceError) {
        guard count != featureCount else { return }
        throw .invalidShape("\(naming.name(vector)) has \(count) values, the model expects \(featureCount)", field: naming.field(vector))
    }

    /// The statistics from vectors of featureCount values each.
    func normalization(mean: [Float], std: [Float]) throws(ServiceError) -> FeatureNormalization {
        if let index = std.firstIndex(where: { $0 < 0 }) { throw naming.negative(at: index) }
        return FeatureNormalization(mean: mean, std: std)
    }
}
