import MPCLMath

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The MLP baseline compiled: h₁ = GELU(x W₁ᵀ + b₁), h₂ = GELU(h₁ W₂ᵀ + b₂),
/// ŷ = softmax(h₂ W₃ᵀ + b₃) — three BLAS calls over the whole batch.
struct MLPProgram {
    let layers: (Dense, Dense, Dense)
    let hidden1: ArenaRegion
    let hidden2: ArenaRegion

    init(_ model: Model<Float>, blob: inout WeightBlob, layout: inout ArenaLayout) {
        let p = model.parameters
        layers = (blob.dense(p, "mlp.fc1"), blob.dense(p, "mlp.fc2"), blob.dense(p, "mlp.fc3"))
        hidden1 = layout.perWindow(layers.0.outputs)
        hidden2 = layout.perWindow(layers.1.outputs)
    }

    func run(_ context: PlanContext) {
        let rows = context.windows
        let (fc1, fc2, fc3) = layers
        let h1 = context.buffer(hidden1)
        let h2 = context.buffer(hidden2)
        context.affine(fc1, context.input, rows: rows, lda: fc1.inputs, into: h1, ldy: fc1.outputs, gelu: true)
        context.affine(fc2, h1, rows: rows, lda: fc2.inputs, into: h2, ldy: fc2.outputs, gelu: true)
        context.affine(fc3, h2, rows: rows, lda: fc3.inputs, into: context.output, ldy: fc3.outputs)
        context.softmaxRows(context.output, rows: rows, width: fc3.outputs)
    }
}

/// Softmax regression compiled: ŷ = softmax(x Wᵀ + b).
struct LinearProgram {
    let layer: Dense

    init(_ model: Model<Float>, blob: inout WeightBlob, layout: inout ArenaLayout) {
        layer = blob.dense(model.parameters, "linear")
    }

    func run(_ context: PlanContext) {
        context.affine(layer, context.input, rows: context.windows, lda: layer.inputs, into: context.output, ldy: layer.outputs)
        context.softmaxRows(context.output, rows: context.windows, width: layer.outputs)
    }
}

/// The mean predictor: the training-mean distribution for every window, computed at load as the
/// tape does (softmax of ln max(p̄, 1e-12)).
struct MeanProgram {
    let distribution: Int
    let classes: Int

    init(_ model: Model<Float>, blob: inout WeightBlob) {
        let logits = model.labelStatistics.mean.map { log(max(Double($0), 1e-12)) }
        let peak = logits.max() ?? 0
        let exponentials = logits.map { exp($0 - peak) }
        let total = exponentials.reduce(0, +)
        classes = logits.count
        distribution = blob.add(exponentials.map { Float($0 / total) })
    }

    func run(_ context: PlanContext) {
        fillRows(context.output, rows: context.windows, ldy: classes, with: context.weight(distribution), count: classes)
    }
}
