import MPCLMath

/// Raw features in, distributions out: z-scoring with the checkpoint's statistics (or a client's
/// calibration) and the Float forward pass with cached input-independent tensors. The trainer's
/// test predictions and the server's answers both come from here, so they cannot disagree.
public struct Predictor: Sendable {
    public let model: Model<Float>
    public let normalization: FeatureNormalization

    public init(model: Model<Float>, normalization: FeatureNormalization) {
        var prepared = model
        prepared.refreshInferenceCache()
        self.model = prepared
        self.normalization = normalization
    }

    public init(checkpoint: Checkpoint) {
        self.init(model: checkpoint.model, normalization: checkpoint.normalization)
    }

    public var featureCount: Int { model.config.layout.featureCount }
    public var classCount: Int { model.config.labels.count }

    /// Distributions [rows × C] for raw features [rows × F] (row-major). `calibration` replaces the
    /// stored statistics (per-subject models).
    public func distributions(rawFeatures: [Float], rows: Int, calibration: FeatureNormalization? = nil) -> [Float] {
        precondition(rawFeatures.count == rows * featureCount, "expected \(rows) × \(featureCount) features")
        guard rows > 0 else { return [] }
        var features = rawFeatures
        (calibration ?? normalization).apply(to: &features)
        return model.distributions(features: Tensor(shape: [rows, featureCount], data: features)).data
    }
}
