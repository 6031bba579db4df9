import Foundation
import JSON
import MPCL
import Testing

@testable import MPCLTraining

/// `report.json` written from the types reads back into equal types and the same bytes, so every
/// reader (merge, the SVG, the summary, compare) sees exactly what `fit` wrote.
@Suite struct ReportRoundTripTests {
    typealias F = TrainingFixtures

    /// Write → read → equal. The writer prints a Float-exact number in Float's shortest form, so
    /// equality is checked on what a read gives (the bytes are compared as written).
    @Test func aFitReportReadsBackEqualAndWritesTheSameBytes() throws {
        let outcome = try FitRun(options: F.options(model: .linear, epochs: 2)).run()
        let written = try AtomicFile.read(outcome.reportPath)
        #expect(outcome.report.json.serialized() == written)
        let read = try TrainingReport(json: try JSON.parse(written), file: outcome.reportPath)
        #expect(read.json.serialized() == written)
        #expect(try TrainingReport(json: try JSON.parse(read.json.serialized()), file: "again") == read)
        #expect(read.folds.count == outcome.report.folds.count)
        #expect(read.stops == outcome.report.stops)
        #expect(read.modelFileFold == outcome.report.modelFileFold)
        // A loss that is exactly a Float (an epoch of one step) reads back as Float's shortest decimal.
        let readLosses = read.folds.flatMap { $0.history.map(\.trainLoss) }
        let fitLosses = outcome.report.folds.flatMap { $0.history.map(\.trainLoss) }
        #expect(readLosses.count == fitLosses.count)
        for (read, fit) in zip(readLosses, fitLosses) {
            #expect(read == fit || (Double(Float(fit)) == fit && Float(read) == Float(fit)))
        }
        #expect(read.folds.map { $0.history.map(\.epoch) } == outcome.report.folds.map { $0.history.map(\.epoch) })
        #expect(read.folds.map { $0.history.map(\.validationKL) } == outcome.report.folds.map { $0.history.map(\.validationKL) })
    }

    @Test func aSeedsReportReadsBackEqual() throws {
        let outcome = try FitRun(options: F.options(model: .linear, epochs: 1)).run()
        let report = SeedRepeatsReport(
            reports: [outcome.report, outcome.report], seeds: [3407, 3408], runNames: ["seed-3407", "seed-3408"])
        let written = report.json.serialized()
        let read = try #require(SeedRepeatsReport(json: try JSON.parse(written)))
        #expect(read.json.serialized() == written)
        #expect(read.seeds == [3407, 3408])
        #expect(read.stops == report.stops)
        #expect(read.metrics[.kl]?.sd == 0)
        #expect(SeedRepeatsReport(json: outcome.report.json) == nil)
    }
}
