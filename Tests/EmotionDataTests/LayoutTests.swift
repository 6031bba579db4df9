import EmotionVocabulary
import JSON
import TestSupport
import Testing

@testable import EmotionData

/// A tiny DMER-style layout (EEG 2×3, gsr 2, ppg 1, face 1×2 = 11 columns, 3 labels).
let tinyInput = InputLayout(
    eegChannels: 2, eegBands: 3, peripheralGroups: [.init(name: "gsr", dims: 2), .init(name: "ppg", dims: 1)],
    facePlanes: 1, faceBins: 2)
let tinyLabels = LabelSet(names: ["joy", "calm", "fear"], valence: [1, 1, -1])

func tinyLayout(_ order: DataLayout.EEGOrder = .channelMajor, base: Int = 0) -> DataLayout {
    var layout = DataLayout.dmer(eegOrder: order, clipBase: base)
    layout.input = tinyInput
    layout.labelSet = tinyLabels
    return layout
}

/// 4 windows of clips [0, 0, 1, 1]; feature value = window * 100 + column.
func tinyFile(
    feas: [Double]? = nil, vids: [Double] = [0, 0, 1, 1], ratings: [Double] = [1, 2, 1, 5, 0, 5],
    feasShape: [Int] = [4, 11]
) -> DataFile {
    let values = feas ?? (0..<44).map { Double(($0 / 11) * 100 + $0 % 11) }
    return DataFile(
        name: "s01.mat",
        variables: [
            Variable(name: "feas", shape: feasShape, values: values),
            Variable(name: "vids", shape: [1, vids.count], values: vids),
            Variable(name: "dis_label", shape: [2, 3], values: ratings),
        ])
}

@Suite struct DMERLayoutTests {
    @Test func fusedFileBecomesDatasetWithClipLabels() throws {
        let dataset = try DatasetLoader.dataset(from: tinyFile(), layout: tinyLayout(), subject: "s01")
        #expect(dataset.windowCount == 4)
        #expect(dataset.clips == [0, 0, 1, 1])
        #expect(dataset.subjects == ["s01", "s01", "s01", "s01"])
        #expect(dataset.part == nil)
        #expect(Array(dataset.featureRow(2)) == (0..<11).map { Float(200 + $0) })
        #expect(Array(dataset.targetRow(0)) == [Float(1.0 / 4), Float(2.0 / 4), Float(1.0 / 4)])
        #expect(Array(dataset.targetRow(3)) == [0.5, 0, 0.5])
    }

    @Test func oneBasedClipIdsAreDeclared() throws {
        let dataset = try DatasetLoader.dataset(
            from: tinyFile(vids: [1, 1, 2, 2]), layout: tinyLayout(base: 1), subject: "s")
        #expect(dataset.clips == [0, 0, 1, 1])
        expectDataError(.invalidValue, mentioning: ["s01.mat", "dis_label", "clip 2"]) {
            _ = try DatasetLoader.dataset(
                from: tinyFile(vids: [1, 1, 2, 2]), layout: tinyLayout(base: 0), subject: "s")
        }
    }

    @Test func bandMajorEEGIsReorderedToChannelMajor() throws {
        // Band-major columns: b0c0 b0c1 b1c0 b1c1 b2c0 b2c1 → canonical c0b0 c0b1 c0b2 c1b0 c1b1 c1b2.
        let dataset = try DatasetLoader.dataset(from: tinyFile(), layout: tinyLayout(.bandMajor), subject: "s")
        #expect(Array(dataset.featureRow(0).prefix(7)) == [0, 2, 4, 1, 3, 5, 6])
    }

