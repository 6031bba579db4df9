import Foundation
import MPCL
import MPCLMath
import Randomness
import Timekeeping

/// Forward-pass throughput of the default DMER-layout MPCL model and the MLP baseline, one BLAS
/// thread, median of repeated timed runs. Usage:
///   mpcl-bench [forward|train-step]
///   mpcl-bench predict --checkpoint P [--batches 1,64,256] [--seconds S] [--engine plan|tape] [--clock wall|cpu]
///     JSON, one BLAS thread
///     (`plan`: the compiled InferencePlan on one reused arena, as a serving worker runs it;
///     `tape`: the training tape's forward pass, for before/after comparisons)
///   mpcl-bench distributions --checkpoint P --input X.f32 --output Y.f32 [--engine plan|tape]
///     raw float32 [N, F] → [N, C], 64 windows per call (the plan: the reference the ONNX peers
///     are checked against; the tape: what served answers were before the plan)
///   mpcl-bench sgemm [--seconds S] [--threads 1] [--clock wall|cpu]                              JSON, GFLOP/s
///   mpcl-bench train-epoch --checkpoint P --windows N [--batch 128] [--threads 2]  JSON
/// (`predict`, `sgemm` and `train-epoch` are what scripts/benchmarks runs side by side with
/// Benchmarks/pytorch/bench_forward.py.)
setBLASThreads(1)
tuneAllocator(.throughput)

func option(_ name: String, _ fallback: String) -> String {
    let all = Array(CommandLine.arguments)
    if let i = all.firstIndex(of: name), i + 1 < all.count { return all[i + 1] }
    return fallback
}

func now() -> Double { Double(monotonicNanos()) / 1e9 }

