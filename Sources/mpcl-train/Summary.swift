import MPCL
import MPCLTraining

/// The one-table summary printed after `fit` and `merge`.
enum Summary {
    /// `fit --seeds`: the mean and sample sd over seeds of each metric.
    static func text(_ report: SeedRepeatsReport) -> String {
        var lines = [
            "\(report.model ?? "?") \(report.protocolName ?? "?"): mean ± sd over \(report.seeds.count) seeds (\(report.seeds.map(String.init).joined(separator: ", ")))"
        ]
        for metric in Metric.allCases {
            let spread = report.metrics[metric]
            lines.append("  \(metric.rawValue.padding(12)) \(round6(spread?.mean ?? .nan)) ± \(round6(spread?.sd ?? .nan))")
        }
        return lines.joined(separator: "\n")
    }

    /// `fit` and `merge`: the pooled metrics and where each trained fold stopped.
    static func text(_ report: TrainingReport) -> String {
        var lines = ["\(report.model ?? "?") \(report.protocolName ?? "?"): mean ± std over \(report.testWindows) test windows"]
        for metric in Metric.allCases {
            lines.append("  \(metric.rawValue.padding(12)) \(round6(report.metrics.mean(metric))) ± \(round6(report.metrics.std(metric)))")
        }
        for fold in report.folds where fold.stop.reason != StopReason.untrained.rawValue {
            let stop = fold.stop
            lines.append(
                "  fold \(fold.fold): stopped (\(stop.reason)) after \(stop.steps) steps, "
                    + "\(stop.epochs) epochs; kept epoch \(stop.bestEpoch) (step \(stop.bestStep))")
        }
        return lines.joined(separator: "\n")
    }

    static func round6(_ value: Double) -> String { "\((value * 1e6).rounded() / 1e6)" }

    static func parent(of path: String) -> String {
        let trimmed = path.hasSuffix("/") ? String(path.dropLast()) : path
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        return slash == trimmed.startIndex ? "/" : String(trimmed[..<slash])
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