    @Test func shapeMismatchNamesFileVariableAndSizes() {
        let file = tinyFile(feas: [Double](repeating: 0, count: 40), feasShape: [4, 10])
        expectDataError(.shapeMismatch, mentioning: ["s01.mat", "feas", "10", "11"]) {
            _ = try DatasetLoader.dataset(from: file, layout: tinyLayout(), subject: "s")
        }
        expectDataError(.shapeMismatch, mentioning: ["vids"]) {
            _ = try DatasetLoader.dataset(from: tinyFile(vids: [0, 0, 1]), layout: tinyLayout(), subject: "s")
        }
    }

    @Test func nonFiniteFeaturesAreRejected() {
        var values = (0..<44).map(Double.init)
        values[13] = .nan
        expectDataError(.invalidValue, mentioning: ["s01.mat", "feas", "window 1", "column 2"]) {
            _ = try DatasetLoader.dataset(from: tinyFile(feas: values), layout: tinyLayout(), subject: "s")
        }
        values[13] = .infinity
        expectDataError(.invalidValue, mentioning: ["feas"]) {
            _ = try DatasetLoader.dataset(from: tinyFile(feas: values), layout: tinyLayout(), subject: "s")
        }
    }

    @Test func badLabelsAreRejected() {
        expectDataError(.invalidValue, mentioning: ["dis_label", "clip 1", "≥ 0"]) {
            _ = try DatasetLoader.dataset(
                from: tinyFile(ratings: [1, 2, 1, -1, 2, 2]), layout: tinyLayout(), subject: "s")
        }
        expectDataError(.invalidValue, mentioning: ["dis_label", "sums to zero"]) {
            _ = try DatasetLoader.dataset(
                from: tinyFile(ratings: [0, 0, 0, 1, 1, 1]), layout: tinyLayout(), subject: "s")
        }
        expectDataError(.invalidValue, mentioning: ["vids", "window 2"]) {
            _ = try DatasetLoader.dataset(from: tinyFile(vids: [0, 0, 0.5, 1]), layout: tinyLayout(), subject: "s")
        }
    }

    @Test func missingVariableIsNamed() {
        let file = DataFile(name: "x.mat", variables: [Variable(name: "other", shape: [1, 1], values: [0])])
        expectDataError(.missingVariable, mentioning: ["x.mat", "feas", "other"]) {
            _ = try DatasetLoader.dataset(from: file, layout: tinyLayout(), subject: "s")
        }
    }
}

@Suite struct SplitLayoutTests {
    /// A split-style file (train 3 windows, test 2) with the EmotionDict sample's dims.
    func splitFile(testEEGRows: Int = 2, label: [Double]? = nil) -> DataFile {
        func part(_ prefix: String, _ rows: Int, eegRows: Int) -> [Variable] {
            [
                Variable(
                    name: "\(prefix)_eeg", shape: [eegRows, 18, 4], values: (0..<(eegRows * 72)).map(Double.init)),
                Variable(
                    name: "\(prefix)_gsr", shape: [rows, 1, 4], values: (0..<(rows * 4)).map { 1000 + Double($0) }),
                Variable(
                    name: "\(prefix)_ppg", shape: [rows, 1, 4], values: (0..<(rows * 4)).map { 2000 + Double($0) }),
                Variable(
                    name: "\(prefix)_video", shape: [rows, 32], values: (0..<(rows * 32)).map { 3000 + Double($0) },
                    elementType: .float32),
                Variable(
                    name: "\(prefix)_label", shape: [rows, 10], values: label ?? (0..<(rows * 10)).map { _ in 0.1 }),
            ]
        }
        return DataFile(
            name: "dict.mat", variables: part("train", 3, eegRows: 3) + part("test", 2, eegRows: testEEGRows))
    }

