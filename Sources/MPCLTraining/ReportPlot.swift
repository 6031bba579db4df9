import EmotionVocabulary
import MPCL

/// Draws a training report as one self-contained SVG (no plotting dependency): the learning curves
/// of every fold (training loss and validation KL per epoch), the six metrics per fold next to the
/// pooled value, and, for a few test clips, the true and predicted clip distributions side by side,
/// grouped by valence. `fit` and `merge` write it as `report.svg` next to `report.json`.
public enum ReportPlot {
    static let width = 960.0
    static let foldColours = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]

    /// The SVG text for `report` (the `report.json` value) and its pooled `predictions`.
    public static func svg(report: TrainingReport, predictions: PredictionTable, labels: LabelSet, clipCount: Int = 4) -> String {
        var canvas = SVGCanvas(width: width)
        let title =
            "\(report.model ?? "model") · \(report.protocolName ?? "")"
            + " · \(report.run["normalize"]?.stringValue ?? "") normalisation · \(predictions.rowCount) test windows"
        canvas.text(title, x: 20, y: 28, size: 18, weight: "bold")
        learningCurves(ReportFigures.curves(report.folds), on: &canvas, top: 50)
        metricsPerFold(report.folds, pooled: report.metrics, on: &canvas, top: 330)
        clipDistributions(predictions, labels: labels, count: clipCount, on: &canvas, top: 560)
        return canvas.document
    }

    /// Panel 1: one line per fold for the training loss (solid) and validation KL (dashed).
    static func learningCurves(_ series: [ReportFigures.Curve], on canvas: inout SVGCanvas, top: Double) {
        canvas.text("Learning curves: training loss (solid) and validation KL (dashed) per epoch", x: 20, y: top + 4, size: 14)
        let values = series.flatMap { $0.train + $0.validation }.filter(\.isFinite)
        let epochs = max(series.map { max($0.train.count, $0.validation.count) }.max() ?? 1, 1)
        let plot = PlotArea(x: 70, y: top + 20, width: width - 260, height: 210)
        guard let low = values.min(), let high = values.max() else {
            canvas.text("no training history (the mean model trains no epochs)", x: plot.x, y: plot.y + 40, size: 13)
            return
        }
        let range = Axis(low: min(0, low), high: high > low ? high * 1.05 : low + 1)
        canvas.axes(
            plot, yAxis: range, xLabel: "epoch", xTicks: (1...epochs).map { (Double($0), "\($0)") }, xRange: (1, Double(max(epochs, 2))))
        for (position, item) in series.enumerated() {
            let colour = foldColours[position % foldColours.count]
            for (values, dashed) in [(item.train, false), (item.validation, true)] where !values.isEmpty {
                let points = values.enumerated().map { epoch, value in
                    (plot.x + plot.width * (Double(epoch)) / Double(max(epochs - 1, 1)), plot.y + plot.height * (1 - range.fraction(value)))
                }
                canvas.polyline(points, colour: colour, dashed: dashed, role: dashed ? "validation-curve" : "training-curve")
            }
            canvas.rect(x: plot.x + plot.width + 20, y: plot.y + Double(position) * 20, width: 12, height: 12, fill: colour, role: "legend")
            canvas.text("fold \(item.fold)", x: plot.x + plot.width + 38, y: plot.y + Double(position) * 20 + 11, size: 12)
        }
    }

    /// Panel 2: six small bar charts, one per metric, a bar per fold and one for the pooled value.
    static func metricsPerFold(_ folds: [FoldReport], pooled: MetricSummaries, on canvas: inout SVGCanvas, top: Double) {
        canvas.text("Metrics per fold (last bar: all test windows pooled; ↓ lower is better, ↑ higher)", x: 20, y: top + 4, size: 14)
        let panelWidth = (width - 40) / 6
        for (index, metric) in Metric.allCases.enumerated() {
            let values = folds.map { $0.metrics.mean(metric) } + [pooled.mean(metric)]
            let finite = values.filter(\.isFinite)
            let high = max(finite.max() ?? 1, 1e-12) * 1.15
            let plot = PlotArea(x: 20 + Double(index) * panelWidth + 30, y: top + 40, width: panelWidth - 45, height: 150)
            canvas.text("\(metric.rawValue) \(metric.higherIsBetter ? "↑" : "↓")", x: plot.x, y: top + 30, size: 12, weight: "bold")
            canvas.line(x1: plot.x, y1: plot.y + plot.height, x2: plot.x + plot.width, y2: plot.y + plot.height)
            let barWidth = plot.width / Double(max(values.count, 1))
            for (position, value) in values.enumerated() where value.isFinite {
                let height = plot.height * value / high
                let isPooled = position == values.count - 1
                canvas.rect(
                    x: plot.x + Double(position) * barWidth + 2, y: plot.y + plot.height - height, width: barWidth - 4, height: height,
                    fill: isPooled ? "#444444" : foldColours[position % foldColours.count], role: "metric-bar",
                    title: "\(isPooled ? "pooled" : "fold \(position)") \(metric.rawValue) \(format(value))")
                canvas.text(
                    format(value), x: plot.x + Double(position) * barWidth + barWidth / 2, y: plot.y + plot.height - height - 4, size: 8,
                    anchor: "middle")
            }
        }
    }

    /// Panel 3: for a few test clips, the mean true and predicted distributions over the clip's
    /// windows, labels grouped by valence (positive first).
    static func clipDistributions(_ table: PredictionTable, labels: LabelSet, count: Int, on canvas: inout SVGCanvas, top: Double) {
        canvas.text("Test clips: true (light) and predicted (dark) distribution, grouped by valence", x: 20, y: top + 4, size: 14)
        let classes = table.labels.count
        let chosen = ReportFigures.clips(table, count: count)
        let valence = labels.names == table.labels ? labels.valence : [Int](repeating: 1, count: classes)
        let grouped = (0..<classes).filter { valence[$0] > 0 } + (0..<classes).filter { valence[$0] <= 0 }
        let panelHeight = 190.0
        for (row, item) in chosen.enumerated() {
            let (truth, predicted) = (item.truth, item.predicted)
            let plot = PlotArea(x: 70, y: top + 30 + Double(row) * panelHeight, width: width - 100, height: panelHeight - 60)
            let clipName = item.clip >= 0 ? "clip \(item.clip)" : "windows without a clip id"
            canvas.text("\(item.subject), \(clipName) (\(item.windows) windows)", x: 20, y: plot.y - 6, size: 12, weight: "bold")
            let high = max((truth + predicted).max() ?? 0.2, 1e-6) * 1.15
            canvas.axes(plot, yAxis: Axis(low: 0, high: high), xLabel: nil, xTicks: [], xRange: (0, 1))
            let slot = plot.width / Double(classes + 1)
            for (position, c) in grouped.enumerated() {
                let gap = position >= grouped.firstIndex(where: { valence[$0] <= 0 }) ?? classes ? slot : 0
                let x = plot.x + Double(position) * slot + gap / 2 + slot * 0.1
                let isPositive = valence[c] > 0
                for (offset, value, shade) in [
                    (0.0, truth[c], isPositive ? "#9ecae1" : "#fcae91"), (slot * 0.4, predicted[c], isPositive ? "#2171b5" : "#cb181d"),
                ] {
                    let height = plot.height * value / high
                    canvas.rect(
                        x: x + offset, y: plot.y + plot.height - height, width: slot * 0.38, height: height, fill: shade,
                        role: offset == 0 ? "true-bar" : "predicted-bar",
                        title: "\(table.labels[c]) \(offset == 0 ? "true" : "predicted") \(format(value))")
                }
                canvas.text(table.labels[c], x: x + slot * 0.4, y: plot.y + plot.height + 14, size: 10, anchor: "middle")
            }
        }
        canvas.height = top + 40 + Double(max(chosen.count, 1)) * panelHeight
    }

    static func format(_ value: Double) -> String {
        let text = String(Double(Int((value * 10_000).rounded())) / 10_000)
        return text
    }
}
