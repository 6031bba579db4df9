import JSON
import MPCL

/// The one-table summary printed after `fit` and `merge`.
enum Summary {
    static func text(_ report: JSON) -> String {
        let model = report["model"]?.stringValue ?? "?"
        let protocolName = report["protocol"]?.stringValue ?? "?"
        if let seeds = report["seeds"]?.arrayValue {
            var lines = [
                "\(model) \(protocolName): mean ± sd over \(seeds.count) seeds (\(seeds.compactMap(\.intValue).map(String.init).joined(separator: ", ")))"
            ]
            for metric in Metric.allCases {
                let mean = report["metrics"]?[metric.rawValue]?["mean"]?.doubleValue ?? .nan
                let sd = report["metrics"]?[metric.rawValue]?["sd"]?.doubleValue ?? .nan
                lines.append("  \(metric.rawValue.padding(12)) \(round6(mean)) ± \(round6(sd))")
            }
            return lines.joined(separator: "\n")
        }
        var lines = ["\(model) \(protocolName): mean ± std over \(report["test_windows"]?.intValue ?? 0) test windows"]
        for metric in Metric.allCases {
            let mean = report["metrics"]?[metric.rawValue]?["mean"]?.doubleValue ?? .nan
            let std = report["metrics"]?[metric.rawValue]?["std"]?.doubleValue ?? .nan
            lines.append("  \(metric.rawValue.padding(12)) \(round6(mean)) ± \(round6(std))")
        }
        let folds = report["folds"]?.arrayValue ?? []
        for (fold, stop) in (report["stops"]?.arrayValue ?? []).enumerated() {
            guard let reason = stop["reason"]?.stringValue, reason != "untrained" else { continue }
            lines.append(
                "  fold \((fold < folds.count ? folds[fold]["fold"]?.intValue : nil) ?? fold): stopped (\(reason)) after \(stop["steps"]?.intValue ?? 0) steps, "
                    + "\(stop["epochs"]?.intValue ?? 0) epochs; kept epoch \(stop["best_epoch"]?.intValue ?? 0) (step \(stop["best_step"]?.intValue ?? 0))"
            )
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