    @Test func modalitiesAreConcatenatedInCanonicalOrder() throws {
        let dataset = try DatasetLoader.dataset(from: splitFile(), layout: .split, subject: "dict")
        #expect(dataset.windowCount == 5)
        #expect(dataset.layout.featureCount == 72 + 8 + 32)
        #expect(dataset.part == [.train, .train, .train, .test, .test])
        #expect(dataset.clips == [-1, -1, -1, -1, -1])
        let row = Array(dataset.featureRow(1))
        #expect(row[0] == 72 && row[71] == 143)
        #expect(Array(row[72..<80]) == [1004, 1005, 1006, 1007, 2004, 2005, 2006, 2007])
        #expect(row[80] == 3032 && row[111] == 3063)
        #expect(abs(dataset.targetRow(4).reduce(0, +) - 1) < 1e-6)
    }

    @Test func rowCountMismatchBetweenModalitiesIsNamed() {
        expectDataError(.shapeMismatch, mentioning: ["dict.mat", "test_gsr", "test_eeg"]) {
            _ = try DatasetLoader.dataset(from: splitFile(testEEGRows: 4), layout: .split, subject: "d")
        }
    }

    @Test func negativeWindowLabelIsRejected() {
        var label = [Double](repeating: 0.1, count: 30)
        label[12] = -0.1
        expectDataError(.invalidValue, mentioning: ["train_label", "window 1"]) {
            _ = try DatasetLoader.dataset(from: splitFile(label: label), layout: .split, subject: "d")
        }
    }
}

@Suite struct LayoutJSONTests {
    @Test func customLayoutParsesAndRoundTrips() throws {
        let text = """
            {"name": "mine", "input": {"eeg": {"channels": 2, "bands": 3},
              "peripheral": [{"name": "gsr", "dims": 2}, {"name": "ppg", "dims": 1}], "face": {"planes": 1, "bins": 2}},
             "label_set": {"names": ["joy", "calm", "fear"], "valence": [1, 1, -1]},
             "eeg_order": "band-major", "subject": "P7",
             "features": {"eeg": "E", "peripheral": {"ppg": "P", "gsr": "G"}, "face": "F"},
             "labels": {"per_clip": "R"}, "clips": {"variable": "C", "base": 1}}
            """
        let layout = try DataLayout(json: try JSON.parse(text))
        #expect(layout.eegOrder == .bandMajor)
        #expect(layout.subject == "P7")
        #expect(layout.labelSet == tinyLabels)
        #expect(
            layout.parts == [
                .init(
                    features: .modalities(eeg: "E", peripheral: ["G", "P"], face: "F"), labels: .perClip("R"),
                    clips: .variable("C", base: 1))
            ])
        #expect(try DataLayout(json: layout.json) == layout)
        #expect(try DataLayout(json: DataLayout.split.json) == DataLayout.split)
        #expect(try DataLayout(json: ["extends": "split"]) == DataLayout.split)
    }

    @Test func invalidLayoutsNameTheField() {
        expectDataError(.invalidLayout, mentioning: ["eeg_order"]) {
            _ = try DataLayout(json: ["eeg_order": "diagonal"])
        }
        expectDataError(.invalidLayout, mentioning: ["clips"]) {
            _ = try DataLayout(json: ["features": ["fused": "X"], "labels": ["per_clip": "R"]])
        }
        expectDataError(.invalidLayout, mentioning: ["peripheral", "ppg"]) {
            _ = try DataLayout(json: [
                "features": ["eeg": "E", "peripheral": ["gsr": "G"], "face": "F"], "labels": ["per_window": "L"],
            ])
        }
    }

    @Test func directoryOfSubjectsLoadsSortedByName() throws {
        let directory = try TemporaryDirectory("emotiondata")
        defer { directory.remove() }
        for name in ["b", "a"] {
            let file = tinyFile()
            _ = try directory.write(try MATWriter.encode(file.variables, compressed: name == "a"), name: "\(name).mat")
        }
        _ = try directory.write(Array("ignored".utf8), name: "notes.txt")
        let dataset = try DatasetLoader.load(path: directory.path, layout: tinyLayout())
        #expect(dataset.subjectIDs == ["a", "b"])
        #expect(dataset.windowCount == 8)
    }
}
