import EmotionData
import EmotionVocabulary
import Foundation
import JSON
import MPCL
import TestSupport
import Testing

@testable import MPCLTraining

@Suite struct FitRunTests {
    typealias F = TrainingFixtures

    @Test func reportHasTheContractsShapeAndPredictionsOneRowPerTestWindow() throws {
        let outcome = try FitRun(options: F.options()).run()
        let directory = (outcome.reportPath as NSString).deletingLastPathComponent
        #expect(F.files(in: directory) == ["model.safetensors", "predictions.csv", "report.json", "report.svg"])
        let report = try F.readJSON(outcome.reportPath)
        #expect(report.objectValue?.prefix(4).map(\.key) == ["model", "protocol", "folds", "metrics"])
        #expect(report["model"]?.stringValue == "linear")
        #expect(report["protocol"]?.stringValue == "kfold:2")
        #expect(report["leaky"]?.boolValue == false)
        #expect(report["normalize"]?.stringValue == "global")
        #expect(report["seed"]?.intValue == 3407)
        #expect(report["epochs"]?.intValue == 2)
        let metricNames = ["chebyshev", "clark", "canberra", "kl", "cosine", "intersection"]
        func checkMetrics(_ metrics: JSON?) {
            #expect(metrics?.objectValue?.map(\.key) == metricNames)
            for name in metricNames {
                #expect(metrics?[name]?.objectValue?.map(\.key) == ["mean", "std"])
                #expect(metrics?[name]?["mean"]?.doubleValue?.isFinite == true)
            }
        }
        checkMetrics(report["metrics"])
        let folds = try #require(report["folds"]?.arrayValue)
        #expect(folds.count == 2)
        var testWindows = 0
        for (index, fold) in folds.enumerated() {
            #expect(fold["fold"]?.intValue == index)
            #expect((fold["test_subjects"]?.arrayValue?.count ?? 0) > 0)
            checkMetrics(fold["metrics"])
            let history = try #require(fold["history"]?.arrayValue)
            #expect(history.count == 2)
            #expect(history.allSatisfy { $0["train_loss"]?.doubleValue != nil && $0["validation_kl"]?.doubleValue != nil })
            let best = try #require(fold["best_epoch"]?.intValue)
            #expect((1...2).contains(best))
            testWindows += fold["windows"]?["test"]?.intValue ?? 0
        }
        #expect(report["best_epochs"]?.arrayValue?.count == 2)

        let text = String(decoding: try AtomicFile.read(outcome.predictionsPath), as: UTF8.self)
        let lines = text.split(separator: "\n")
        let labels = LabelSet.panas.names
        #expect(String(lines[0]) == (["subject", "clip"] + labels.map { "y_\($0)" } + labels.map { "p_\($0)" }).joined(separator: ","))
        #expect(lines.count - 1 == testWindows)
        #expect(report["test_windows"]?.intValue == testWindows)
        let firstRow = lines[1].split(separator: ",")
        #expect(firstRow.count == 2 + 2 * labels.count)
        #expect(firstRow[0].hasPrefix("synth") && Int(firstRow[1]) != nil)
        for field in firstRow[2...] {
            let digits = field.prefix { $0 != "e" }.filter(\.isNumber).drop { $0 == "0" }
            #expect(digits.count >= 9, "\(field) has fewer than 9 significant digits")
        }
    }

