import MPCLMath

/// A model compiled for inference, built once per loaded model (docs/PERFORMANCE.md): no tape, no
/// per-operation arrays or closures. The weights are packed into one buffer in the order the forward
/// pass reads them (stacked projections, input-independent keys and values precomputed), and every
/// activation lives in an `InferenceArena` the caller owns, laid out per window so a batch of any
/// size up to the arena's reservation runs without allocating. Linear layers run as one BLAS call
/// over all rows of the batch (gemv for a single row); each MSAM block's attention is one fused
/// kernel per window (`multiScaleRetrieval`). Float only; the training path keeps its tape, and the
/// plan equals the tape's forward pass to 1e-5 (InferencePlanTests).
public final class InferencePlan: @unchecked Sendable {
    public let featureCount: Int
    public let classCount: Int
    /// Packed weights; immutable after `init`, so the plan is shared by every worker.
    let weights: UnsafeMutablePointer<Float>
    let layout: ArenaLayout
    let input: ArenaRegion
    let output: ArenaRegion
    let program: Program
    /// Windows run through the whole network at a time: a larger batch is split into passes of this
    /// many, so each pass's activations (~90 KiB per window for the default model) stay in the
    /// core's L2 cache between layers instead of streaming through L3 — measured on the default
    /// model, a batch of 256 in one pass ran ~15 % slower per window than a batch of 64
    /// (BENCHMARKS.md). Windows are independent, so the split changes no result.
    let windowsPerPass: Int

    enum Program {
        case mpcl(MPCLProgram)
        case mlp(MLPProgram)
        case linear(LinearProgram)
        case mean(MeanProgram)
    }

    /// Compiles `model` (its inference cache is used if present, computed otherwise); batches larger
    /// than `windowsPerPass` run in passes of that many windows.
    public init(model: Model<Float>, windowsPerPass: Int = 64) {
        precondition(windowsPerPass > 0, "windowsPerPass must be positive")
        self.windowsPerPass = windowsPerPass
        var prepared = model
        if prepared.inferenceCache.isEmpty { prepared.refreshInferenceCache() }
        let config = prepared.config
        featureCount = config.layout.featureCount
        classCount = config.labels.count
        var layout = ArenaLayout()
        input = layout.perWindow(featureCount)
        output = layout.perWindow(classCount)
        var blob = WeightBlob()
        switch config.architecture {
        case .mpcl: program = .mpcl(MPCLProgram(prepared, blob: &blob, layout: &layout))
        case .mlp: program = .mlp(MLPProgram(prepared, blob: &blob, layout: &layout))
        case .linear: program = .linear(LinearProgram(prepared, blob: &blob, layout: &layout))
        case .mean: program = .mean(MeanProgram(prepared, blob: &blob))
        }
        self.layout = layout
        weights = UnsafeMutablePointer<Float>.allocate(capacity: max(blob.values.count, 1))
        weights.initialize(from: blob.values, count: blob.values.count)
    }

    deinit { weights.deallocate() }

    /// Floats an arena needs for batches of up to `windows` windows: one pass's activations, after the
    /// whole batch's input and output when it runs in several passes.
    public func arenaFloats(windows: Int) -> Int {
        let windows = max(windows, 1)
        guard windows > windowsPerPass else { return layout.floats(windows: windows) }
        return max(layout.floats(windows: windows), passBase(windows: windows) + layout.floats(windows: windowsPerPass))
    }

    /// Where a pass's activations start in the arena of a batch of `windows` that runs in passes:
    /// after the batch's input [windows, F] and output [windows, C] (the first two regions).
    private func passBase(windows: Int) -> Int { windows * (ArenaLayout.rounded(featureCount) + ArenaLayout.rounded(classCount)) }

    /// Where the caller writes `windows` rows of z-scored features [windows, F] before `run`.
    public func input(in arena: InferenceArena, windows: Int) -> UnsafeMutableBufferPointer<Float> {
        precondition(arena.capacity >= arenaFloats(windows: windows), "arena too small: reserve(plan:windows:) first")
        return UnsafeMutableBufferPointer(start: layout.pointer(input, arena.base, windows: windows), count: windows * featureCount)
    }

