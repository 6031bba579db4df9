import Foundation
import JSON
import MPCL

/// `fit --seeds S1,S2,…`: the same experiment once per seed, each a complete `fit` output in
/// `DIR/seed-<S>/`, and `DIR/report.json` with the spread over seeds (`SeedRepeatsReport`). A seed
/// whose directory already holds a report is reused under `--resume`.
public struct SeedRepeats {
    public var options: FitOptions
    public var progress: TrainingProgress

    public init(options: FitOptions, progress: TrainingProgress = SilentProgress()) {
        self.options = options
        self.progress = progress
    }

    public struct Outcome {
        public var report: SeedRepeatsReport
        public var reportPath: String
        public var runDirectories: [String]
    }

    public func run() throws(TrainingError) -> Outcome {
        do { return try runUnmapped() } catch { throw TrainingError.from(error) }
    }

    private func runUnmapped() throws -> Outcome {
        try options.validate()
        let seeds = options.seeds ?? [options.seed]
        var reports: [TrainingReport] = []
        var names: [String] = []
        for seed in seeds {
            let name = "seed-\(seed)"
            var single = options
            single.seeds = nil
            single.seed = seed
            single.outputDirectory = (options.outputDirectory as NSString).appendingPathComponent(name)
            let existing = (single.outputDirectory as NSString).appendingPathComponent("report.json")
            if options.resume, FileManager.default.fileExists(atPath: existing) {
                progress.note("seed \(seed): already finished, read from \(existing)")
                reports.append(try TrainingReport.read(directory: single.outputDirectory))
            } else {
                progress.note("seed \(seed) (\(names.count + 1) of \(seeds.count))")
                reports.append(try FitRun(options: single, progress: progress).run().report)
            }
            names.append(name)
        }
        let report = SeedRepeatsReport(reports: reports, seeds: seeds, runNames: names)
        let path = (options.outputDirectory as NSString).appendingPathComponent("report.json")
        try AtomicFile.write(report.json.serialized(), to: path)
        return Outcome(
            report: report, reportPath: path,
            runDirectories: names.map { (options.outputDirectory as NSString).appendingPathComponent($0) })
    }
}