    @Test func reportedMetricsEqualMetricsRecomputedFromPredictionsCSV() throws {
        let outcome = try FitRun(options: F.options(model: .mlp, epochs: 1)).run()
        let directory = (outcome.reportPath as NSString).deletingLastPathComponent
        let table = try F.readPredictions(directory)
        let report = try F.readJSON(outcome.reportPath)
        let scores = table.scores
        for metric in Metric.allCases {
            #expect(abs(scores.summary(metric).mean - F.pooledMetric(report, metric)) < 1e-12)
            #expect(abs(scores.summary(metric).std - (report["metrics"]?[metric.rawValue]?["std"]?.doubleValue ?? .nan)) < 1e-12)
        }
        // Each fold's metrics come from its own rows, which are in fold order.
        var offset = 0
        for fold in report["folds"]?.arrayValue ?? [] {
            let count = fold["windows"]?["test"]?.intValue ?? 0
            let classes = table.labels.count
            let rows = offset..<(offset + count)
            let foldScores = MetricScores(
                truth: Array(table.truth[(rows.lowerBound * classes)..<(rows.upperBound * classes)]),
                predictions: Array(table.predicted[(rows.lowerBound * classes)..<(rows.upperBound * classes)]), classes: classes)
            #expect(abs(foldScores.summary(.kl).mean - (fold["metrics"]?["kl"]?["mean"]?.doubleValue ?? .nan)) < 1e-12)
            #expect(Set(table.subjects[rows]) == Set((fold["test_subjects"]?.arrayValue ?? []).compactMap(\.stringValue)))
            offset += count
        }
        #expect(offset == table.rowCount)
    }

    @Test func separateFoldRunsMergeIntoTheAllFoldsReport() throws {
        let all = try FitRun(options: F.options(protocolName: "kfold:3")).run()
        let root = TemporaryDirectory.unusedPath("merge")
        var directories: [String] = []
        for fold in 0..<3 {
            let directory = (root as NSString).appendingPathComponent("fold-\(fold)")
            _ = try FitRun(options: F.options(protocolName: "kfold:3", fold: fold, out: directory)).run()
            directories.append(directory)
        }
        let merged = try Merge.run(directories: directories.reversed(), outputDirectory: root).json
        for metric in Metric.allCases {
            #expect(abs(F.pooledMetric(merged, metric) - F.pooledMetric(all.report.json, metric)) < 1e-12)
        }
        #expect(merged["folds"]?.arrayValue?.compactMap { $0["fold"]?.intValue } == [0, 1, 2])
        #expect(merged["model_file_fold"]?.intValue == 2)
        #expect(try F.readPredictions(root) == all.predictions)
        let reread = try F.readJSON((root as NSString).appendingPathComponent("report.json"))
        #expect(F.pooledMetric(reread, .chebyshev) == F.pooledMetric(merged, .chebyshev))
        _ = try Checkpoint.read(from: (root as NSString).appendingPathComponent("model.safetensors"))
    }

    @Test func mergeRefusesDuplicateFoldsAndForeignRuns() throws {
        let a = try FitRun(options: F.options(protocolName: "kfold:2", epochs: 1, fold: 0)).run()
        let b = try FitRun(options: F.options(protocolName: "kfold:2", epochs: 1, fold: 0)).run()
        let c = try FitRun(options: F.options(model: .mean, protocolName: "kfold:2", fold: 1)).run()
        let dirs = [a, b, c].map { ($0.reportPath as NSString).deletingLastPathComponent }
        let (first, second) = (TemporaryDirectory.unusedPath("m"), TemporaryDirectory.unusedPath("m"))
        #expect(throws: TrainingError.self) { try Merge.run(directories: [dirs[0], dirs[1]], outputDirectory: first) }
        #expect(throws: TrainingError.self) { try Merge.run(directories: [dirs[0], dirs[2]], outputDirectory: second) }
    }

    @Test(arguments: ["loso", "kfold:2"])
    func subjectIndependentFoldsNeverTrainOrValidateOnTestSubjects(protocolName: String) throws {
        let outcome = try FitRun(options: F.options(protocolName: protocolName, epochs: 1)).run()
        let folds = try #require(outcome.report.json["folds"]?.arrayValue)
        #expect(folds.count == (protocolName == "loso" ? 5 : 2))
        var tested: [String] = []
        for fold in folds {
            let test = Set((fold["test_subjects"]?.arrayValue ?? []).compactMap(\.stringValue))
            let train = Set((fold["train_subjects"]?.arrayValue ?? []).compactMap(\.stringValue))
            let validation = Set((fold["validation_subjects"]?.arrayValue ?? []).compactMap(\.stringValue))
            #expect(!test.isEmpty && !train.isEmpty && !validation.isEmpty)
            #expect(test.isDisjoint(with: train))
            #expect(test.isDisjoint(with: validation))
            #expect(train.isDisjoint(with: validation))
            tested += test
        }
        #expect(tested.sorted() == (1...5).map { "synth0\($0)" }, "every subject is tested exactly once")
        let predicted = Set(outcome.predictions.subjects)
        #expect(predicted.count == 5)
    }

