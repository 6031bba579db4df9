import Foundation
import JSON
import MPCL
import MPCLMath

/// The resume state of a `fit` run, in `DIR/resume/`, every file written atomically:
/// - `run.json` — the run's description; `--resume` refuses state written by a different run;
/// - `state.safetensors` — the fold in progress after its last completed epoch: parameters
///   (`param/<name>`), best-so-far parameters (`best/<name>`), Adam moments (`adam.m/<name>`,
///   `adam.v/<name>`) and, in `__metadata__.progress`, fold, epochs done, Adam step, learning rate,
///   best epoch and KL, history. Random numbers need no state: each epoch re-derives its generator
///   from (seed, fold, epoch);
/// - `fold-<i>.csv`, `fold-<i>.safetensors`, `fold-<i>.json` — a finished fold's predictions,
///   best-model checkpoint and report entry (the JSON is written last and marks the fold done).
/// The directory is removed when the run's outputs are written.
struct ResumeStore {
    static let format = "mpcl-train-resume"
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
        let checkpoint = try Checkpoint.read(from: path(name + ".safetensors")).checkpoint
        return FoldResult(fold: fold, entry: entry, predictions: predictions, checkpoint: checkpoint)
    }

    // MARK: the fold in progress

    func saveState(_ state: TrainingState, fold: Int) throws {
        var entries: [SafeTensors.Entry] = []
        let names = state.model.parameters.names
        for (index, name) in names.enumerated() {
            let shape = state.model.parameters.tensors[index].shape
            entries.append(.init(name: "param/\(name)", shape: shape, values: state.model.parameters.tensors[index].data))
            entries.append(.init(name: "best/\(name)", shape: shape, values: state.bestParameters.tensors[index].data))
            entries.append(.init(name: "adam.m/\(name)", shape: shape, values: state.optimizer.firstMoments[index]))
            entries.append(.init(name: "adam.v/\(name)", shape: shape, values: state.optimizer.secondMoments[index]))
        }
        let progress: JSON = [
            "fold": .number(Double(fold)), "epochs_done": .number(Double(state.epochsDone)),
            "adam_step": .number(Double(state.optimizer.step)), "learning_rate": .number(state.optimizer.learningRate),
            "best_epoch": .number(Double(state.bestEpoch)),
            "best_validation_kl": state.bestValidationKL.map { .number($0) } ?? .null,
            "history": .array(state.history.map(\.json)),
        ]
        let container = SafeTensors(
            metadata: [(key: "format", value: Self.format), (key: "format_version", value: "1"), (key: "progress", value: progress.text)],
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
        let progress = try JSON.parse(text)
        guard progress["fold"]?.intValue == fold else { return nil }
        guard let epochsDone = progress["epochs_done"]?.intValue, let step = progress["adam_step"]?.intValue,
            let learningRate = progress["learning_rate"]?.doubleValue, let bestEpoch = progress["best_epoch"]?.intValue
        else { throw TrainingError.data("\(file): incomplete progress metadata") }
        var model = fresh.model
        var best = fresh.model.parameters
        var first: [[Float]] = []
        var second: [[Float]] = []
        for (index, name) in model.parameters.names.enumerated() {
            let shape = model.parameters.tensors[index].shape
            func values(_ prefix: String) throws -> [Float] {
                guard let entry = container.entry("\(prefix)/\(name)"), entry.shape == shape else {
                    throw TrainingError.data("\(file): tensor '\(prefix)/\(name)' is missing or has the wrong shape")
                }
                return entry.values
            }
            model.parameters.tensors[index] = Tensor(shape: shape, data: try values("param"))
            best.tensors[index] = Tensor(shape: shape, data: try values("best"))
            first.append(try values("adam.m"))
            second.append(try values("adam.v"))
        }
        let optimizer = Adam<Float>(
            learningRate: learningRate, weightDecay: recipe.weightDecay, decay: recipe.learningRateDecay, step: step,
            firstMoments: first, secondMoments: second)
        return TrainingState(
            model: model, optimizer: optimizer, epochsDone: epochsDone, bestParameters: best, bestEpoch: bestEpoch,
            bestValidationKL: progress["best_validation_kl"]?.doubleValue,
            history: (progress["history"]?.arrayValue ?? []).compactMap(EpochRecord.init(json:)))
    }
}
