import MPCL
import Testing

/// z-scoring with training statistics: x̂ = (x − μ) / max(σ, 1e-6), population σ over the given rows.
@Suite struct FeatureNormalizationTests {
    @Test func zScoresWithTheStatisticsOfTheGivenRows() {
        // One feature, values 0, 0, 1, 1, 2, 2; statistics from the first four rows only.
        var values: [Float] = [0, 0, 1, 1, 2, 2]
        let normalization = FeatureNormalization(features: values, columns: 1, rows: 0..<4)
        #expect(normalization.mean == [0.5])
        #expect(normalization.std == [0.5])
        normalization.apply(to: &values)
        #expect(values.first == -1 && values.last == 3)
    }

    @Test func constantFeaturesUseTheFloor() {
        var values: [Float] = [2, 2, 2]
        let normalization = FeatureNormalization(features: values, columns: 1, rows: 0..<3)
        #expect(normalization.std == [Float(1e-6)])
        normalization.apply(to: &values)
        #expect(values == [0, 0, 0])
    }
}