    @Test func checkpointIsLoadableAndReproducesTheLastFoldsPredictions() throws {
        let outcome = try FitRun(options: F.options(model: .mpcl, protocolName: "kfold:2", epochs: 1)).run()
        let checkpoint = try Checkpoint.read(from: outcome.modelPath)
        #expect(checkpoint.training["fold"]?.intValue == 1)
        #expect(checkpoint.training["protocol"]?.stringValue == "kfold:2")
        #expect(checkpoint.training["best_epoch"]?.intValue == 1)
        #expect(checkpoint.training["metrics"]?["kl"]?["mean"]?.doubleValue != nil)
        #expect(checkpoint.training["project_version"]?.stringValue == ProjectVersion.current)
        #expect(checkpoint.model.config.architecture == .mpcl)
        // The served path (Predictor on raw features) gives exactly the written test predictions:
        // no noise, mixup or dropout reached them.
        let dataset = try DatasetLoader.load(path: F.corpus, layout: .dmer())
        let fold = try #require(outcome.report.json["folds"]?.arrayValue?.last)
        let subjects = Set((fold["test_subjects"]?.arrayValue ?? []).compactMap(\.stringValue))
        let rows = (0..<dataset.windowCount).filter { subjects.contains(dataset.subjects[$0]) }
        let raw = rows.flatMap { dataset.featureRow($0) }
        let served = Predictor(checkpoint: checkpoint).distributions(rawFeatures: raw, rows: rows.count)
        let written = Array(outcome.predictions.predicted.suffix(served.count))
        #expect(zip(served, written).allSatisfy { abs($0 - $1) <= 1e-6 })
    }

    @Test func perSubjectNormalisationStoresTheIdentityAndAsksForCalibration() throws {
        let outcome = try FitRun(options: F.options(epochs: 1, normalize: .subject)).run()
        let checkpoint = try Checkpoint.read(from: outcome.modelPath)
        #expect(checkpoint.model.config.perSubjectNormalization)
        #expect(checkpoint.normalization == .identity(count: checkpoint.model.config.layout.featureCount))
        #expect(checkpoint.training["needs_calibration"]?.boolValue == true)
        #expect(outcome.report.json["normalize"]?.stringValue == "subject")
    }

    @Test func meanModelPredictsTheTrainingMeanWithoutTraining() throws {
        let outcome = try FitRun(options: F.options(model: .mean, epochs: 5)).run()
        #expect(outcome.report.json["epochs"]?.intValue == 0)
        #expect(outcome.report.json["folds"]?.arrayValue?.allSatisfy { $0["history"]?.arrayValue?.isEmpty == true } == true)
        let classes = outcome.predictions.labels.count
        let first = Array(outcome.predictions.predicted[0..<classes])
        #expect(abs(first.reduce(0, +) - 1) < 1e-5)
        #expect(outcome.predictions.predicted.suffix(classes).count == classes)
    }

    @Test func aSeedGivesTheSameRun() throws {
        let a = try FitRun(options: F.options(model: .mlp, epochs: 1)).run()
        let b = try FitRun(options: F.options(model: .mlp, epochs: 1)).run()
        #expect(a.predictions == b.predictions)
    }

    @Test func randomSubjectDependentSplitIsMarkedLeaky() throws {
        let outcome = try FitRun(options: F.options(protocolName: "subject-dependent-random", epochs: 1)).run()
        #expect(outcome.report.json["leaky"]?.boolValue == true)
        #expect(outcome.report.json["folds"]?.arrayValue?.count == 5)
    }
}
