import Foundation
import JSON
import MPCL
import MPCLMath
import Randomness

/// mpcl-swift-predict predict --checkpoint PATH --input X.npy --output Y.npy [--chunk N]
///     distributions [rows, C] of the raw features X [rows, F] (float32), `chunk` rows per call
///     (default: all rows in one batch; 1 exercises the batch-1 gemv path).
/// mpcl-swift-predict gradients --checkpoint PATH --input X.npy --targets Y.npy --output G.safetensors [--weight W]
///     the training loss with dropout off and every parameter's gradient (W: co-occurrence ramp weight).
/// mpcl-swift-predict make-checkpoint --architecture A [--ablate msam,proto,cooc,comp] --seed S
///     --out PATH [--perturb SIGMA] [--head-gain G] [--layout dmer|emotiondict]
///     a freshly initialised (untrained) model with random label statistics and random feature
///     normalisation; `--perturb` adds N(0, σ²) to every parameter (LayerNorm gains/biases, the
///     association temperature and valence bias start at 1/0 and would otherwise test little);
///     `--head-gain` multiplies the last logit layer's weights by G (input-sensitive predictions).

struct UsageError: Error, CustomStringConvertible { var description: String }

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data(("mpcl-swift-predict: " + message + "\n").utf8))
    exit(2)
}

/// A minimal NPY reader: float32 little-endian ('<f4'), C order, 2-D only.
func readNPY(_ path: String) throws -> (rows: Int, columns: Int, values: [Float]) {
    guard let data = FileManager.default.contents(atPath: path) else { throw UsageError(description: "cannot read \(path)") }
    let bytes = [UInt8](data)
    guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1..<6]) == Array("NUMPY".utf8) else {
        throw UsageError(description: "\(path): not an .npy file")
    }
    let major = bytes[6]
    let headerLength: Int
    let headerStart: Int
    if major == 1 {
        headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        headerStart = 10
    } else {
        guard bytes.count >= 12 else { throw UsageError(description: "\(path): truncated header") }
        headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
        headerStart = 12
    }
    guard bytes.count >= headerStart + headerLength else { throw UsageError(description: "\(path): truncated header") }
    let header = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
    guard header.contains("'descr': '<f4'") else { throw UsageError(description: "\(path): dtype must be '<f4', header \(header)") }
    guard header.contains("'fortran_order': False") else { throw UsageError(description: "\(path): must be C order") }
    guard let open = header.range(of: "'shape': ("), let close = header[open.upperBound...].firstIndex(of: ")") else {
        throw UsageError(description: "\(path): no shape in header")
    }
    let dims = header[open.upperBound..<close].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        .filter { !$0.isEmpty }.compactMap { Int($0) }
    guard dims.count == 2 else { throw UsageError(description: "\(path): need a 2-D array, shape \(dims)") }
    let count = dims[0] * dims[1]
    let start = headerStart + headerLength
    guard bytes.count == start + 4 * count else { throw UsageError(description: "\(path): size does not match shape \(dims)") }
    var values = [Float](repeating: 0, count: count)
    values.withUnsafeMutableBytes { destination in
        bytes.withUnsafeBytes { source in
            destination.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[start..<(start + 4 * count)]))
        }
    }
    #if _endian(big)
        values = values.map { Float(bitPattern: UInt32(littleEndian: $0.bitPattern)) }
    #endif
    return (dims[0], dims[1], values)
}

/// Writes a float32 C-order 2-D .npy (version 1.0, header padded to 64 bytes).
func writeNPY(_ path: String, rows: Int, columns: Int, values: [Float]) throws {
    var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(rows), \(columns)), }"
    while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
    header += "\n"
    var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
    let length = header.utf8.count
    bytes += [UInt8(length & 0xff), UInt8(length >> 8)]
    bytes += Array(header.utf8)
    for value in values {
        let bits = value.bitPattern.littleEndian
        bytes += [UInt8(bits & 0xff), UInt8((bits >> 8) & 0xff), UInt8((bits >> 16) & 0xff), UInt8(bits >> 24)]
    }
    guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
        throw UsageError(description: "cannot write \(path)")
    }
}

func options(_ arguments: ArraySlice<String>) -> [String: String] {
    var result: [String: String] = [:]
    var iterator = arguments.makeIterator()
    while let key = iterator.next() {
        guard key.hasPrefix("--"), let value = iterator.next() else { fail("expected --option value pairs, got '\(key)'") }
        result[String(key.dropFirst(2))] = value
    }
    return result
}

func predict(_ option: [String: String]) throws {
    guard let checkpointPath = option["checkpoint"], let input = option["input"], let output = option["output"] else {
        fail("predict needs --checkpoint, --input and --output")
    }
    let checkpoint = try Checkpoint.read(from: checkpointPath)
    let predictor = Predictor(checkpoint: checkpoint)
    let (rows, columns, features) = try readNPY(input)
    guard columns == predictor.featureCount else { fail("input has \(columns) columns, the model needs \(predictor.featureCount)") }
    let chunk = max(1, Int(option["chunk"] ?? "") ?? rows)
    var result: [Float] = []
    result.reserveCapacity(rows * predictor.classCount)
    var start = 0
    while start < rows {
        let end = min(rows, start + chunk)
        result += predictor.distributions(rawFeatures: Array(features[(start * columns)..<(end * columns)]), rows: end - start)
        start = end
    }
    try writeNPY(output, rows: rows, columns: predictor.classCount, values: result)
}

