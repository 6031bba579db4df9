import JSON
import MPCL

/// `report.json` of `fit --seeds S1,S2,…`:
/// `{"model", "protocol", "seeds": [...], "seed_runs": ["seed-3407", ...],
///   "metrics": {"kl": {"mean", "sd", "per_seed": [...]}, ...}, "stops": [[StopEntry], ...],
///   "test_windows", …the first seed's run description without "seed"…}`
/// where `mean` is the mean over seeds of each run's pooled mean and `sd` the sample standard
/// deviation (n − 1) over seeds (0 for one seed).
public struct SeedRepeatsReport: Equatable, Sendable {
    /// One metric's spread over seeds.
    public struct Spread: Equatable, Sendable {
        public var mean: Double
        public var sd: Double
        public var perSeed: [Double]
    }

    public var model: String?
    public var protocolName: String?
    public var seeds: [UInt64]
    /// Each seed's output directory, relative to the report's.
    public var seedRuns: [String]
    /// In `Metric.allCases` order.
    public var metrics: [Metric: Spread]
    /// Per seed, its folds' stop entries.
    public var stops: [[StopEntry]]
    public var testWindows: Int?
    /// The first seed's run description without `model`, `protocol` and `seed`.
    public var run: JSON

    /// The spread over `reports`, one per seed.
    public init(reports: [TrainingReport], seeds: [UInt64], runNames: [String]) {
        let first = reports.first
        model = first?.model
        protocolName = first?.protocolName
        self.seeds = seeds
        seedRuns = runNames
        metrics = Dictionary(
            uniqueKeysWithValues: Metric.allCases.map { metric in
                let values = reports.map { $0.metrics.mean(metric) }
                let spread = Self.spread(values)
                return (metric, Spread(mean: spread.mean, sd: spread.sd, perSeed: values))
            })
        stops = reports.map(\.stops)
        testWindows = first?.testWindows
        run = .object((first?.run.objectValue ?? []).filter { !["model", "protocol", "seed"].contains($0.key) })
    }

    public var json: JSON {
        var members: [(key: String, value: JSON)] = [
            (key: "model", value: model.map { .string($0) } ?? .null),
            (key: "protocol", value: protocolName.map { .string($0) } ?? .null),
            (key: "seeds", value: .array(seeds.map { .number(Double($0)) })),
            (key: "seed_runs", value: JSON(strings: seedRuns)),
        ]
        let metrics: [(key: String, value: JSON)] = Metric.allCases.map { metric in
            let spread = self.metrics[metric] ?? Spread(mean: .nan, sd: .nan, perSeed: [])
            return (
                key: metric.rawValue,
                value: ["mean": .number(spread.mean), "sd": .number(spread.sd), "per_seed": .array(spread.perSeed.map { .number($0) })]
            )
        }
        members.append((key: "metrics", value: .object(metrics)))
        members.append((key: "stops", value: .array(stops.map { .array($0.map(\.json)) })))
        members.append((key: "test_windows", value: testWindows.map { .number(Double($0)) } ?? .null))
        members += run.objectValue ?? []
        return .object(members)
    }

    /// Reads a seeds report; nil when `json` is not one (it has no `seeds` array).
    public init?(json: JSON) {
        guard let seeds = json["seeds"]?.arrayValue else { return nil }
        model = json["model"]?.stringValue
        protocolName = json["protocol"]?.stringValue
        self.seeds = seeds.compactMap(\.doubleValue).map { UInt64($0) }
        seedRuns = json["seed_runs"]?.arrayValue?.compactMap(\.stringValue) ?? []
        metrics = [:]
        for metric in Metric.allCases {
            guard let entry = json["metrics"]?[metric.rawValue] else { continue }
            metrics[metric] = Spread(
                mean: entry["mean"]?.doubleValue ?? .nan, sd: entry["sd"]?.doubleValue ?? .nan,
                perSeed: entry["per_seed"]?.arrayValue?.map { $0.doubleValue ?? .nan } ?? [])
        }
        stops = json["stops"]?.arrayValue?.map { ($0.arrayValue ?? []).compactMap { StopEntry(json: $0) } } ?? []
        testWindows = json["test_windows"]?.intValue
        let own: Set = ["model", "protocol", "seeds", "seed_runs", "metrics", "stops", "test_windows"]
        run = .object((json.objectValue ?? []).filter { !own.contains($0.key) })
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
