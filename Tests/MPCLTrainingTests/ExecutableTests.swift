import Foundation
import MPCL
import MPCLMath
import TestSupport
import Testing

@testable import MPCLTraining

/// The `mpcl-train` binary itself: exit codes, one-line errors, help, and surviving `kill -9`.
@Suite struct ExecutableTests {
    typealias F = TrainingFixtures

    /// The executable SwiftPM built next to the test bundle.
    static let binary: String? = {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("mpcl-train").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }()

    func launch(_ arguments: [String]) throws -> ChildProcess {
        let binary = try #require(Self.binary, "mpcl-train is not built next to the tests")
        // The binary trains with this process's BLAS thread count, so both reproduce each other's
        // bits (OpenBLAS splits reductions by thread count); never change the count in-process:
        // other tests train concurrently.
        return try ChildProcess(
            binary, arguments,
            environment: ProcessInfo.processInfo.environment.merging(["OPENBLAS_NUM_THREADS": String(blasThreads)]) { $1 })
    }

    func run(_ arguments: [String]) throws -> ProcessOutput { try launch(arguments).finish() }

    func expectOneLineError(_ result: ProcessOutput, code: Int32, mentioning text: String) {
        #expect(result.status == code)
        #expect(result.stderr.split(separator: "\n").count == 1, "one line, got: \(result.stderr)")
        #expect(result.stderr.contains(text), "\(result.stderr)")
    }

    @Test func usageErrorsExitWithTwo() throws {
        let out = TemporaryDirectory.unusedPath("cli")
        expectOneLineError(
            try run(["fit", "--data", F.corpus, "--protocol", "bogus", "--model", "mpcl", "--out", out]), code: 2,
            mentioning: "unknown protocol 'bogus'")
        expectOneLineError(
            try run(["fit", "--data", F.corpus, "--protocol", "kfold:2", "--model", "mpcl"]), code: 2, mentioning: "--out")
        expectOneLineError(
            try run(["fit", "--data", F.corpus, "--protocol", "kfold:2", "--model", "linear", "--fold", "7", "--out", out]),
            code: 2, mentioning: "--fold 7 is out of range")
        expectOneLineError(try run(["fit", "--epochs", "x"]), code: 2, mentioning: "epochs")
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func dataErrorsExitWithOne() throws {
        let out = TemporaryDirectory.unusedPath("cli")
        expectOneLineError(
            try run(["fit", "--data", "/nonexistent.mat", "--protocol", "loso", "--model", "mean", "--out", out]), code: 1,
            mentioning: "/nonexistent.mat")
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func helpPrintsEveryDefault() throws {
        let fit = try run(["fit", "--help"])
        #expect(fit.status == 0)
        for text in [
            "(default: \(StoppingRule.defaultPatienceSteps))", "(default: \(StoppingRule.defaultCeilingSteps))", "adaptive budget",
            "(default: 128)", "(default: 3407)", "(default: global)", "(default: dmer)", "kfold:N",
        ] {
            #expect(fit.stdout.contains(text), "fit --help lacks \(text)")
        }
        let synth = try run(["synth", "--help"])
        #expect(synth.stdout.contains("(default: 12)"))
    }

    @Test func synthWritesPerSubjectFiles() throws {
        let out = TemporaryDirectory.unusedPath("synth")
        let result = try run(["synth", "--out", out, "--subjects", "2", "--seed", "5"])
        #expect(result.status == 0)
        #expect(F.files(in: out) == ["synth01.mat", "synth02.mat"])
    }

    @Test func killDashNineThenResumeFinishesWithTheUninterruptedResult() throws {
        let out = TemporaryDirectory.unusedPath("kill")
        let arguments = [
            "fit", "--data", F.corpus, "--protocol", "kfold:2", "--model", "mlp", "--epochs", "6", "--batch-size", "64",
            "--out", out,
        ]
        let process = try launch(arguments)
        let state = out + "/resume/state.safetensors"
        #expect(eventually(timeout: 120) { FileManager.default.fileExists(atPath: state) || !process.isRunning })
        #expect(process.isRunning, "the run ended before it could be killed")
        process.kill()
        _ = try process.finish()
        #expect(!FileManager.default.fileExists(atPath: out + "/report.json"))

        let resumed = try run(arguments + ["--resume"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("resuming after epoch") || resumed.stderr.contains("already finished"))
        _ = try Checkpoint.read(from: out + "/model.safetensors")
        var options = F.options(model: .mlp, protocolName: "kfold:2", epochs: 6)
        options.batchSize = 64
        let reference = try FitRun(options: options).run()
        #expect(try F.readPredictions(out) == reference.predictions)
    }
}
