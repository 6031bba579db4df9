import Foundation
import TestSupport
import Testing

@testable import MPCLTraining

@Suite struct ErrorTests {
    typealias F = TrainingFixtures

    func failure(_ options: FitOptions) -> TrainingError? {
        do {
            _ = try FitRun(options: options).run()
            return nil
        } catch { return error }
    }

    @Test func missingDataIsADataErrorNamingThePathAndWritesNothing() {
        var options = F.options()
        options.dataPath = "/nonexistent/subjects"
        let error = failure(options)
        #expect(error?.kind == .data)
        #expect(error?.message.contains("/nonexistent/subjects") == true)
        #expect(!FileManager.default.fileExists(atPath: options.outputDirectory))
    }

    @Test func corruptFileIsADataErrorNamingTheFile() throws {
        let directory = TemporaryDirectory.unusedPath("corrupt")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data("MATLAB 5.0 MAT-file, but then nothing".utf8).write(to: URL(fileURLWithPath: directory + "/s01.mat"))
        var options = F.options()
        options.dataPath = directory
        let error = failure(options)
        #expect(error?.kind == .data)
        #expect(error?.message.contains("s01.mat") == true)
        #expect(error?.message.contains("\n") == false)
        #expect(!FileManager.default.fileExists(atPath: options.outputDirectory))
    }

    @Test func layoutThatDoesNotFitIsADataError() {
        var options = F.options()
        options.layout = "split"
        let error = failure(options)
        #expect(error?.kind == .data)
        #expect(error?.message.contains("train_eeg") == true)
    }

    @Test func unknownLayoutNameIsAUsageError() {
        var options = F.options()
        options.layout = "dmerr"
        #expect(failure(options)?.kind == .usage)
    }

    @Test func foldOutOfRangeIsAUsageErrorAndWritesNothing() {
        let options = F.options(protocolName: "kfold:2", fold: 2)
        let error = failure(options)
        #expect(error?.kind == .usage)
        #expect(error?.exitCode == 2)
        #expect(error?.message.contains("out of range") == true)
        #expect(!FileManager.default.fileExists(atPath: options.outputDirectory))
    }

    @Test func tooFewSubjectsIsADataError() {
        var options = F.options(protocolName: "loso")
        options.dataPath = F.corpus + "/synth01.mat"
        let error = failure(options)
        #expect(error?.kind == .data)
        #expect(error?.exitCode == 1)
        #expect(error?.message.contains("2 subjects") == true)
        let many = failure(F.options(protocolName: "kfold:9"))
        #expect(many?.kind == .data)
    }

    @Test func givenProtocolNeedsAFileSplit() {
        let error = failure(F.options(protocolName: "given"))
        #expect(error?.kind == .data)
        #expect(error?.message.contains("given") == true)
    }
}
