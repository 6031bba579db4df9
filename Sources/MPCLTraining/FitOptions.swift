import EmotionData
import EmotionVocabulary
import MPCL
import MPCLMath

/// How features are z-scored before the model sees them.
public enum NormalizationMode: String, CaseIterable, Sendable {
    /// Every window with the fold's training-window statistics; the checkpoint carries them.
    case global
    /// Each subject with its own windows' statistics; the checkpoint stores the identity and a
    /// client must send calibration statistics of the person (`perSubjectNormalization` in the config).
    case subject
}

/// Everything `mpcl-train fit` needs, already validated as values (files are checked when read).
public struct FitOptions: Sendable {
    public static let defaultBatchSize = 128
    public static let defaultSeed: UInt64 = 3407
    public static let defaultLayout = "dmer"

    public var dataPath: String
    /// A built-in layout name or a JSON layout file.
    public var layout = FitOptions.defaultLayout
    public var evaluation: EvaluationProtocol
    public var architecture: Architecture = .mpcl
    /// MPCL modules switched off: `msam`, `proto`, `cooc`, `comp`.
    public var ablations: [String] = []
    public var normalization: NormalizationMode = .global
    /// A fixed epoch budget (`--epochs N`); nil trains by `stopping` (the `mean` model trains none
    /// whatever this says).
    public var epochs: Int?
    /// The default, validation-driven budget (used when `epochs` is nil).
    public var stopping = StoppingRule()
    public var batchSize = FitOptions.defaultBatchSize
    public var seed = FitOptions.defaultSeed
    /// Run only this 0-based fold (one Kubernetes Indexed Job pod per fold); nil runs all.
    public var fold: Int?
    /// `--seeds`: run the whole experiment once per seed (in `DIR/seed-<S>/`) and report the spread;
    /// nil runs once with `seed`.
    public var seeds: [UInt64]?
    /// Continue from the resume state in `outputDirectory`.
    public var resume = false
    public var outputDirectory: String

    /// The budget every fold trains with.
    public var budget: TrainingBudget { epochs.map { .fixedEpochs($0) } ?? .adaptive(stopping) }

    public init(dataPath: String, evaluation: EvaluationProtocol, outputDirectory: String) {
        self.dataPath = dataPath
        self.evaluation = evaluation
        self.outputDirectory = outputDirectory
    }

    /// The options from the command line's strings; every rejection is a usage error.
    public init(
        data: String, layout: String, protocolName: String, model: String, ablate: String?, normalize: String,
        epochs: Int?, patience: Int? = nil, minSteps: Int? = nil, maxSteps: Int? = nil, batchSize: Int, seed: UInt64,
        seeds: String? = nil, fold: Int?, resume: Bool, out: String
    ) throws(TrainingError) {
        self.init(dataPath: data, evaluation: try ProtocolName.parse(protocolName), outputDirectory: out)
        self.layout = layout
        guard let architecture = Architecture(rawValue: model.lowercased()) else {
            throw .usage("unknown model '\(model)': use one of \(Architecture.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.architecture = architecture
        ablations = CommaSeparatedList.items(ablate ?? "")
        guard let normalization = NormalizationMode(rawValue: normalize.lowercased()) else {
            throw .usage("unknown normalisation '\(normalize)': use global or subject")
        }
        self.normalization = normalization
        self.epochs = epochs
        if epochs != nil && (patience != nil || minSteps != nil || maxSteps != nil) {
            throw .usage("--epochs fixes the budget; it cannot be combined with --patience, --min-steps or --max-steps")
        }
        if let patience { stopping.patienceSteps = patience }
        if let minSteps { stopping.floorSteps = minSteps }
        if let maxSteps { stopping.ceilingSteps = maxSteps }
        self.batchSize = batchSize
        self.seed = seed
        if let seeds {
            var parsed: [UInt64] = []
            for field in CommaSeparatedList.fields(seeds) {
                guard let value = UInt64(field) else {
                    throw .usage("--seeds takes comma-separated unsigned integers, e.g. 3407,3408,3409; got '\(seeds)'")
                }
                parsed.append(value)
            }
            guard Set(parsed).count == parsed.count else { throw .usage("--seeds lists a seed twice: \(seeds)") }
            self.seeds = parsed
        }
        self.fold = fold
        self.resume = resume
        try validate()
    }

    /// Checks the values that do not need the data.
    public func validate() throws(TrainingError) {
        if let epochs, epochs < 1 { throw .usage("--epochs must be at least 1, got \(epochs)") }
        guard stopping.patienceSteps >= 1 else { throw .usage("--patience must be at least 1 step, got \(stopping.patienceSteps)") }
        guard stopping.floorSteps >= 1 else { throw .usage("--min-steps must be at least 1, got \(stopping.floorSteps)") }
        guard stopping.ceilingSteps >= stopping.floorSteps else {
            throw .usage("--max-steps (\(stopping.ceilingSteps)) must be at least --min-steps (\(stopping.floorSteps))")
        }
        if let seeds {
            guard !seeds.isEmpty else { throw .usage("--seeds needs at least one seed") }
        }
        guard batchSize >= 1 else { throw .usage("--batch-size must be at least 1, got \(batchSize)") }
        if let fold, fold < 0 { throw .usage("--fold is 0-based and must be ≥ 0, got \(fold)") }
        guard !outputDirectory.isEmpty else { throw .usage("--out must name a directory") }
        if !ablations.isEmpty && architecture != .mpcl {
            throw .usage("--ablate switches off MPCL modules; model '\(architecture.rawValue)' has none")
        }
        do { _ = try ModuleSwitches(ablating: ablations) } catch { throw .usage("--ablate: \(error.description)") }
    }

    /// The model configuration for a dataset's layout and labels.
    public func modelConfig(layout input: InputLayout, labels: LabelSet) throws(TrainingError) -> ModelConfig {
        var config = ModelConfig(architecture: architecture, layout: input, labels: labels)
        do { config.modules = try ModuleSwitches(ablating: ablations) } catch { throw .usage("--ablate: \(error.description)") }
        config.perSubjectNormalization = normalization == .subject
        let problems = config.validationErrors()
        guard problems.isEmpty else { throw .data("the data's layout cannot configure the model: \(problems.joined(separator: "; "))") }
        return config
    }
}

/// The protocol names of the command line: `subject-dependent`, `subject-dependent-random`, `loso`,
/// `kfold:N`, `given`.
public enum ProtocolName {
    public static let choices = "subject-dependent, subject-dependent-random, loso, kfold:N, given"

    /// Parses a command-line protocol name (`kfold-N` is accepted too).
    public static func parse(_ text: String) throws(TrainingError) -> EvaluationProtocol {
        if let parsed = EvaluationProtocol(name: text) { return parsed }
        if text.lowercased().hasPrefix("kfold") {
            throw .usage("protocol '\(text)': kfold needs a number of folds ≥ 2, e.g. kfold:5")
        }
        throw .usage("unknown protocol '\(text)': use one of \(choices)")
    }
}