    /// Runs the model on the z-scored features already in `input(in:windows:)`; returns the
    /// distributions [windows, C], valid until the arena's next use.
    public func run(windows: Int, in arena: InferenceArena) -> UnsafeBufferPointer<Float> {
        precondition(windows >= 0 && arena.capacity >= arenaFloats(windows: windows), "arena too small: reserve(plan:windows:) first")
        let out = layout.pointer(output, arena.base, windows: windows)
        guard windows > 0 else { return UnsafeBufferPointer(start: out, count: 0) }
        let features = UnsafePointer(layout.pointer(input, arena.base, windows: windows))
        if windows <= windowsPerPass {
            run(
                PlanContext(
                    weights: UnsafePointer(weights), arena: arena.base, layout: layout, windows: windows, input: features, output: out))
        } else {
            let passArena = arena.base + passBase(windows: windows)
            for first in stride(from: 0, to: windows, by: windowsPerPass) {
                run(
                    PlanContext(
                        weights: UnsafePointer(weights), arena: passArena, layout: layout, windows: min(windowsPerPass, windows - first),
                        input: features + first * featureCount, output: out + first * classCount))
            }
        }
        return UnsafeBufferPointer(start: out, count: windows * classCount)
    }

    private func run(_ context: PlanContext) {
        switch program {
        case .mpcl(let program): program.run(context)
        case .mlp(let program): program.run(context)
        case .linear(let program): program.run(context)
        case .mean(let program): program.run(context)
        }
    }

    /// Distributions [rows, C] for z-scored features [rows, F] (a convenience that allocates an
    /// arena; serving workers keep their own and call `input` / `run`).
    public func distributions(standardized features: [Float], rows: Int) -> [Float] {
        precondition(features.count == rows * featureCount, "expected \(rows) × \(featureCount) features")
        guard rows > 0 else { return [] }
        let arena = InferenceArena(plan: self, windows: rows)
        let destination = input(in: arena, windows: rows)
        features.withUnsafeBufferPointer { destination.baseAddress!.update(from: $0.baseAddress!, count: $0.count) }
        return Array(run(windows: rows, in: arena))
    }
}

/// Where one activation lives in an arena, for a batch of B windows:
/// `base + B · perWindowStart + constantStart` when the region scales with the batch, or after all
/// per-window regions (`base + B · perWindowTotal + constantStart`) when it has a fixed size.
struct ArenaRegion {
    let perWindowStart: Int
    let constantStart: Int
    let fixed: Bool
}

/// Builds the regions of an arena. Every size is rounded up to 16 floats so each region starts on a
/// 64-byte boundary for any batch size.
struct ArenaLayout {
    private(set) var perWindowTotal = 0
    private(set) var constantTotal = 0

    static func rounded(_ floats: Int) -> Int { (max(floats, 0) + 15) / 16 * 16 }

    /// A region of `floats` floats per window.
    mutating func perWindow(_ floats: Int) -> ArenaRegion {
        defer { perWindowTotal += Self.rounded(floats) }
        return ArenaRegion(perWindowStart: perWindowTotal, constantStart: 0, fixed: false)
    }

    /// A region of `floats` floats whatever the batch size (kernel scratch).
    mutating func fixed(_ floats: Int) -> ArenaRegion {
        defer { constantTotal += Self.rounded(floats) }
        return ArenaRegion(perWindowStart: 0, constantStart: constantTotal, fixed: true)
    }

    func floats(windows: Int) -> Int { windows * perWindowTotal + constantTotal }

    @inline(__always) func pointer(_ region: ArenaRegion, _ base: UnsafeMutablePointer<Float>, windows: Int) -> UnsafeMutablePointer<Float>
    {
        base + windows * (region.fixed ? perWindowTotal : region.perWindowStart) + region.constantStart
    }
}

/// The packed weights while a plan is being built: each entry starts on a 16-float boundary.
struct WeightBlob {
    var values: [Float] = []

    /// Appends `data`; returns its offset.
    mutating func add(_ data: [Float]) -> Int {
        let offset = values.count
        values.append(contentsOf: data)
        values.append(contentsOf: repeatElement(0, count: ArenaLayout.rounded(values.count) - values.count))
        return offset
    }

