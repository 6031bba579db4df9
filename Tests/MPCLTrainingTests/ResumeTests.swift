import Foundation
import MPCL
import Testing

@testable import MPCLTraining

struct SimulatedCrash: Error {}

@Suite struct ResumeTests {
    typealias F = TrainingFixtures

    /// Runs `options` with a crash after `epochs` epochs of `fold`; returns the output directory.
    func interrupted(_ options: FitOptions, fold: Int, epochs: Int) throws -> String {
        var run = FitRun(options: options)
        run.afterEpoch = { f, done in if f == fold && done == epochs { throw SimulatedCrash() } }
        #expect(throws: TrainingError.self) { try run.run() }
        return options.outputDirectory
    }

    @Test(arguments: [(0, 2), (1, 1)])
    func resumedRunEqualsUninterruptedRun(fold: Int, epoch: Int) throws {
        let reference = try FitRun(options: F.options(model: .mlp, epochs: 3)).run()

        var options = F.options(model: .mlp, epochs: 3)
        let directory = try interrupted(options, fold: fold, epochs: epoch)
        #expect(F.files(in: directory) == ["resume"], "no output file before the run finishes")
        let state = F.files(in: (directory as NSString).appendingPathComponent("resume"))
        #expect(state.contains("state.safetensors"))
        #expect(state.contains("fold-0.json") == (fold == 1), "a finished fold is kept")

        options.resume = true
        let resumed = try FitRun(options: options).run()
        #expect(F.files(in: directory) == ["model.safetensors", "predictions.csv", "report.json", "report.svg"])
        #expect(resumed.predictions == reference.predictions, "bit-identical to the uninterrupted run")
        for metric in Metric.allCases {
            #expect(F.pooledMetric(resumed.report.json, metric) == F.pooledMetric(reference.report.json, metric))
        }
        let history = resumed.report.json["folds"]?.arrayValue?[fold]["history"]?.arrayValue ?? []
        #expect(history.map { $0["epoch"]?.intValue } == [1, 2, 3], "the history spans the interruption")
        let checkpoint = try Checkpoint.read(from: resumed.modelPath)
        #expect(
            checkpoint.model.parameters.tensors.map(\.data)
                == (try Checkpoint.read(from: reference.modelPath)).model.parameters.tensors.map(\.data))
    }

    @Test func mpclResumesMidFoldToTheSameModel() throws {
        let reference = try FitRun(options: F.options(model: .mpcl, protocolName: "kfold:2", epochs: 2, fold: 1)).run()
        var options = F.options(model: .mpcl, protocolName: "kfold:2", epochs: 2, fold: 1)
        _ = try interrupted(options, fold: 1, epochs: 1)
        options.resume = true
        let resumed = try FitRun(options: options).run()
        #expect(resumed.predictions == reference.predictions)
    }

    @Test func resumeRefusesTheStateOfAnotherRun() throws {
        var options = F.options(model: .linear, epochs: 2)
        _ = try interrupted(options, fold: 0, epochs: 1)
        options.resume = true
        options.seed = 1
        do {
            _ = try FitRun(options: options).run()
            Issue.record("resumed a different run")
        } catch {
            #expect(error.kind == .usage)
            #expect(error.message.contains("seed"))
        }
    }

    @Test func resumeWithoutStateStartsFresh() throws {
        var options = F.options(model: .linear, epochs: 1)
        options.resume = true
        let outcome = try FitRun(options: options).run()
        #expect(outcome.report.json["folds"]?.arrayValue?.count == 2)
    }
}
