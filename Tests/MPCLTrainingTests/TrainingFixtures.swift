import EmotionData
import Foundation
import JSON
import MPCL
import TestSupport

@testable import MPCLTraining

/// A tiny synthetic corpus on disk (5 subjects × 32 clips × 3–5 windows ≈ 640 windows), written
/// once per test process, so every test runs the real file → dataset → folds path in seconds.
enum TrainingFixtures {
    static let corpus: String = {
        var parameters = SyntheticCorpus.Parameters()
        parameters.subjects = 5
        parameters.windowsPerClip = 3...5
        let directory = TemporaryDirectory.unusedPath("corpus")
        _ = try! SyntheticCorpus(seed: 11, parameters: parameters).write(to: directory)
        return directory
    }()

    /// Options for a small, fast run on the fixture corpus.
    static func options(
        model: Architecture = .linear, protocolName: String = "kfold:2", epochs: Int? = 2, fold: Int? = nil,
        normalize: NormalizationMode = .global, out: String? = nil
    ) -> FitOptions {
        var options = FitOptions(
            dataPath: corpus, evaluation: try! ProtocolName.parse(protocolName),
            outputDirectory: out ?? TemporaryDirectory.unusedPath("run"))
        options.architecture = model
        options.epochs = epochs
        options.batchSize = 64
        options.fold = fold
        options.normalization = normalize
        return options
    }

    static func readJSON(_ path: String) throws -> JSON {
        try JSON.parse(try AtomicFile.read(path))
    }

    static func readPredictions(_ directory: String) throws -> PredictionTable {
        let path = (directory as NSString).appendingPathComponent("predictions.csv")
        return try PredictionTable(csv: String(decoding: try AtomicFile.read(path), as: UTF8.self), file: path)
    }

    static func files(in directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }

    static func pooledMetric(_ report: JSON, _ metric: Metric) -> Double {
        report["metrics"]?[metric.rawValue]?["mean"]?.doubleValue ?? .nan
    }
}
