import Foundation
import JSON
import MPCL
import MPCLMath
import Randomness
import TestSupport
import Testing

@testable import MPCLTraining

@Suite struct PairedBootstrapTests {
    /// 20 units of 5 windows each, values ~ U(0, 0.1).
    static func sample(seed: UInt64) -> (values: [Double], unit: [Int]) {
        var generator = SeededGenerator(seed: seed)
        let values = (0..<100).map { _ in generator.nextUnit() * 0.1 }
        return (values, (0..<100).map { $0 / 5 })
    }

    @Test func aKnownDifferenceIsFoundAndIsSignificant() {
        let (a, unit) = Self.sample(seed: 1)
        var generator = SeededGenerator(seed: 2)
        let b = a.map { $0 + 0.01 + (generator.nextUnit() - 0.5) * 0.004 }
        let result = PairedBootstrap(a: a, b: b, unit: unit, resamples: 2000, seed: 3407)
        let exact = zip(a, b).map { $1 - $0 }.reduce(0, +) / 100
        #expect(abs(result.difference - exact) < 1e-12)
        #expect(result.units == 20)
        #expect(result.low < exact && exact < result.high)
        #expect(result.low > 0.009 && result.high < 0.011)
        #expect(result.excludesZero)
    }

    @Test func identicalRunsGiveAnIntervalAroundZeroThatIsNotSignificant() {
        let (a, unit) = Self.sample(seed: 3)
        let same = PairedBootstrap(a: a, b: a, unit: unit, resamples: 500, seed: 3407)
        #expect(same.difference == 0 && same.low == 0 && same.high == 0)
        #expect(!same.excludesZero)
        // Two runs that differ only by noise of mean zero: the interval straddles zero.
        var generator = SeededGenerator(seed: 4)
        let noisy = a.map { $0 + generator.nextGaussian() * 0.01 }
        let result = PairedBootstrap(a: a, b: noisy, unit: unit, resamples: 2000, seed: 3407)
        #expect(result.low < 0 && result.high > 0)
        #expect(!result.excludesZero)
    }

    @Test func theSameSeedGivesTheSameInterval() {
        let (a, unit) = Self.sample(seed: 5)
        let (b, _) = Self.sample(seed: 6)
        let first = PairedBootstrap(a: a, b: b, unit: unit, resamples: 300, seed: 9)
        let second = PairedBootstrap(a: a, b: b, unit: unit, resamples: 300, seed: 9)
        #expect(first.low == second.low && first.high == second.high)
    }
}

@Suite struct RunComparisonTests {
    typealias F = TrainingFixtures

    /// A copy of `directory`'s report with predictions moved half-way to the truth: a model that is
    /// better on every window (by convexity of every metric's loss in the prediction).
    static func improvedCopy(of directory: String) throws -> String {
        let target = TemporaryDirectory.unusedPath("improved")
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        var table = try F.readPredictions(directory)
        table.predicted = zip(table.predicted, table.truth).map { 0.5 * $0 + 0.5 * $1 }
        try AtomicFile.write(Array(table.csv.utf8), to: (target as NSString).appendingPathComponent("predictions.csv"))
        try AtomicFile.write(
            try AtomicFile.read((directory as NSString).appendingPathComponent("report.json")),
            to: (target as NSString).appendingPathComponent("report.json"))
        return target
    }

    @Test func identicalRunsDifferByZeroAndABetterRunIsSignificantlyBetter() throws {
        let a = try FitRun(options: F.options(model: .linear, epochs: 1)).run()
        let b = try FitRun(options: F.options(model: .linear, epochs: 1)).run()
        let directoryA = (a.reportPath as NSString).deletingLastPathComponent
        let directoryB = (b.reportPath as NSString).deletingLastPathComponent
        let better = try Self.improvedCopy(of: directoryA)
        let comparison = try RunComparison(directories: [directoryA, directoryB, better], resamples: 400)
        #expect(comparison.unitName == "test subjects" && comparison.units == 5)
        #expect(comparison.comparisons.count == 2)
        for row in comparison.comparisons[0].rows {
            #expect(row.bootstrap.difference == 0 && row.bootstrap.low == 0 && row.bootstrap.high == 0)
            #expect(!row.bootstrap.excludesZero)
        }
        let improved = try F.readPredictions(better).scores
        for row in comparison.comparisons[1].rows {
            #expect(row.bootstrap.excludesZero, "\(row.metric)")
            #expect((row.bootstrap.difference > 0) == row.metric.higherIsBetter, "\(row.metric)")
            #expect(abs(row.value - improved.summary(row.metric).mean) < 1e-12)
            #expect(abs(row.bootstrap.difference - (row.value - row.reference)) < 1e-12)
        }
        #expect(comparison.text.contains("yes, linear better") && comparison.text.contains("no"))
        #expect(comparison.json["comparisons"]?.arrayValue?.count == 2)
    }

    @Test func runsOnDifferentTestWindowsAreRefused() throws {
        let all = try FitRun(options: F.options(model: .linear, epochs: 1)).run()
        let one = try FitRun(options: F.options(model: .linear, epochs: 1, fold: 0)).run()
        #expect(throws: TrainingError.self) {
            _ = try RunComparison(
                directories: [
                    (all.reportPath as NSString).deletingLastPathComponent, (one.reportPath as NSString).deletingLastPathComponent,
                ])
        }
        #expect(throws: TrainingError.self) { _ = try RunComparison(directories: ["/nonexistent-run"]) }
    }

    @Test func seedRepeatsReportTheSpreadAndCompareAsOneRun() throws {
        var options = F.options(model: .linear, epochs: 1)
        options.seeds = [3407, 3408]
        let outcome = try SeedRepeats(options: options).run()
        #expect(outcome.report.json["seeds"]?.arrayValue?.count == 2)
        #expect(outcome.runDirectories.allSatisfy { FileManager.default.fileExists(atPath: $0 + "/report.json") })
        let perSeed = try outcome.runDirectories.map { try F.readJSON($0 + "/report.json")["metrics"]?["kl"]?["mean"]?.doubleValue ?? .nan }
        let kl = try #require(outcome.report.json["metrics"]?["kl"])
        let mean = (perSeed[0] + perSeed[1]) / 2
        #expect(abs((kl["mean"]?.doubleValue ?? .nan) - mean) < 1e-12)
        #expect(abs((kl["sd"]?.doubleValue ?? .nan) - abs(perSeed[0] - perSeed[1]) / 2.0.squareRoot()) < 1e-12)
        // Compared with its own first seed, the seed average differs, paired window by window.
        let directory = (outcome.reportPath as NSString).deletingLastPathComponent
        let comparison = try RunComparison(directories: [outcome.runDirectories[0], directory], resamples: 100)
        let klRow = try #require(comparison.comparisons[0].rows.first { $0.metric == .kl })
        #expect(abs(klRow.reference - perSeed[0]) < 1e-9)
    }
}