    /// Appends a linear layer (weight [out, in], PyTorch's layout; optional bias [out]), its weight
    /// packed into `packedMatmul`'s panels.
    mutating func dense(_ weight: [Float], bias: [Float]?, inputs: Int, outputs: Int) -> Dense {
        precondition(weight.count == inputs * outputs && (bias?.count ?? outputs) == outputs, "dense: shapes do not match")
        return Dense(
            packed: add(packPanels(weight, inputs: inputs, outputs: outputs)), bias: bias.map { add($0) }, inputs: inputs,
            outputs: outputs)
    }

    /// Appends the layer `name` (`name.weight`, and `name.bias` when `bias`) of `parameters`.
    mutating func dense(_ parameters: ParameterSet<Float>, _ name: String, bias: Bool = true) -> Dense {
        let weight = parameters[name + ".weight"]
        return dense(weight.data, bias: bias ? parameters[name + ".bias"].data : nil, inputs: weight.shape[1], outputs: weight.shape[0])
    }
}

/// A linear layer in the weight blob: y = x Wᵀ (+ b), W [outputs, inputs] packed by `packPanels`.
struct Dense {
    let packed: Int
    let bias: Int?
    let inputs: Int
    let outputs: Int
}

/// What one forward pass works with: the packed weights, the arena and the batch size.
struct PlanContext {
    let weights: UnsafePointer<Float>
    let arena: UnsafeMutablePointer<Float>
    let layout: ArenaLayout
    let windows: Int
    let input: UnsafePointer<Float>
    let output: UnsafeMutablePointer<Float>

    @inline(__always) func weight(_ offset: Int) -> UnsafePointer<Float> { weights + offset }
    @inline(__always) func buffer(_ region: ArenaRegion) -> UnsafeMutablePointer<Float> {
        layout.pointer(region, arena, windows: windows)
    }

    /// y[r] (+)= x[r] · Wᵀ (+ b) over `rows` rows (`lda`, `ldy` floats apart) by the packed-weight
    /// `packedMatmul`: nothing is packed, zeroed or allocated per call, whatever the row count. With
    /// `accumulate` the product is added to what y holds (a residual already written there), and a
    /// `bias` vector [outputs] is added as each tile is stored, which fuses both adds into the
    /// product; `gelu` applies the exact GELU to the result in the same pass.
    @inline(__always) func apply(
        _ layer: Dense, _ x: UnsafePointer<Float>, rows: Int, lda: Int, into y: UnsafeMutablePointer<Float>, ldy: Int,
        accumulate: Bool = true, bias biasVector: UnsafePointer<Float>? = nil, gelu: Bool = false
    ) {
        guard rows > 0, layer.outputs > 0 else { return }
        guard layer.inputs > 0 else {
            for r in 0..<rows {
                let row = y + r * ldy
                if !accumulate { row.update(repeating: 0, count: layer.outputs) }
                if let biasVector { for j in 0..<layer.outputs { row[j] += biasVector[j] } }
                if gelu { geluInPlace(row, count: layer.outputs) }
            }
            return
        }
        packedMatmul(
            x, lda: lda, rows: rows, inputs: layer.inputs, packed: weight(layer.packed), outputs: layer.outputs, bias: biasVector,
            into: y, ldy: ldy, accumulate: accumulate, gelu: gelu)
    }

    /// y = x · Wᵀ (+ b), then GELU when `gelu`: the layer's bias when it has one, y's previous
    /// contents discarded.
    @inline(__always) func affine(
        _ layer: Dense, _ x: UnsafePointer<Float>, rows: Int, lda: Int, into y: UnsafeMutablePointer<Float>, ldy: Int,
        gelu: Bool = false
    ) {
        apply(layer, x, rows: rows, lda: lda, into: y, ldy: ldy, accumulate: false, bias: bias(layer), gelu: gelu)
    }

    /// The layer's bias in the weights, if it has one.
    @inline(__always) func bias(_ layer: Dense) -> UnsafePointer<Float>? { layer.bias.map { weight($0) } }

    /// Row softmax of `rows` rows of `width` logits in place (shifted by the row maximum).
    @inline(__always) func softmaxRows(_ x: UnsafeMutablePointer<Float>, rows: Int, width: Int) {
        softmaxForward(x, UnsafePointer(x), rows: rows, width: width, beta: 1)
    }
}
