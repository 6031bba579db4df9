import MPCL

/// A decoded prediction request: which model, the windows as one row-major matrix in the model's
/// feature order, whether to add the clip-level aggregate, and the client's calibration.
struct PredictRequest {
    let model: LoadedModel
    /// windows × featureCount raw features.
    var features: [Float]
    var windows: Int
    var aggregate: Bool
    /// Replaces the checkpoint's statistics (per-subject models only).
    var calibration: FeatureNormalization?
}
