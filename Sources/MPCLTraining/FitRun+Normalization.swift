import EmotionData
import MPCL

/// The z-scoring `fit` applies before training and the chunked prediction of test windows through
/// `Predictor`, per subject when the run normalises per subject.
extension FitRun {
    /// Each subject's statistics over all of its windows (the calibration a client would send).
    static func perSubjectNormalization(_ dataset: EmotionDataset) -> [String: FeatureNormalization] {
        var rows: [String: [Int]] = [:]
        for (index, subject) in dataset.subjects.enumerated() { rows[subject, default: []].append(index) }
        return rows.mapValues { FeatureNormalization(features: dataset.features, columns: dataset.layout.featureCount, rows: $0) }
    }

    /// Every window z-scored by its subject's normalisation (the same arithmetic `Predictor` uses).
    static func zScored(_ dataset: EmotionDataset, by normalization: (String) -> FeatureNormalization) -> [Float] {
        let width = dataset.layout.featureCount
        var result = dataset.features
        var start = 0
        while start < dataset.windowCount {
            var end = start
            while end < dataset.windowCount && dataset.subjects[end] == dataset.subjects[start] { end += 1 }
            var block = Array(dataset.features[(start * width)..<(end * width)])
            normalization(dataset.subjects[start]).apply(to: &block)
            result.replaceSubrange((start * width)..<(end * width), with: block)
            start = end
        }
        return result
    }

    /// Distributions for `rows` from raw features through `predictor`, in chunks of one subject
    /// (so a per-subject model gets that subject's calibration).
    static func predict(
        _ predictor: Predictor, dataset: EmotionDataset, rows: [Int], calibration: (String) -> FeatureNormalization?
    ) -> PredictionTable {
        let width = dataset.layout.featureCount
        let classes = dataset.labels.count
        var table = PredictionTable(labels: dataset.labels.names)
        var start = 0
        while start < rows.count {
            let subject = dataset.subjects[rows[start]]
            var end = start
            while end < rows.count && end - start < 1024 && dataset.subjects[rows[end]] == subject { end += 1 }
            let chunk = Array(rows[start..<end])
            table.predicted += predictor.distributions(
                rawFeatures: gather(dataset.features, rows: chunk, width: width), rows: chunk.count,
                calibration: calibration(subject))
            table.truth += gather(dataset.targets, rows: chunk, width: classes)
            table.subjects += chunk.map { dataset.subjects[$0] }
            table.clips += chunk.map { dataset.clips[$0] }
            start = end
        }
        return table
    }
}
