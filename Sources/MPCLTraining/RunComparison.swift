import Foundation
import JSON
import MPCL

/// `mpcl-train compare RUN_A RUN_B [RUN_C …]`: every run against the first, per metric, with a paired
/// bootstrap interval (`PairedBootstrap`) over the protocol's independent units — test subjects for
/// subject-independent protocols (`loso`, `kfold:K`), clips (subject, clip) for `given` and the
/// subject-dependent protocols, single windows when the data has no clip ids (clip −1).
///
/// A run is a `fit` output directory (`report.json` + `predictions.csv`) or a `fit --seeds` directory,
/// whose per-window metric values are averaged over its seeds first. Windows are paired by
/// (subject, clip, position among that subject's windows of that clip), so runs whose folds
/// ordered the windows differently still pair up; the runs must have been tested on the same
/// windows with the same labels.
public struct RunComparison {
    public static let defaultResamples = 2000
    public static let defaultSeed: UInt64 = 3407

    /// One run, its windows in the reference run's order.
    struct LoadedRun {
        var directory: String
        var model: String
        var protocolName: String
        var keys: [WindowKey]
        var truth: [Float]
        var classes: Int
        var values: [Metric: [Double]]
    }

    struct WindowKey: Hashable {
        var subject: String
        var clip: Int
        var occurrence: Int
    }

    /// One metric of one run against the reference.
    public struct Row: Sendable {
        public var metric: Metric
        public var reference: Double
        public var value: Double
        public var bootstrap: PairedBootstrap
    }

    public var directories: [String]
    public var unitName: String
    public var units: Int
    public var windows: Int
    public var resamples: Int
    public var seed: UInt64
    /// Per compared run (every run after the first), its rows in metric order.
    public var comparisons: [(directory: String, model: String, rows: [Row])]
    public var referenceModel: String

    /// Loads every run and bootstraps every metric of runs 2… against run 1.
    public init(directories: [String], resamples: Int = defaultResamples, seed: UInt64 = defaultSeed) throws(TrainingError) {
        guard directories.count >= 2 else { throw .usage("compare needs at least two run directories") }
        guard resamples >= 1 else { throw .usage("--resamples must be at least 1, got \(resamples)") }
        do {
            let reference = try Self.load(directories[0], order: nil)
            let others = try directories.dropFirst().map { try Self.load($0, order: reference) }
            let (unit, unitName) = Self.units(reference)
            self.directories = directories
            self.unitName = unitName
            units = (unit.max() ?? -1) + 1
            windows = reference.keys.count
            self.resamples = resamples
            self.seed = seed
            referenceModel = reference.model
            comparisons = others.map { run in
                let rows = Metric.allCases.map { metric in
                    let a = reference.values[metric]!
                    let b = run.values[metric]!
                    return Row(
                        metric: metric, reference: mean(a), value: mean(b),
                        bootstrap: PairedBootstrap(a: a, b: b, unit: unit, resamples: resamples, seed: seed))
                }
                return (run.directory, run.model, rows)
            }
        } catch {
            throw TrainingError.from(error)
        }
    }

    /// Each window's resampling unit index and the unit's name.
    static func units(_ run: LoadedRun) -> ([Int], String) {
        let subjectIndependent = run.protocolName == "loso" || run.protocolName.hasPrefix("kfold")
        let hasClips = run.keys.contains { $0.clip >= 0 }
        var indices: [String: Int] = [:]
        let unit = run.keys.enumerated().map { position, key -> Int in
            let name: String
            if subjectIndependent {
                name = key.subject
            } else if hasClips {
                name = "\(key.subject)\u{1F}\(key.clip)"
            } else {
                name = "\(position)"
            }
            if let index = indices[name] { return index }
            indices[name] = indices.count
            return indices.count - 1
        }
        return (unit, subjectIndependent ? "test subjects" : hasClips ? "test clips" : "test windows")
    }

