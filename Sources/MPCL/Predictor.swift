import MPCLMath

/// Raw features in, distributions out: z-scoring with the checkpoint's statistics (or a client's
/// calibration) and the compiled Float forward pass (`InferencePlan`, built once here). The
/// trainer's test predictions and the server's answers both come from here, so they cannot
/// disagree; the plan is proven equal to the training tape's forward pass (InferencePlanTests).
public struct Predictor: Sendable {
    public let model: Model<Float>
    public let normalization: FeatureNormalization
    /// The model compiled for inference; serving workers run it on their own arenas.
    public let plan: InferencePlan

    public init(model: Model<Float>, normalization: FeatureNormalization) {
        var prepared = model
        prepared.refreshInferenceCache()
        self.model = prepared
        self.normalization = normalization
        self.plan = InferencePlan(model: prepared)
    }

    public init(checkpoint: Checkpoint) {
        self.init(model: checkpoint.model, normalization: checkpoint.normalization)
    }

    public var featureCount: Int { model.config.layout.featureCount }
    public var classCount: Int { model.config.labels.count }

    /// Windows per forward pass of the allocating convenience path: bounds its arena (a few MiB)
    /// whatever the number of rows (a trainer's whole test fold).
    public static let chunkWindows = 256

    /// Distributions [rows × C] for raw features [rows × F] (row-major). `calibration` replaces the
    /// stored statistics (per-subject models). Allocates an arena per call and runs at most
    /// `chunkWindows` windows at a time; a serving worker keeps its own arena
    /// (`distributions(rawFeatures:rows:calibration:arena:)`).
    public func distributions(rawFeatures: [Float], rows: Int, calibration: FeatureNormalization? = nil) -> [Float] {
        precondition(rawFeatures.count == rows * featureCount, "expected \(rows) × \(featureCount) features")
        guard rows > 0 else { return [] }
        let arena = InferenceArena(plan: plan, windows: min(rows, Self.chunkWindows))
        var result: [Float] = []
        result.reserveCapacity(rows * classCount)
        var first = 0
        while first < rows {
            let count = min(Self.chunkWindows, rows - first)
            let input = plan.input(in: arena, windows: count)
            rawFeatures.withUnsafeBufferPointer {
                input.baseAddress!.update(from: $0.baseAddress! + first * featureCount, count: count * featureCount)
            }
            (calibration ?? normalization).apply(to: input)
            result.append(contentsOf: plan.run(windows: count, in: arena))
            first += count
        }
        return result
    }

    /// The same on a caller's arena (grown if it is too small): the result lives in the arena and is
    /// valid until its next use.
    public func distributions(
        rawFeatures: [Float], rows: Int, calibration: FeatureNormalization? = nil, arena: InferenceArena
    ) -> UnsafeBufferPointer<Float> {
        precondition(rawFeatures.count == rows * featureCount, "expected \(rows) × \(featureCount) features")
        arena.reserve(plan: plan, windows: rows)
        let input = plan.input(in: arena, windows: rows)
        rawFeatures.withUnsafeBufferPointer { input.baseAddress?.update(from: $0.baseAddress!, count: $0.count) }
        (calibration ?? normalization).apply(to: input)
        return plan.run(windows: rows, in: arena)
    }
}
