import JSON
import MPCLMath

/// A trained model as one `.safetensors` file (docs/SERVICE.md, Checkpoints): the parameters under their
/// own names, `normalization.mean`/`.std`, `labels.mean` (p̄) and `labels.cooccurrence` (Ĉ), and
/// `__metadata__` with `format`, `format_version`, `config` (JSON) and `training` (JSON provenance).
public struct Checkpoint: Sendable {
    public static let formatName = "mpcl-checkpoint"
    public static let formatVersion = "1"

    public var model: Model<Float>
    /// Training-set feature statistics (identity-like for per-subject models, which use calibration).
    public var normalization: FeatureNormalization
    /// Provenance: data, layout, protocol, fold, seed, epochs, project version, held-out metrics.
    public var training: JSON

    public init(model: Model<Float>, normalization: FeatureNormalization, training: JSON) {
        self.model = model
        self.normalization = normalization
        self.training = training
    }

    /// The checkpoint as a safetensors container.
    public var container: SafeTensors {
        let classes = model.config.labels.count
        let parameters = model.parameters
        var entries = parameters.slots.map {
            SafeTensors.Entry(name: $0.name, shape: $0.shape, values: Array(parameters.buffer[$0.range]))
        }
        entries.append(.init(name: "normalization.mean", shape: [normalization.mean.count], values: normalization.mean))
        entries.append(.init(name: "normalization.std", shape: [normalization.std.count], values: normalization.std))
        entries.append(.init(name: "labels.mean", shape: [classes], values: model.labelStatistics.mean.map { Float($0) }))
        entries.append(
            .init(name: "labels.cooccurrence", shape: [classes, classes], values: model.labelStatistics.cooccurrence.map { Float($0) }))
        return SafeTensors(
            metadata: [
                (key: "format", value: Checkpoint.formatName), (key: "format_version", value: Checkpoint.formatVersion),
                (key: "config", value: model.config.json.text), (key: "training", value: training.text),
            ],
            entries: entries)
    }

    /// Writes the checkpoint atomically: never a half-written file under `path`.
    public func write(to path: String) throws(FileError) {
        try AtomicFile.write(container.serialized(), to: path)
    }

    /// Reads and validates a checkpoint file; the error names what is wrong.
    public static func read(from path: String) throws(CheckpointError) -> Checkpoint {
        try readKeepingBytes(from: path).checkpoint
    }

    /// The same, also handing back the file's bytes, for a caller that identifies the model by its
    /// exact content (the service's model repository digests them).
    public static func readKeepingBytes(from path: String) throws(CheckpointError) -> (checkpoint: Checkpoint, bytes: [UInt8]) {
        let bytes: [UInt8]
        do { bytes = try AtomicFile.read(path) } catch { throw CheckpointError("\(error)") }
        do {
            return (try Checkpoint(container: SafeTensors(bytes: bytes)), bytes)
        } catch {
            throw CheckpointError("\(path): \(error.description)")
        }
    }

    /// Validates a container as a checkpoint of this format.
    public init(container: SafeTensors) throws(CheckpointError) {
        guard let format = container.metadata("format") else {
            throw CheckpointError("no 'format' in __metadata__: not an mpcl checkpoint")
        }
        guard format == Checkpoint.formatName else { throw CheckpointError("format is '\(format)', expected '\(Checkpoint.formatName)'") }
        guard let version = container.metadata("format_version"), version == Checkpoint.formatVersion else {
            throw CheckpointError(
                "format_version is '\(container.metadata("format_version") ?? "missing")'; this build reads version \(Checkpoint.formatVersion)"
            )
        }
        guard let configText = container.metadata("config") else { throw CheckpointError("no 'config' in __metadata__") }
        let config: ModelConfig
        do { config = try ModelConfig(json: JSON.parse(configText)) } catch let error as ConfigError {
            throw CheckpointError(error.description)
        } catch { throw CheckpointError("config is not valid JSON: \(error)") }
        let training: JSON
        do { training = try JSON.parse(container.metadata("training") ?? "{}") } catch {
            throw CheckpointError("training is not valid JSON: \(error)")
        }
        let classes = config.labels.count
        let features = config.layout.featureCount
        func tensor(_ name: String, shape: [Int]) throws(CheckpointError) -> [Float] {
            guard let entry = container.entry(name) else { throw CheckpointError("missing tensor '\(name)'") }
            guard entry.shape == shape else { throw CheckpointError("tensor '\(name)' has shape \(entry.shape), expected \(shape)") }
            return entry.values
        }
        let mean = try tensor("normalization.mean", shape: [features])
        let std = try tensor("normalization.std", shape: [features])
        guard std.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw CheckpointError("normalization.std has a non-positive or non-finite entry")
        }
        let labelMean = try tensor("labels.mean", shape: [classes])
        let cooccurrence = try tensor("labels.cooccurrence", shape: [classes, classes])
        var parameters = ParameterSet<Float>()
        let reserved: Set = ["normalization.mean", "normalization.std", "labels.mean", "labels.cooccurrence"]
        for entry in container.entries where !reserved.contains(entry.name) {
            guard entry.values.allSatisfy(\.isFinite) else { throw CheckpointError("tensor '\(entry.name)' contains NaN or infinity") }
            parameters.add(entry.name, Tensor(shape: entry.shape, data: entry.values))
        }
        let statistics = LabelStatistics(mean: labelMean.map { Double($0) }, cooccurrence: cooccurrence.map { Double($0) })
        let model: Model<Float>
        do { model = try Model(config: config, parameters: parameters, labelStatistics: statistics) } catch {
            throw CheckpointError(error.description)
        }
        guard model.parameters.names.count == parameters.names.count else {
            let unknown = Set(parameters.names).subtracting(model.parameters.names).sorted()
            throw CheckpointError("tensors not used by this configuration: \(unknown.joined(separator: ", "))")
        }
        self.init(model: model, normalization: FeatureNormalization(mean: mean, std: std), training: training)
    }
}
