import EmotionVocabulary
import JSON
import TestSupport
import Testing

@testable import EmotionData

@Suite struct EndToEndLoadingTests {
    /// A layout for the 3 × 4 `feas` of the .npz fixtures: EEG 1×2, one peripheral feature, face 1.
    func npzLayout() throws -> DataLayout {
        try DataLayout(json: [
            "input": [
                "eeg": ["channels": 1, "bands": 2], "peripheral": [["name": "gsr", "dims": 1]],
                "face": ["planes": 1, "bins": 1],
            ],
            "label_set": ["names": ["up", "down"], "valence": [1, -1]],
            "features": ["fused": "feas"], "labels": ["per_clip": "dis_label"], "clips": ["variable": "vids"],
        ])
    }

    @Test(arguments: ["stored.npz", "deflated.npz"])
    func npzFileLoadsThroughACustomLayout(file: String) throws {
        let dataset = try DatasetLoader.load(path: try Fixtures.path(file), layout: try npzLayout())
        #expect(dataset.subjectIDs == [String(file.dropLast(4))])
        #expect(dataset.features == (0..<12).map { Float($0) - 5.5 })
        #expect(dataset.clips == [0, 0, 1])
        let expected: [Double] = [1.0 / 3, 2.0 / 3, 1.0 / 3, 2.0 / 3, 3.0 / 7, 4.0 / 7]
        #expect(dataset.targets == expected.map { Float($0) })
    }

    @Test func unsupportedVariableFailsOnlyWhenUsed() throws {
        let path = try Fixtures.path("mat_plain.mat")
        var layout = tinyLayout()
        layout.parts[0].features = .fused("cellvar")
        expectDataError(.unsupported, mentioning: ["mat_plain.mat", "cellvar", "cell array"]) {
            _ = try DatasetLoader.load(path: path, layout: layout)
        }
    }

    @Test func version73FileFailsThroughTheLoader() throws {
        let directory = try TemporaryDirectory("emotiondata")
        defer { directory.remove() }
        var bytes = [UInt8](repeating: 0, count: 600)
        bytes.replaceSubrange(512..<520, with: [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A])
        let path = try directory.write(bytes, name: "s01.mat")
        expectDataError(.hdf5, mentioning: ["s01.mat", "'-v7'"]) {
            _ = try DatasetLoader.load(path: path, layout: .dmer())
        }
    }

    @Test func layoutsResolveByNameOrFile() throws {
        #expect(try DataLayout.resolve("emotiondict") == .split)
        #expect(try DataLayout.resolve("dmer").eegOrder == .channelMajor)
        let directory = try TemporaryDirectory("emotiondata")
        defer { directory.remove() }
        let path = try directory.write(Array(#"{"extends": "dmer", "eeg_order": "band-major"}"#.utf8), name: "l.json")
        #expect(try DataLayout.resolve(path) == .dmer(eegOrder: .bandMajor))
        let broken = try directory.write(Array("{".utf8), name: "broken.json")
        expectDataError(.invalidLayout, mentioning: ["broken.json", "JSON"]) { _ = try DataLayout.resolve(broken) }
    }

    @Test func subjectDependentWithoutClipsUsesARandomValidationSet() throws {
        var dataset = protocolDataset(subjects: 1, clips: 1, windows: 50)
        dataset.clips = [Int](repeating: -1, count: 50)
        let fold = try #require(
            try EvaluationProtocol.subjectDependent(.chronological).folds(for: dataset, seed: 4).first)
        #expect(fold.test == Array(40..<50))
        #expect(fold.validation.count == 4)
        #expect(fold.validation != [36, 37, 38, 39])
        #expect(Set(fold.train + fold.validation) == Set(0..<40))
    }
}
