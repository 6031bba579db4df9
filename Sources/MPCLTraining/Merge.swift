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
    public static func run(directories: [String], outputDirectory: String) throws(TrainingError) -> TrainingReport {
        do { return try merge(directories, into: outputDirectory) } catch { throw TrainingError.from(error) }
    }

    private static func merge(_ directories: [String], into output: String) throws -> TrainingReport {
        guard !directories.isEmpty else { throw TrainingError.usage("merge needs at least one run directory") }
        var parts: [(entry: FoldReport, table: PredictionTable, directory: String)] = []
        var first: (run: JSON, directory: String)? = nil
        for directory in directories {
            let reportPath = (directory as NSString).appendingPathComponent("report.json")
            let csvPath = (directory as NSString).appendingPathComponent("predictions.csv")
            let report = try TrainingReport.read(directory: directory)
            if let first {
                for key in TrainingReport.sharedKeys where first.run[key] != report.run[key] {
                    throw TrainingError.data(
                        "\(reportPath): \(key) is \(report.run[key]?.text ?? "missing") but \(first.directory) has \(first.run[key]?.text ?? "missing"): not folds of one experiment"
                    )
                }
            } else {
                first = (report.run, directory)
            }
            let table = try PredictionTable(
                csv: String(decoding: try AtomicFile.read(csvPath), as: UTF8.self), file: csvPath)
            let expected = report.folds.map(\.windows.test).reduce(0, +)
            guard expected == table.rowCount else {
                throw TrainingError.data("\(csvPath): \(table.rowCount) rows but report.json lists \(expected) test windows")
            }
            // Rows are in fold order, so a multi-fold directory's table is cut at the folds' sizes.
            var offset = 0
            for entry in report.folds {
                parts.append((entry, slice(table, rows: offset..<(offset + entry.windows.test)), directory))
                offset += entry.windows.test
            }
        }
        parts.sort { $0.entry.fold < $1.entry.fold }
        for (a, b) in zip(parts, parts.dropFirst()) where a.entry.fold == b.entry.fold {
            throw TrainingError.data("fold \(a.entry.fold) appears in both \(a.directory) and \(b.directory)")
        }
        guard let labels = parts.first?.table.labels, parts.allSatisfy({ $0.table.labels == labels }) else {
            throw TrainingError.data("the predictions.csv files have different labels")
        }
        var pooled = PredictionTable(labels: labels)
        for part in parts { pooled.append(part.table) }
        let last = parts[parts.count - 1]
        let report = TrainingReport(
            run: first!.run, folds: parts.map(\.entry), pooled: pooled.scores, modelFileFold: last.entry.fold)

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
        try AtomicFile.write(report.json.serialized(), to: (output as NSString).appendingPathComponent("report.json"))
        // Valence comes from the model's configuration; without a model every label counts as one group.
        let labelSet =
            (try? Checkpoint.read(from: target))?.model.config.labels
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
