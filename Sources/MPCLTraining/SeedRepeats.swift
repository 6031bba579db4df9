import Foundation
import JSON
import MPCL

/// `fit --seeds S1,S2,…`: the same experiment once per seed, each a complete `fit` output in
/// `DIR/seed-<S>/`, and `DIR/report.json` with the spread over seeds:
/// `{"model", "protocol", "seeds": [...], "seed_runs": ["seed-3407", ...],
///   "metrics": {"kl": {"mean", "sd", "per_seed": [...]}, ...}, "stops": [[...], ...], ...}`
/// where `mean` is the mean over seeds of each run's pooled mean and `sd` the sample standard
/// deviation (n − 1) over seeds (0 for one seed). A seed whose directory already holds a report is
/// reused under `--resume`.
public struct SeedRepeats {
    public var options: FitOptions
    public var progress: TrainingProgress

    public init(options: FitOptions, progress: TrainingProgress = SilentProgress()) {
        self.options = options
        self.progress = progress
    }

    public struct Outcome {
        public var report: JSON
        public var reportPath: String
        public var runDirectories: [String]
    }

    public func run() throws(TrainingError) -> Outcome {
        do { return try runUnmapped() } catch { throw TrainingError.from(error) }
    }

    private func runUnmapped() throws -> Outcome {
        try options.validate()
        let seeds = options.seeds ?? [options.seed]
        var reports: [JSON] = []
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
                reports.append(try JSON.parse(try AtomicFile.read(existing)))
            } else {
                progress.note("seed \(seed) (\(names.count + 1) of \(seeds.count))")
                reports.append(try FitRun(options: single, progress: progress).run().report)
            }
            names.append(name)
        }
        let report = Self.assemble(reports: reports, seeds: seeds, runNames: names)
        let path = (options.outputDirectory as NSString).appendingPathComponent("report.json")
        try AtomicFile.write(report.serialized(), to: path)
        return Outcome(
            report: report, reportPath: path,
            runDirectories: names.map { (options.outputDirectory as NSString).appendingPathComponent($0) })
    }

    /// The seeds report from each seed's `report.json`.
    static func assemble(reports: [JSON], seeds: [UInt64], runNames: [String]) -> JSON {
        let first = reports.first ?? [:]
        var members: [(key: String, value: JSON)] = [
            (key: "model", value: first["model"] ?? .null), (key: "protocol", value: first["protocol"] ?? .null),
            (key: "seeds", value: .array(seeds.map { .number(Double($0)) })),
            (key: "seed_runs", value: JSON(strings: runNames)),
        ]
        let metrics: [(key: String, value: JSON)] = Metric.allCases.map { metric in
            let values = reports.map { $0["metrics"]?[metric.rawValue]?["mean"]?.doubleValue ?? .nan }
            let spread = Self.spread(values)
            return (
                key: metric.rawValue,
                value: ["mean": .number(spread.mean), "sd": .number(spread.sd), "per_seed": .array(values.map { .number($0) })]
            )
        }
        members.append((key: "metrics", value: .object(metrics)))
        members.append((key: "stops", value: .array(reports.map { $0["stops"] ?? .null })))
        members.append((key: "test_windows", value: first["test_windows"] ?? .null))
        for (key, value) in TrainingReport.runDescription(of: first).objectValue ?? []
        where !["model", "protocol", "seed"].contains(key) {
            members.append((key: key, value: value))
        }
        return .object(members)
    }

    /// Mean and sample standard deviation (n − 1; 0 for a single value).
    static func spread(_ values: [Double]) -> (mean: Double, sd: Double) {
        guard !values.isEmpty else { return (.nan, .nan) }
        let mean = values.reduce(0, +) / Double(values.count)
        guard values.count > 1 else { return (mean, 0) }
        let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count - 1)
        return (mean, variance.squareRoot())
    }
}