/// The training loss (dropout off, so deterministic) and every parameter's gradient, as safetensors:
/// `loss` [1] plus one entry per parameter under its own name.
func gradients(_ option: [String: String]) throws {
    guard let checkpointPath = option["checkpoint"], let input = option["input"], let targetsPath = option["targets"],
        let output = option["output"]
    else { fail("gradients needs --checkpoint, --input, --targets and --output") }
    let checkpoint = try Checkpoint.read(from: checkpointPath)
    let model = checkpoint.model
    var (rows, columns, features) = try readNPY(input)
    guard columns == model.config.layout.featureCount else { fail("input has \(columns) columns") }
    let (targetRows, classes, targets) = try readNPY(targetsPath)
    guard targetRows == rows, classes == model.config.labels.count else { fail("targets must be [\(rows), \(model.config.labels.count)]") }
    checkpoint.normalization.apply(to: &features)
    let weight = Float(option["weight"] ?? "1") ?? 1
    let (loss, gradients) = model.lossAndGradients(
        features: Tensor(shape: [rows, columns], data: features), targets: Tensor(shape: [rows, classes], data: targets),
        cooccurrenceWeight: weight, training: false)
    var entries = [SafeTensors.Entry(name: "loss", shape: [1], values: [loss])]
    for slot in model.parameters.slots {
        entries.append(SafeTensors.Entry(name: slot.name, shape: slot.shape, values: Array(gradients[slot.range])))
    }
    let bytes = SafeTensors(metadata: [], entries: entries).serialized()
    guard FileManager.default.createFile(atPath: output, contents: Data(bytes)) else { fail("cannot write \(output)") }
}

func makeCheckpoint(_ option: [String: String]) throws {
    guard let name = option["architecture"], let architecture = Architecture(rawValue: name) else {
        fail("make-checkpoint needs --architecture mpcl|mlp|linear|mean")
    }
    guard let out = option["out"] else { fail("make-checkpoint needs --out") }
    let seed = UInt64(option["seed"] ?? "3407") ?? 3407
    var config = ModelConfig(architecture: architecture)
    switch option["layout"] ?? "dmer" {
    case "dmer": config.layout = .dmer
    case "emotiondict": config.layout = .emotionDictSample
    default: fail("--layout must be dmer or emotiondict")
    }
    if let ablate = option["ablate"], !ablate.isEmpty {
        config.modules = try ModuleSwitches(ablating: ablate.split(separator: ",").map(String.init))
    }
    var generator = SeededGenerator(seed: seed &+ 1_000_003)
    let classes = config.labels.count
    // Skewed random label distributions (softmax of scaled Gaussians with a per-class offset), so
    // p̄ — the head bias and the `mean` baseline — is far from uniform.
    var targets: [Float] = []
    for _ in 0..<256 {
        var logits: [Double] = []
        for c in 0..<classes {
            let offset: Double = Double(c % 5) * 0.4 - Double(c / 5) * 0.5
            logits.append(1.5 * generator.nextGaussian() + offset)
        }
        let peak = logits.max()!
        let exps = logits.map { Foundation.exp($0 - peak) }
        let total = exps.reduce(0, +)
        targets += exps.map { Float($0 / total) }
    }
    let statistics = LabelStatistics(targets: targets, classes: classes)
    var model = try Model<Float>(config: config, labelStatistics: statistics, seed: seed)
    if let sigma = Double(option["perturb"] ?? "0"), sigma > 0 {
        var parameters = model.parameters
        parameters.buffer = parameters.buffer.map { $0 + Float(generator.nextGaussian() * sigma) }
        model.parameters = parameters
    }
    if let gain = Float(option["head-gain"] ?? "1"), gain != 1 {
        // Scales the last logit layer, so predictions depend strongly on the input.
        let name = ["mpcl": "head.out.weight", "mlp": "mlp.fc3.weight", "linear": "linear.weight"][architecture.rawValue]
        if let name {
            var parameters = model.parameters
            parameters[name] = Tensor(shape: parameters[name].shape, data: parameters[name].data.map { $0 * gain })
            model.parameters = parameters
        }
    }
    model.refreshInferenceCache()
    let features = config.layout.featureCount
    let mean = (0..<features).map { _ in Float(generator.nextGaussian() * 3) }
    let std = (0..<features).map { _ in Float(0.05 + 2 * generator.nextUnit()) }
    let training: JSON = ["purpose": "parity", "seed": .number(Double(seed))]
    try Checkpoint(model: model, normalization: FeatureNormalization(mean: mean, std: std), training: training).write(to: out)
}

setBLASThreads(1)
let arguments = CommandLine.arguments.dropFirst()
do {
    switch arguments.first {
    case "predict": try predict(options(arguments.dropFirst()))
    case "make-checkpoint": try makeCheckpoint(options(arguments.dropFirst()))
    case "gradients": try gradients(options(arguments.dropFirst()))
    default: fail("usage: mpcl-swift-predict predict|make-checkpoint --option value …")
    }
} catch {
    fail("\(error)")
}
