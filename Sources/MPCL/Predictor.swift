import MPCLMath

/// Raw features in, distributions out: z-scoring with the checkpoint's statistics (or a client's
/// calibration) and the compiled Float forward pass (`InferencePlan`, built once here). This is the
/// one place inference normalises: the trainer's test predictions and the server's batches both
/// come from here, so they cannot disagree; the plan is proven equal to the training tape's
/// forward pass (InferencePlanTests).
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

    /// Consecutive windows of a batch with the statistics that z-score them: a request's rows,
    /// or a slice of them when a batch splits it. `rawFeatures` is rows × F, row-major.
    public struct Rows {
        public var rawFeatures: ArraySlice<Float>
        /// Replaces the stored statistics for these rows (per-subject models); nil: the stored ones.
        public var calibration: FeatureNormalization?

        public init(rawFeatures: ArraySlice<Float>, calibration: FeatureNormalization? = nil) {
            self.rawFeatures = rawFeatures
            self.calibration = calibration
        }
    }

    /// Distributions [rows × C] for raw features [rows × F] (row-major). `calibration` replaces the
    /// stored statistics (per-subject models). Allocates an arena per call and runs at most
    /// `chunkWindows` windows at a time; a serving worker keeps its own arena
    /// (`distributions(batch:arena:)`).
    public func distributions(rawFeatures: [Float], rows: Int, calibration: FeatureNormalization? = nil) -> [Float] {
        precondition(rawFeatures.count == rows * featureCount, "expected \(rows) × \(featureCount) features")
        guard rows > 0 else { return [] }
        let arena = InferenceArena(plan: plan, windows: min(rows, Self.chunkWindows))
        var result: [Float] = []
        result.reserveCapacity(rows * classCount)
        var first = 0
        while first < rows {
            let count = min(Self.chunkWindows, rows - first)
            let chunk = rawFeatures[(first * featureCount)..<((first + count) * featureCount)]
            result.append(
                contentsOf: distributions(batch: CollectionOfOne(Rows(rawFeatures: chunk, calibration: calibration)), arena: arena))
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
        return distributions(batch: CollectionOfOne(Rows(rawFeatures: rawFeatures[...], calibration: calibration)), arena: arena)
    }

    /// Distributions [rows × C] for a batch stacked from `batch`'s rows in order, one forward pass
    /// on a caller's arena (grown if it is too small; the result lives in it until its next use).
    /// Each block is copied into the arena's input and z-scored there with its own statistics,
    /// x̂ = (x − μ) · (1/σ), so nothing is allocated per block; rows are independent in the
    /// forward pass, so a block's answer is the same alone or batched with others.
    public func distributions(batch: some Collection<Rows>, arena: InferenceArena) -> UnsafeBufferPointer<Float> {
        let rows = batch.reduce(0) { $0 + $1.rawFeatures.count } / max(featureCount, 1)
        arena.reserve(plan: plan, windows: rows)
        let input = plan.input(in: arena, windows: rows)
        var offset = 0
        for block in batch {
            precondition(block.rawFeatures.count % featureCount == 0, "expected rows × \(featureCount) features")
            guard !block.rawFeatures.isEmpty else { continue }
            let staged = UnsafeMutableBufferPointer(rebasing: input[offset..<(offset + block.rawFeatures.count)])
            block.rawFeatures.withUnsafeBufferPointer { staged.baseAddress?.update(from: $0.baseAddress!, count: $0.count) }
            (block.calibration ?? normalization).apply(to: staged)
            offset += block.rawFeatures.count
        }
        return plan.run(windows: rows, in: arena)
    }
}
