import Foundation

/// A minimal Prometheus registry (text exposition format 0.0.4): counters, gauges and histograms
/// with labels, safe to update from any thread. Families render in registration order.
final class PrometheusRegistry: @unchecked Sendable {
    private let lock = NSLock()
    private var families: [Family] = []

    private final class Family {
        let name: String
        let help: String
        let type: String
        let buckets: [Double]
        /// Series keyed by their rendered label set (`{a="x",b="y"}`), in first-seen order.
        var keys: [String] = []
        var values: [String: Series] = [:]
        /// Sampled at render time (open connections, queue depth).
        var sample: (() -> Double)?

        init(name: String, help: String, type: String, buckets: [Double] = []) {
            self.name = name
            self.help = help
            self.type = type
            self.buckets = buckets
        }
    }

    private struct Series {
        var value = 0.0
        var bucketCounts: [UInt64] = []
        var count: UInt64 = 0
    }

    /// A monotonically increasing count.
    struct Counter: Sendable {
        fileprivate let registry: PrometheusRegistry
        fileprivate let index: Int
        func increment(_ labels: KeyValuePairs<String, String> = [:], by amount: Double = 1) {
            registry.update(index, labels) { $0.value += amount }
        }
    }

    /// A value that goes up and down.
    struct Gauge: Sendable {
        fileprivate let registry: PrometheusRegistry
        fileprivate let index: Int
        func set(_ value: Double, _ labels: KeyValuePairs<String, String> = [:]) {
            registry.update(index, labels) { $0.value = value }
        }
        /// Drops every series (e.g. the info gauge of models no longer loaded).
        func reset() { registry.reset(index) }
    }

    /// Observations counted into cumulative buckets, with their sum and count.
    struct Histogram: Sendable {
        fileprivate let registry: PrometheusRegistry
        fileprivate let index: Int
        fileprivate let buckets: [Double]
        func observe(_ value: Double, _ labels: KeyValuePairs<String, String> = [:]) {
            let buckets = self.buckets
            registry.update(index, labels) { series in
                if series.bucketCounts.isEmpty { series.bucketCounts = [UInt64](repeating: 0, count: buckets.count) }
                if let bucket = buckets.firstIndex(where: { value <= $0 }) { series.bucketCounts[bucket] += 1 }
                series.value += value
                series.count += 1
            }
        }
    }

    func counter(_ name: String, _ help: String) -> Counter {
        Counter(registry: self, index: register(Family(name: name, help: help, type: "counter")))
    }

    func gauge(_ name: String, _ help: String) -> Gauge {
        Gauge(registry: self, index: register(Family(name: name, help: help, type: "gauge")))
    }

    /// A gauge whose value is read when `/metrics` is scraped.
    func gauge(_ name: String, _ help: String, sample: @escaping () -> Double) {
        let family = Family(name: name, help: help, type: "gauge")
        family.sample = sample
        _ = register(family)
    }

    func histogram(_ name: String, _ help: String, buckets: [Double]) -> Histogram {
        Histogram(registry: self, index: register(Family(name: name, help: help, type: "histogram", buckets: buckets)), buckets: buckets)
    }

    private func register(_ family: Family) -> Int {
        lock.withLock {
            families.append(family)
            return families.count - 1
        }
    }

    private func update(_ index: Int, _ labels: KeyValuePairs<String, String>, _ change: (inout Series) -> Void) {
        let key = Self.render(labels)
        lock.withLock {
            let family = families[index]
            if family.values[key] == nil {
                family.keys.append(key)
                family.values[key] = Series()
            }
            change(&family.values[key]!)
        }
    }

    private func reset(_ index: Int) {
        lock.withLock {
            families[index].keys = []
            families[index].values = [:]
        }
    }

    /// The exposition text.
    func render() -> String {
        let samplers: [(Int, () -> Double)] = lock.withLock {
            families.enumerated().compactMap { index, family in family.sample.map { (index, $0) } }
        }
        // Sample outside the lock: samplers may take other locks.
        let sampled = Dictionary(uniqueKeysWithValues: samplers.map { ($0.0, $0.1()) })
        return lock.withLock {
            var out = ""
            for (index, family) in families.enumerated() {
                out += "# HELP \(family.name) \(family.help)\n# TYPE \(family.name) \(family.type)\n"
                if let value = sampled[index] {
                    out += "\(family.name) \(Self.format(value))\n"
                    continue
                }
                for key in family.keys {
                    guard let series = family.values[key] else { continue }
                    if family.type == "histogram" {
                        var cumulative: UInt64 = 0
                        for (bucket, bound) in family.buckets.enumerated() {
                            cumulative += series.bucketCounts.isEmpty ? 0 : series.bucketCounts[bucket]
                            out += "\(family.name)_bucket\(Self.adding("le", Self.format(bound), to: key)) \(cumulative)\n"
                        }
                        out += "\(family.name)_bucket\(Self.adding("le", "+Inf", to: key)) \(series.count)\n"
                        out += "\(family.name)_sum\(key) \(Self.format(series.value))\n"
                        out += "\(family.name)_count\(key) \(series.count)\n"
                    } else {
                        out += "\(family.name)\(key) \(Self.format(series.value))\n"
                    }
                }
            }
            return out
        }
    }

    static func render(_ labels: KeyValuePairs<String, String>) -> String {
        guard !labels.isEmpty else { return "" }
        return "{" + labels.map { "\($0.key)=\"\(escape($0.value))\"" }.joined(separator: ",") + "}"
    }

    private static func adding(_ name: String, _ value: String, to key: String) -> String {
        key.isEmpty ? "{\(name)=\"\(value)\"}" : String(key.dropLast()) + ",\(name)=\"\(value)\"}"
    }

    /// Label values escape backslash, double quote and newline.
    private static func escape(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == 0x5C || $0 == 0x22 || $0 == 0x0A }) else { return value }
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }

    private static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