    /// A run directory's per-window metrics, in `order`'s window order when given.
    static func load(_ directory: String, order: LoadedRun?) throws -> LoadedRun {
        let reportPath = (directory as NSString).appendingPathComponent("report.json")
        guard FileManager.default.fileExists(atPath: reportPath) else {
            throw TrainingError.data("\(reportPath): no report.json (is \(directory) a finished fit output?)")
        }
        let json = try JSON.parse(try AtomicFile.read(reportPath))
        let seeds = SeedRepeatsReport(json: json)
        let (name, protocolName, description): (String?, String?, JSON)
        if let seeds {
            (name, protocolName, description) = (seeds.model, seeds.protocolName, seeds.run)
        } else {
            let report = try TrainingReport(json: json, file: reportPath)
            (name, protocolName, description) = (report.model, report.protocolName, report.run)
        }
        let model = Self.modelName(name, ablations: description["ablate"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        let seedRuns = seeds?.seedRuns
        let tableDirectories =
            seedRuns.map { $0.map { (directory as NSString).appendingPathComponent($0) } } ?? [directory]
        guard !tableDirectories.isEmpty else { throw TrainingError.data("\(reportPath): 'seed_runs' is empty") }
        var run: LoadedRun? = order
        var sums: [Metric: [Double]] = [:]
        for tableDirectory in tableDirectories {
            let csvPath = (tableDirectory as NSString).appendingPathComponent("predictions.csv")
            guard FileManager.default.fileExists(atPath: csvPath) else { throw TrainingError.data("\(csvPath): no predictions.csv") }
            let table = try PredictionTable(csv: String(decoding: try AtomicFile.read(csvPath), as: UTF8.self), file: csvPath)
            let keys = Self.keys(table)
            if run == nil {
                run = LoadedRun(
                    directory: directory, model: model, protocolName: protocolName ?? "", keys: keys, truth: table.truth,
                    classes: table.labels.count, values: [:])
            }
            let permutation = try Self.align(keys, truth: table.truth, classes: table.labels.count, to: run!, file: csvPath)
            let scores = table.scores
            for metric in Metric.allCases {
                let values = scores.values[metric] ?? []
                let ordered = permutation.map { values[$0] }
                sums[metric] = sums[metric].map { zip($0, ordered).map(+) } ?? ordered
            }
        }
        var result = run!
        result.directory = directory
        result.model = model
        result.protocolName = order == nil ? protocolName ?? "" : result.protocolName
        result.values = sums.mapValues { $0.map { $0 / Double(tableDirectories.count) } }
        return result
    }

    /// For each window of `reference`, the row of `keys` that is the same window.
    static func align(_ keys: [WindowKey], truth: [Float], classes: Int, to reference: LoadedRun, file: String) throws -> [Int] {
        guard keys.count == reference.keys.count, classes == reference.classes else {
            throw TrainingError.data(
                "\(file): \(keys.count) test windows of \(classes) labels, but \(reference.directory) has \(reference.keys.count) of \(reference.classes): not the same test set"
            )
        }
        var rows: [WindowKey: Int] = [:]
        for (row, key) in keys.enumerated() { rows[key] = row }
        return try reference.keys.enumerated().map { position, key in
            guard let row = rows[key] else {
                throw TrainingError.data(
                    "\(file): has no test window \(key.occurrence + 1) of subject '\(key.subject)', clip \(key.clip) that \(reference.directory) has: not the same test set"
                )
            }
            for c in 0..<classes where abs(truth[row * classes + c] - reference.truth[position * classes + c]) > 1e-6 {
                throw TrainingError.data(
                    "\(file): the labels of subject '\(key.subject)', clip \(key.clip) differ from \(reference.directory): not the same data"
                )
            }
            return row
        }
    }

    static func keys(_ table: PredictionTable) -> [WindowKey] {
        var seen: [String: [Int: Int]] = [:]
        return zip(table.subjects, table.clips).map { subject, clip in
            let occurrence = seen[subject, default: [:]][clip, default: 0]
            seen[subject, default: [:]][clip] = occurrence + 1
            return WindowKey(subject: subject, clip: clip, occurrence: occurrence)
        }
    }

    /// `mpcl`, `mpcl-no-cooc`, `mlp`…: the model and its ablations.
    static func modelName(_ model: String?, ablations: [String]) -> String {
        let model = model ?? "?"
        return ablations.isEmpty ? model : model + "-no-" + ablations.joined(separator: "-no-")
    }

    /// The comparison as text: one table per compared run.
    public var text: String {
        var lines = [
            "paired bootstrap over \(units) \(unitName)\(unitName == "test windows" ? "" : " (\(windows) windows)"), "
                + "\(resamples) resamples, seed \(seed); "
                + "difference = run − reference, 95 % percentile interval; significant when it excludes 0"
        ]
        for comparison in comparisons {
            lines.append("")
            lines.append("\(comparison.directory) (\(comparison.model)) vs \(directories[0]) (\(referenceModel))")
            lines.append(
                "  metric         reference        run   difference   95 % interval              significant")
            for row in comparison.rows {
                let verdict: String
                if row.bootstrap.excludesZero {
                    let runBetter = (row.bootstrap.difference > 0) == row.metric.higherIsBetter
                    verdict = "yes, " + (runBetter ? comparison.model : referenceModel) + " better"
                } else {
                    verdict = "no"
                }
                lines.append(
                    "  " + row.metric.rawValue.padded(12) + Self.fixed(row.reference).leftPadded(12)
                        + Self.fixed(row.value).leftPadded(11) + Self.signed(row.bootstrap.difference).leftPadded(13)
                        + ("   [" + Self.signed(row.bootstrap.low) + ", " + Self.signed(row.bootstrap.high) + "]").padded(27)
                        + verdict)
            }
        }
        return lines.joined(separator: "\n")
    }

    /// The comparison as JSON (`--json`).
    public var json: JSON {
        [
            "reference": .string(directories[0]), "reference_model": .string(referenceModel),
            "unit": .string(unitName), "units": .number(Double(units)), "windows": .number(Double(windows)),
            "resamples": .number(Double(resamples)), "seed": .number(Double(seed)), "level": 0.95,
            "comparisons": .array(
                comparisons.map { comparison in
                    [
                        "run": .string(comparison.directory), "model": .string(comparison.model),
                        "metrics": .object(
                            comparison.rows.map { row in
                                (
                                    key: row.metric.rawValue,
                                    value: [
                                        "reference": .number(row.reference), "run": .number(row.value),
                                        "difference": .number(row.bootstrap.difference), "low": .number(row.bootstrap.low),
                                        "high": .number(row.bootstrap.high), "significant": .bool(row.bootstrap.excludesZero),
                                    ]
                                )
                            }),
                    ]
                }),
        ]
    }

    static func fixed(_ value: Double) -> String { String(format: "%.6f", value) }
    static func signed(_ value: Double) -> String { String(format: "%+.6f", value) }
}

private func mean(_ values: [Double]) -> Double { values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count) }

extension String {
    func padded(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
