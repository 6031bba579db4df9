import EmotionVocabulary
import JSON
import Testing

/// The shared vocabulary: layouts and label sets survive their JSON form and refuse what is unusable.
@Suite struct VocabularyTests {
    @Test func theDMERLayoutHas913FeaturesInCanonicalOrder() {
        let layout = InputLayout.dmer
        #expect(layout.featureCount == 913)
        #expect(layout.eegRange == 0..<90)
        #expect(layout.peripheralGroupRange(0) == 90..<118)
        #expect(layout.peripheralGroupRange(1) == 118..<145)
        #expect(layout.faceRange == 145..<913)
    }

    @Test func aLayoutSurvivesItsJSONForm() throws {
        for layout in [InputLayout.dmer, .emotionDictSample] {
            let text = layout.json.serialized()
            #expect(InputLayout(json: try JSON.parse(text)) == layout)
        }
    }

    @Test func aLayoutWithAnEmptyModalityIsRefused() {
        var layout = InputLayout.dmer
        layout.peripheralGroups = []
        #expect(!layout.validationErrors().isEmpty)
        #expect(InputLayout(json: layout.json) == nil)
    }

    @Test func labelSetsNeedUniqueNamesAndSignedValence() {
        #expect(LabelSet.panas.validationErrors().isEmpty)
        #expect(LabelSet.panas.valence.filter { $0 > 0 }.count == 5)
        #expect(!LabelSet(names: ["a", "a"], valence: [1, -1]).validationErrors().isEmpty)
        #expect(!LabelSet(names: ["a", "b"], valence: [1, 0]).validationErrors().isEmpty)
        #expect(!LabelSet(names: ["a", "b"], valence: [1]).validationErrors().isEmpty)
    }
}
