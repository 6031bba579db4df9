import JSON
import MPCL

/// The `metrics` object of `report.json` (pooled and per fold): for each metric of docs/DATA.md's
/// table, the mean and population standard deviation over test windows,
/// `{"chebyshev": {"mean", "std"}, "clark", "canberra", "kl", "cosine", "intersection"}`.
public struct MetricSummaries: Equatable, Sendable {
    /// One entry per metric, in `Metric.allCases` order.
    public var summaries: [Metric: MetricSummary]

    public init(_ scores: MetricScores) {
        summaries = Dictionary(uniqueKeysWithValues: Metric.allCases.map { ($0, scores.summary($0)) })
    }

    /// A metric's mean; NaN when the report lacks it.
    public func mean(_ metric: Metric) -> Double { summaries[metric]?.mean ?? .nan }

    /// A metric's standard deviation over windows; NaN when the report lacks it.
    public func std(_ metric: Metric) -> Double { summaries[metric]?.std ?? .nan }

    public var json: JSON {
        .object(
            Metric.allCases.map { metric in
                (key: metric.rawValue, value: ["mean": .number(mean(metric)), "std": .number(std(metric))])
            })
    }

    /// Reads the metrics a report holds; a metric it lacks (or `null` values) is left out or NaN.
    public init(json: JSON?) {
        summaries = [:]
        for metric in Metric.allCases {
            guard let entry = json?[metric.rawValue] else { continue }
            summaries[metric] = MetricSummary(
                mean: entry["mean"]?.doubleValue ?? .nan, std: entry["std"]?.doubleValue ?? .nan)
        }
    }
}
