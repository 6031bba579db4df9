import Foundation
import MPCL
import MPCLMath

/// Forward-pass throughput of the default DMER-layout MPCL model and the MLP baseline, one BLAS
/// thread, median of repeated timed runs. Usage: mpcl-bench [forward|train-step] [--seconds S]
setBLASThreads(1)
tuneAllocatorForTensors()

func medianSeconds(repeats: Int, _ body: () -> Void) -> Double {
    body()  // warm-up
    var samples: [Double] = []
    for _ in 0..<repeats {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
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
            let seconds = medianSeconds(repeats: repeats) { _ = predictor.distributions(rawFeatures: input, rows: batch) }
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
