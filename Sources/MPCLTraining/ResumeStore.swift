import Foundation
import JSON
import MPCL
import MPCLMath

/// The resume state of a `fit` run, in `DIR/resume/`, every file written atomically:
/// - `run.json` — the run's description; `--resume` refuses state written by a different run;
/// - `state.safetensors` — the fold in progress after its last completed epoch: the model's
///   parameter buffer (`parameters`), the best-so-far buffer (`best`) and Adam's moments (`adam.m`,
///   `adam.v`), each one flat tensor in the layout of `ParameterSet.buffer` (the layout follows from
///   the run's model configuration, which `run.json` pins), and, in `__metadata__.progress`, fold,
///   epochs done, Adam step, learning rate, best epoch and KL, history. Random numbers need no state: each epoch re-derives its generator
///   from (seed, fold, epoch);
/// - `fold-<i>.csv`, `fold-<i>.safetensors`, `fold-<i>.json` — a finished fold's predictions,
///   best-model checkpoint and report entry (the JSON is written last and marks the fold done).
/// The directory is removed when the run's outputs are written.
struct ResumeStore {
    static let format = "mpcl-train-resume"
    /// 2: one flat tensor per buffer (1 had one tensor per parameter).
    static let formatVersion = "2"
    let directory: String

    init(outputDirectory: String) {
        directory = (outputDirectory as NSString).appendingPathComponent("resume")
    }

    func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }

    /// Starts a fresh store for `run` (dropping any earlier state).
    func reset(run: JSON) throws {
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try AtomicFile.write(run.serialized(), to: path("run.json"))
    }

    /// Opens the store for `--resume`: true when there is state of this same run to continue.
    func open(run: JSON) throws -> Bool {
        guard FileManager.default.fileExists(atPath: path("run.json")) else { return false }
        let stored = try JSON.parse(try AtomicFile.read(path("run.json")))
        for key in TrainingReport.sharedKeys + ["data", "fold_selection"] where stored[key] != run[key] {
            throw TrainingError.usage(
                "\(path("run.json")): the resume state belongs to a run with \(key) = \(stored[key]?.text ?? "none"), "
                    + "not \(run[key]?.text ?? "none"): run without --resume or use another --out")
        }
        return true
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }

    // MARK: finished folds

    func saveFinished(_ result: FoldResult) throws {
        let name = "fold-\(result.fold)"
        try AtomicFile.write(Array(result.predictions.csv.utf8), to: path(name + ".csv"))
        try result.checkpoint.write(to: path(name + ".safetensors"))
        try AtomicFile.write(result.entry.json.serialized(), to: path(name + ".json"))
        try? FileManager.default.removeItem(atPath: path("state.safetensors"))
    }

    func loadFinished(fold: Int) throws -> FoldResult? {
        let name = "fold-\(fold)"
        guard FileManager.default.fileExists(atPath: path(name + ".json")) else { return nil }
        let entry = try FoldReport(json: try JSON.parse(try AtomicFile.read(path(name + ".json"))), file: path(name + ".json"))
        let csv = String(decoding: try AtomicFile.read(path(name + ".csv")), as: UTF8.self)
        let predictions = try PredictionTable(csv: csv, file: path(name + ".csv"))
        let checkpoint = try Checkpoint.read(from: path(name + ".safetensors"))
        return FoldResult(fold: fold, entry: entry, predictions: predictions, checkpoint: checkpoint)
    }

    // MARK: the fold in progress

    func saveState(_ state: TrainingState, fold: Int) throws {
        let count = state.model.parameters.scalarCount
        let entries: [SafeTensors.Entry] = [
            .init(name: "parameters", shape: [count], values: state.model.parameters.buffer),
            .init(name: "best", shape: [count], values: state.bestParameters.buffer),
            .init(name: "adam.m", shape: [count], values: state.optimizer.firstMoments),
            .init(name: "adam.v", shape: [count], values: state.optimizer.secondMoments),
        ]
        let progress: JSON = [
            "fold": .number(Double(fold)), "epochs_done": .number(Double(state.epochsDone)),
            "adam_step": .number(Double(state.optimizer.step)), "learning_rate": .number(state.optimizer.learningRate),
            "best_epoch": .number(Double(state.bestEpoch)),
            "best_validation_kl": state.bestValidationKL.map { .number($0) } ?? .null,
            "history": .array(state.history.map(\.json)),
        ]
        let container = SafeTensors(
            metadata: [
                (key: "format", value: Self.format), (key: "format_version", value: Self.formatVersion),
                (key: "progress", value: progress.text),
            ],
            entries: entries)
        try AtomicFile.write(container.serialized(), to: path("state.safetensors"))
    }

    /// The saved state of `fold`, rebuilt around `fresh` (the fold's freshly initialised model), or
    /// nil when the saved state is of another fold or absent.
    func loadState(fold: Int, fresh: TrainingState, recipe: TrainingRecipe) throws -> TrainingState? {
        let file = path("state.safetensors")
        guard FileManager.default.fileExists(atPath: file) else { return nil }
        let container = try SafeTensors(bytes: try AtomicFile.read(file))
        guard container.metadata("format") == Self.format, let text = container.metadata("progress") else {
            throw TrainingError.data("\(file): not an mpcl-train resume state")
        }
        guard container.metadata("format_version") == Self.formatVersion else {
            throw TrainingError.data(
                "\(file): resume state format_version \(container.metadata("format_version") ?? "missing"), this build reads "
                    + "\(Self.formatVersion): run without --resume")
        }
        let progress = try JSON.parse(text)
        guard progress["fold"]?.intValue == fold else { return nil }
        guard let epochsDone = progress["epochs_done"]?.intValue, let step = progress["adam_step"]?.intValue,
            let learningRate = progress["learning_rate"]?.doubleValue, let bestEpoch = progress["best_epoch"]?.intValue
        else { throw TrainingError.data("\(file): incomplete progress metadata") }
        let count = fresh.model.parameters.scalarCount
        func buffer(_ name: String) throws -> [Float] {
            guard let entry = container.entry(name), entry.shape == [count] else {
                throw TrainingError.data("\(file): tensor '\(name)' is missing or is not the model's \(count) parameters")
            }
            return entry.values
        }
        var model = fresh.model
        model.parameters.buffer = try buffer("parameters")
        var best = fresh.model.parameters
        best.buffer = try buffer("best")
        let first = try buffer("adam.m")
        let second = try buffer("adam.v")
        let optimizer = Adam<Float>(
            learningRate: learningRate, weightDecay: recipe.weightDecay, step: step,
            firstMoments: first, secondMoments: second)
        return TrainingState(
            model: model, optimizer: optimizer, epochsDone: epochsDone, bestParameters: best, bestEpoch: bestEpoch,
            bestValidationKL: progress["best_validation_kl"]?.doubleValue,
            history: (progress["history"]?.arrayValue ?? []).compactMap(EpochRecord.init(json:)))
    }
}
