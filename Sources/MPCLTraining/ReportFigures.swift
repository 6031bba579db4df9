import MPCL

/// What `ReportPlot` draws, taken out of a report and its predictions (no SVG here).
enum ReportFigures {
    /// One fold's learning curves: training loss and validation KL per epoch.
    struct Curve {
        var fold: Int
        var train: [Double]
        var validation: [Double]
    }

    /// One test clip's mean true and predicted distributions over its windows.
    struct ClipDistribution {
        var subject: String
        var clip: Int
        var windows: Int
        var truth: [Double]
        var predicted: [Double]
    }

    static func curves(_ folds: [FoldReport]) -> [Curve] {
        folds.map { fold in
            Curve(fold: fold.fold, train: fold.history.map(\.trainLoss), validation: fold.history.compactMap(\.validationKL))
        }
    }

    /// Up to `count` clips spread over the clip indices (DMER orders clips positive, negative,
    /// mixed) rather than one subject's first few, each averaged over its windows.
    static func clips(_ table: PredictionTable, count: Int) -> [ClipDistribution] {
        let classes = table.labels.count
        var order: [(subject: String, clip: Int)] = []
        for (subject, clip) in zip(table.subjects, table.clips) where !order.contains(where: { $0.subject == subject && $0.clip == clip }) {
            order.append((subject, clip))
        }
        order.sort { ($0.clip, $0.subject) < ($1.clip, $1.subject) }
        let step = max(order.count / max(count, 1), 1)
        return stride(from: 0, to: order.count, by: step).prefix(count).map { index in
            let item = order[index]
            let rows = table.subjects.indices.filter { table.subjects[$0] == item.subject && table.clips[$0] == item.clip }
            var truth = [Double](repeating: 0, count: classes)
            var predicted = [Double](repeating: 0, count: classes)
            for r in rows {
                for c in 0..<classes {
                    truth[c] += Double(table.truth[r * classes + c]) / Double(rows.count)
                    predicted[c] += Double(table.predicted[r * classes + c]) / Double(rows.count)
                }
            }
            return ClipDistribution(subject: item.subject, clip: item.clip, windows: rows.count, truth: truth, predicted: predicted)
        }
    }
}