/// `--clock cpu`: the process's CPU time instead of wall time, for timing on an oversubscribed
/// machine (a call that waits for a core is not charged for the wait).
let useCPUClock = option("--clock", "wall") == "cpu"
func sampleClock() -> Double {
    guard useCPUClock else { return now() }
    var spec = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

/// Median of timed runs: at least `minRuns`, then until `seconds` have passed (at most `maxRuns`).
func medianSeconds(seconds: Double, minRuns: Int, maxRuns: Int = 20000, _ body: () -> Void) -> (Double, Int) {
    for _ in 0..<max(3, minRuns / 10) { body() }
    var samples: [Double] = []
    let deadline = now() + seconds
    while samples.count < maxRuns && (samples.count < minRuns || now() < deadline) {
        let start = sampleClock()
        body()
        samples.append(sampleClock() - start)
    }
    return (samples.sorted()[samples.count / 2], samples.count)
}

func loadCheckpoint() -> Checkpoint {
    let path = option("--checkpoint", "")
    guard !path.isEmpty else { fatalError("--checkpoint PATH is required") }
    do { return try Checkpoint.read(from: path) } catch { fatalError("\(error)") }
}

func json(_ pairs: [(String, Any)]) -> String {
    "{"
        + pairs.map { key, value in
            let text: String
            switch value {
            case let v as String: text = "\"\(v)\""
            case let v as Double: text = String(format: "%.6g", v)
            case let v as [String]: text = "[" + v.joined(separator: ",") + "]"
            default: text = "\(value)"
            }
            return "\"\(key)\": \(text)"
        }.joined(separator: ", ") + "}"
}

func medianSeconds(repeats: Int, _ body: () -> Void) -> Double {
    body()  // warm-up
    var samples: [Double] = []
    for _ in 0..<repeats {
        let start = now()
        body()
        samples.append(now() - start)
    }
    return samples.sorted()[samples.count / 2]
}

func model(_ architecture: Architecture) -> Model<Float> {
    let stats = LabelStatistics(targets: (0..<200).map { Float(1 + ($0 % 7)) / 10 }, classes: 10)
    return try! Model<Float>(config: ModelConfig(architecture: architecture), labelStatistics: stats, seed: 3407)
}

var generator = SeededGenerator(seed: 1)
let maxBatch = 256
let windows = (0..<(maxBatch * 913)).map { _ in Float(generator.nextGaussian()) }
let arguments = CommandLine.arguments.dropFirst()
let mode = arguments.first ?? "forward"

if mode == "forward" {
    print("model  batch  median_ms  windows_per_s")
    for architecture in [Architecture.mpcl, .mlp] {
        let predictor = Predictor(model: model(architecture), normalization: .identity(count: 913))
        for batch in [1, 64, 128, 256] {
            let input = Array(windows[0..<(batch * 913)])
            let repeats = batch == 1 ? 2000 : max(20, 4000 / batch)
            let arena = InferenceArena(plan: predictor.plan, windows: batch)
            let seconds = medianSeconds(repeats: repeats) { _ = predictor.distributions(rawFeatures: input, rows: batch, arena: arena) }
            print(
                String(format: "%-6@ %5d  %9.4f  %13.0f", architecture.rawValue as NSString, batch, seconds * 1e3, Double(batch) / seconds))
        }
    }
} else if mode == "train-step" {
    var mpcl = model(.mpcl)
    var targets: [Float] = []
    for _ in 0..<128 { targets.append(contentsOf: [Float](repeating: 0.1, count: 10)) }
    let features = Tensor(shape: [128, 913], data: Array(windows[0..<(128 * 913)]))
    let target = Tensor(shape: [128, 10], data: targets)
    var optimizer = Adam(parameters: mpcl.parameters)
    let seconds = medianSeconds(repeats: 20) {
        let (_, gradients) = mpcl.lossAndGradients(features: features, targets: target)
        optimizer.update(&mpcl.parameters, gradients: gradients)
    }
    print(String(format: "mpcl train step, batch 128: %.2f ms", seconds * 1e3))
}

if mode == "predict" {
    // Raw features in → distributions out (z-scoring included): what bench_forward.py's
    // `predict` times on the PyTorch side. Gaussian windows around the checkpoint's statistics.
    let checkpoint = loadCheckpoint()
    let predictor = Predictor(checkpoint: checkpoint)
    let features = predictor.featureCount
    let seconds = Double(option("--seconds", "2"))!
    let batches = option("--batches", "1,64,256").split(separator: ",").map { Int($0)! }
    let mean = checkpoint.normalization.mean, std = checkpoint.normalization.std
    var rng = SeededGenerator(seed: 1)
    let pool = (0..<(batches.max()! * features)).map { i in mean[i % features] + std[i % features] * Float(rng.nextGaussian()) }
    let engine = option("--engine", "plan")
    let arena = InferenceArena(plan: predictor.plan, windows: batches.max()!)
    var rows: [String] = []
    for batch in batches {
        let input = Array(pool[0..<(batch * features)])
        let (median, runs) = medianSeconds(seconds: seconds, minRuns: 50) {
            if engine == "tape" {
                var z = input
                predictor.normalization.apply(to: &z)
                _ = predictor.model.distributions(features: Tensor(shape: [batch, features], data: z))
            } else {
                _ = predictor.distributions(rawFeatures: input, rows: batch, arena: arena)
            }
        }
        rows.append(json([("batch", batch), ("median_ms", median * 1e3), ("windows_per_s", Double(batch) / median), ("runs", runs)]))
    }
    print(json([("implementation", "swift"), ("engine", engine), ("results", rows)]))
} else if mode == "distributions" {
    let predictor = Predictor(checkpoint: loadCheckpoint())
    guard let data = FileManager.default.contents(atPath: option("--input", "")) else { fatalError("cannot read --input") }
    let raw = data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    let features = predictor.featureCount
    let arena = InferenceArena(plan: predictor.plan, windows: 64)
    var output: [Float] = []
    var first = 0
    while first < raw.count / features {
        let rows = min(64, raw.count / features - first)
        let input = Array(raw[(first * features)..<((first + rows) * features)])
        if option("--engine", "plan") == "tape" {
            var z = input
            predictor.normalization.apply(to: &z)
            output += predictor.model.distributions(features: Tensor(shape: [rows, features], data: z)).data
        } else {
            output += predictor.distributions(rawFeatures: input, rows: rows, arena: arena)
        }
        first += rows
    }
    let bytes = output.withUnsafeBytes { Data($0) }
    guard FileManager.default.createFile(atPath: option("--output", ""), contents: bytes) else { fatalError("cannot write --output") }
} else if mode == "sgemm" {
    // The machine's single-call sgemm rate (C = A·B, row-major, β = 0) at a few square-ish shapes;
    // the best is the denominator of the arithmetic efficiency.
    setBLASThreads(Int(option("--threads", "1"))!)
    let seconds = Double(option("--seconds", "1"))!
    var rows: [String] = []
    for (m, n, k) in [(256, 512, 512), (512, 512, 512), (1024, 1024, 1024), (256, 64, 64), (4864, 64, 64)] {
        var rng = SeededGenerator(seed: 2)
        let a = (0..<(m * k)).map { _ in Float(rng.nextGaussian()) }
        let b = (0..<(k * n)).map { _ in Float(rng.nextGaussian()) }
        var c = [Float](repeating: 0, count: m * n)
        let (median, runs) = medianSeconds(seconds: seconds, minRuns: 10) {
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    c.withUnsafeMutableBufferPointer { pc in
                        Float.gemm(
                            transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1, a: pa.baseAddress!, lda: k,
                            b: pb.baseAddress!, ldb: n, beta: 0, c: pc.baseAddress!, ldc: n)
                    }
                }
            }
        }
        rows.append(
            json([
                ("m", m), ("n", n), ("k", k), ("median_us", median * 1e6), ("gflops", 2.0 * Double(m * n * k) / median / 1e9),
                ("runs", runs),
            ]))
    }
    print(json([("implementation", "swift-openblas"), ("results", rows)]))
} else if mode == "train-epoch" {
    // One training epoch as FoldTrainer runs it (MPCLTraining isn't a product, so the loop is
    // repeated here): shuffle, gather a batch, mixup (α 0.4), Gaussian noise (σ 0.3), the docs/MODEL.md
    // loss with dropout and the co-occurrence ramp, backward, Adam (1e-3, L2 1e-5). Starts from
    // the checkpoint's parameters; `--windows` z-scored Gaussian windows with random target
    // distributions (the timing does not depend on the values). No validation pass.
    setBLASThreads(Int(option("--threads", "2"))!)
    let checkpoint = loadCheckpoint()
    var model = checkpoint.model
    let windows = Int(option("--windows", "14000"))!
    let batchSize = Int(option("--batch", "128"))!
    let featureCount = model.config.layout.featureCount
    let classes = model.config.labels.count
    var rng = SeededGenerator(seed: 5)
    let features = (0..<(windows * featureCount)).map { _ in Float(rng.nextGaussian()) }
    var targets = [Float](repeating: 0, count: windows * classes)
    for w in 0..<windows {
        var total: Float = 0
        for c in 0..<classes { let v = Float(exp(rng.nextGaussian())); targets[w * classes + c] = v; total += v }
        for c in 0..<classes { targets[w * classes + c] /= total }
    }
    var optimizer = Adam(parameters: model.parameters)
    let stepsPerEpoch = (windows + batchSize - 1) / batchSize
    let started = now()
    var generator = SeededGenerator(seed: 3407)
    var order = Array(0..<windows)
    generator.shuffle(&order)
    var lossSum = 0.0
    for step in 0..<stepsPerEpoch {
        let rows = Array(order[(step * batchSize)..<min((step + 1) * batchSize, windows)])
        var x = [Float](repeating: 0, count: rows.count * featureCount)
        var y = [Float](repeating: 0, count: rows.count * classes)
        for (r, row) in rows.enumerated() {
            for k in 0..<featureCount { x[r * featureCount + k] = features[row * featureCount + k] }
            for k in 0..<classes { y[r * classes + k] = targets[row * classes + k] }
        }
        // mixup
        var partner = Array(0..<rows.count)
        generator.shuffle(&partner)
        let lambdas = (0..<rows.count).map { _ in Float(generator.nextBeta(0.4, 0.4)) }
        let sx = x, sy = y
        for i in 0..<rows.count {
            let j = partner[i], l = lambdas[i], o = 1 - lambdas[i]
            for k in 0..<featureCount { x[i * featureCount + k] = l * sx[i * featureCount + k] + o * sx[j * featureCount + k] }
            for k in 0..<classes { y[i * classes + k] = l * sy[i * classes + k] + o * sy[j * classes + k] }
        }
        for i in x.indices { x[i] += Float(0.3 * generator.nextGaussian()) }
        let weight = min(1, Double(step) / Double(2 * stepsPerEpoch))
        let (loss, gradients) = model.lossAndGradients(
            features: Tensor(shape: [rows.count, featureCount], data: x), targets: Tensor(shape: [rows.count, classes], data: y),
            cooccurrenceWeight: Float(weight), training: true, seed: generator.next())
        optimizer.update(&model.parameters, gradients: gradients)
        lossSum += Double(loss) * Double(rows.count)
    }
    let seconds = now() - started
    print(
        json([
            ("implementation", "swift"), ("windows", windows), ("batch", batchSize), ("steps", stepsPerEpoch),
            ("epoch_seconds", seconds), ("step_ms", seconds / Double(stepsPerEpoch) * 1e3), ("train_loss", lossSum / Double(windows)),
        ]))
}
