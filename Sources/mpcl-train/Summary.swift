import JSON
import MPCL

/// The one-table summary printed after `fit` and `merge`.
enum Summary {
    static func text(_ report: JSON) -> String {
        let model = report["model"]?.stringValue ?? "?"
        let protocolName = report["protocol"]?.stringValue ?? "?"
        var lines = ["\(model) \(protocolName): mean ± std over \(report["test_windows"]?.intValue ?? 0) test windows"]
        for metric in Metric.allCases {
            let mean = report["metrics"]?[metric.rawValue]?["mean"]?.doubleValue ?? .nan
            let std = report["metrics"]?[metric.rawValue]?["std"]?.doubleValue ?? .nan
            lines.append("  \(metric.rawValue.padding(12)) \(round6(mean)) ± \(round6(std))")
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
