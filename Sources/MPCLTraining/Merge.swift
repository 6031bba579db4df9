import EmotionVocabulary
import Foundation
import JSON
import MPCL
import MPCLMath

/// `mpcl-train merge`: combines the outputs of `fit --fold I` runs (one directory each) into the
/// report an all-folds run would have written: per-fold entries kept (sorted by fold), pooled
/// window metrics recomputed from the concatenated `predictions.csv` files, and the
/// `model.safetensors` of the highest fold copied (as `fit` keeps its last fold's model).
public enum Merge {
    /// Merges `directories` into `outputDirectory`; returns the merged report.
    @discardableResult
    public static func run(directories: [String], outputDirectory: String) throws(TrainingError) -> JSON {
        do { return try merge(directories, into: outputDirectory) } catch { throw TrainingError.from(error) }
    }

    private static func merge(_ directories: [String], into output: String) throws -> JSON {
        guard !directories.isEmpty else { throw TrainingError.usage("merge needs at least one run directory") }
        var parts: [(fold: Int, entry: JSON, table: PredictionTable, directory: String)] = []
        var run: JSON? = nil
        var firstDirectory = ""
        for directory in directories {
            let reportPath = (directory as NSString).appendingPathComponent("report.json")
            let csvPath = (directory as NSString).appendingPathComponent("predictions.csv")
            guard FileManager.default.fileExists(atPath: reportPath) else {
                throw TrainingError.data("\(reportPath): no report.json (is \(directory) a finished fit output?)")
            }
            let report = try JSON.parse(try AtomicFile.read(reportPath))
            guard let folds = report["folds"]?.arrayValue, !folds.isEmpty else {
                throw TrainingError.data("\(reportPath): no 'folds' array")
            }
            let description = TrainingReport.runDescription(of: report)
            if let run {
                for key in TrainingReport.sharedKeys where run[key] != description[key] {
                    throw TrainingError.data(
                        "\(reportPath): \(key) is \(description[key]?.text ?? "missing") but \(firstDirectory) has \(run[key]?.text ?? "missing"): not folds of one experiment"
                    )
                }
            } else {
                run = description
                firstDirectory = directory
            }
            let table = try PredictionTable(
                csv: String(decoding: try AtomicFile.read(csvPath), as: UTF8.self), file: csvPath)
            let expected = folds.compactMap { $0["windows"]?["test"]?.intValue }.reduce(0, +)
            guard expected == table.rowCount else {
                throw TrainingError.data("\(csvPath): \(table.rowCount) rows but report.json lists \(expected) test windows")
            }
            // Rows are in fold order, so a multi-fold directory's table is cut at the folds' sizes.
            var offset = 0
            for entry in folds {
                guard let fold = entry["fold"]?.intValue, let count = entry["windows"]?["test"]?.intValue else {
                    throw TrainingError.data("\(reportPath): a fold entry lacks 'fold' or 'windows.test'")
                }
                parts.append((fold, entry, slice(table, rows: offset..<(offset + count)), directory))
                offset += count
            }
        }
        parts.sort { $0.fold < $1.fold }
        for (a, b) in zip(parts, parts.dropFirst()) where a.fold == b.fold {
            throw TrainingError.data("fold \(a.fold) appears in both \(a.directory) and \(b.directory)")
        }
        guard let labels = parts.first?.table.labels, parts.allSatisfy({ $0.table.labels == labels }) else {
            throw TrainingError.data("the predictions.csv files have different labels")
        }
        var pooled = PredictionTable(labels: labels)
        for part in parts { pooled.append(part.table) }
        let last = parts[parts.count - 1]
        let report = TrainingReport.assemble(run: run!, folds: parts.map(\.entry), pooled: pooled.scores, modelFold: last.fold)

        do { try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true) } catch {
            throw TrainingError.data("\(output): cannot create the output directory")
        }
        let model = (last.directory as NSString).appendingPathComponent("model.safetensors")
        let target = (output as NSString).appendingPathComponent("model.safetensors")
        if FileManager.default.fileExists(atPath: model),
            URL(fileURLWithPath: model).standardizedFileURL != URL(fileURLWithPath: target).standardizedFileURL
        {
            try AtomicFile.write(try AtomicFile.read(model), to: target)
        }
        try AtomicFile.write(Array(pooled.csv.utf8), to: (output as NSString).appendingPathComponent("predictions.csv"))
        try AtomicFile.write(report.serialized(), to: (output as NSString).appendingPathComponent("report.json"))
        // Valence comes from the model's configuration; without a model every label counts as one group.
        let labelSet =
            (try? Checkpoint.read(from: target))?.checkpoint.model.config.labels
            ?? LabelSet(names: labels, valence: [Int](repeating: 1, count: labels.count))
        let svg = ReportPlot.svg(report: report, predictions: pooled, labels: labelSet)
        try AtomicFile.write(Array(svg.utf8), to: (output as NSString).appendingPathComponent("report.svg"))
        return report
    }

    private static func slice(_ table: PredictionTable, rows: Range<Int>) -> PredictionTable {
        let classes = table.labels.count
        return PredictionTable(
            labels: table.labels, subjects: Array(table.subjects[rows]), clips: Array(table.clips[rows]),
            truth: Array(table.truth[(rows.lowerBound * classes)..<(rows.upperBound * classes)]),
            predicted: Array(table.predicted[(rows.lowerBound * classes)..<(rows.upperBound * classes)]))
    }
}
