import EmotionVocabulary
import JSON
import Testing

/// A label set's one JSON spelling, and the one comma-separated list splitter.
@Suite struct LabelSetJSONTests {
    @Test func aLabelSetSurvivesItsObjectForm() throws {
        let labels = LabelSet(names: ["joy", "calm", "fear"], valence: [1, 1, -1])
        #expect(labels.json.text == #"{"names":["joy","calm","fear"],"valence":[1,1,-1]}"#)
        #expect(LabelSet(json: try JSON.parse(Array(labels.json.text.utf8))) == labels)
        #expect(LabelSet(json: ["names": "joy", "valence": [1]]) == nil)
        #expect(LabelSet(json: ["names": ["joy"]]) == nil)
    }

    @Test func theServiceListsOneObjectPerLabel() {
        let labels = LabelSet(names: ["joy", "fear"], valence: [1, -1])
        #expect(labels.entries.text == #"[{"name":"joy","valence":1},{"name":"fear","valence":-1}]"#)
    }

    @Test func commaSeparatedListsTrimAndKeepOrSkipEmptyFields() {
        #expect(CommaSeparatedList.fields(" 3407, 3408 ,,3409") == ["3407", "3408", "", "3409"])
        #expect(CommaSeparatedList.items(" a, ,b ") == ["a", "b"])
        #expect(CommaSeparatedList.items("") == [])
    }
}
