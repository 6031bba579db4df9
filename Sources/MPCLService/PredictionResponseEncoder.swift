import EmotionVocabulary
import JSON
import MPCL

/// Distributions → the `/predict` response: per window the distribution keyed by label (in label
/// order), the arg-max label and the valence split; optionally the clip aggregate, which is the
/// same summary of the mean of the window distributions.
enum PredictionResponseEncoder {
    static func encode(model: LoadedModel, distributions: [Float], windows: Int, aggregate: Bool) -> JSON {
        let labels = model.labels
        let classes = labels.count
        var predictions: [JSON] = []
        predictions.reserveCapacity(windows)
        for row in 0..<windows {
            predictions.append(summary(distributions[(row * classes)..<((row + 1) * classes)], labels: labels))
        }
        var members: [(key: String, value: JSON)] = [
            ("model", model.reference),
            ("labels", JSON(strings: labels.names)),
            ("predictions", .array(predictions)),
        ]
        if aggregate {
            var mean = [Double](repeating: 0, count: classes)
            for row in 0..<windows {
                for c in 0..<classes { mean[c] += Double(distributions[row * classes + c]) }
            }
            members.append(("aggregate", summary(mean.map { Float($0 / Double(windows)) }[...], labels: labels)))
        }
        return .object(members)
    }

    /// `{"distribution": {label: p}, "dominant": label, "valence": {"positive", "negative"}}`.
    static func summary(_ probabilities: ArraySlice<Float>, labels: LabelSet) -> JSON {
        var distribution: [(key: String, value: JSON)] = []
        distribution.reserveCapacity(labels.count)
        var best = 0
        var positive = 0.0, negative = 0.0
        for (c, p) in probabilities.enumerated() {
            distribution.append((labels.names[c], .number(Double(p))))
            if p > probabilities[probabilities.startIndex + best] { best = c }
            if labels.valence[c] > 0 { positive += Double(p) } else { negative += Double(p) }
        }
        return [
            "distribution": .object(distribution),
            "dominant": .string(labels.names[best]),
            "valence": ["positive": .number(positive), "negative": .number(negative)],
        ]
    }
}
