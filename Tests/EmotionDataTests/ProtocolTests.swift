import EmotionVocabulary
import Testing

@testable import EmotionData

/// `subjects` subjects × `clips` clips × `windows` windows; feature = subject index.
func protocolDataset(subjects: Int = 7, clips: Int = 3, windows: Int = 10, withPart: Bool = false) -> EmotionDataset {
    var ids: [String] = []
    var clipIDs: [Int] = []
    for subject in 0..<subjects {
        for clip in 0..<clips {
            for _ in 0..<windows {
                ids.append("S\(subject)")
                clipIDs.append(clip)
            }
        }
    }
    let n = ids.count
    return EmotionDataset(
        layout: tinyInput, labels: tinyLabels,
        features: (0..<(n * tinyInput.featureCount)).map { Float($0 / tinyInput.featureCount / (clips * windows)) },
        targets: [Float](repeating: 1.0 / 3, count: n * 3), subjects: ids, clips: clipIDs,
        part: withPart ? (0..<n).map { $0 % 5 == 4 ? .test : .train } : nil)
}

@Suite struct ProtocolTests {
    func expectDisjointCover(_ fold: Fold, total: Int? = nil) {
        let all = fold.train + fold.validation + fold.test
        #expect(Set(all).count == all.count, "a window is in two sets")
        if let total { #expect(all.count == total) }
    }

    @Test(arguments: [EvaluationProtocol.leaveOneSubjectOut, .kFold(3), .kFold(7)])
    func subjectIndependentKeepsTestSubjectsOut(protocol: EvaluationProtocol) throws {
        let dataset = protocolDataset()
        let folds = try `protocol`.folds(for: dataset, seed: 42)
        for fold in folds {
            let testSubjects = Set(fold.testSubjects)
            #expect(!fold.validation.isEmpty)
            #expect(fold.train.allSatisfy { !testSubjects.contains(dataset.subjects[$0]) })
            #expect(fold.validation.allSatisfy { !testSubjects.contains(dataset.subjects[$0]) })
            #expect(fold.test.allSatisfy { testSubjects.contains(dataset.subjects[$0]) })
            // Validation is whole subjects, disjoint from training subjects.
            let trainSubjects = Set(fold.train.map { dataset.subjects[$0] })
            #expect(fold.validation.allSatisfy { !trainSubjects.contains(dataset.subjects[$0]) })
            expectDisjointCover(fold, total: dataset.windowCount)
        }
    }

    @Test func kFoldTestsEachSubjectExactlyOnce() throws {
        let dataset = protocolDataset(subjects: 10)
        let folds = try EvaluationProtocol.kFold(4).folds(for: dataset, seed: 9)
        #expect(folds.count == 4)
        let tested = folds.flatMap(\.testSubjects)
        #expect(tested.sorted() == dataset.subjectIDs.sorted())
        #expect(folds.map(\.testSubjects.count).sorted() == [2, 2, 3, 3])
        #expect(try EvaluationProtocol.kFold(4).folds(for: dataset, seed: 9) == folds)
        #expect(try EvaluationProtocol.kFold(4).folds(for: dataset, seed: 10) != folds)
    }

    @Test func chronologicalSplitTestsTheEndOfEveryClip() throws {
        let dataset = protocolDataset(subjects: 2, clips: 3, windows: 10)
        let folds = try EvaluationProtocol.subjectDependent(.chronological).folds(for: dataset, seed: 1)
        #expect(folds.count == 2)
        for fold in folds {
            expectDisjointCover(fold, total: 30)
            for clip in 0..<3 {
                let inClip = { (index: Int) in dataset.clips[index] == clip }
                let trainWindows = (fold.train + fold.validation).filter(inClip)
                let testWindows = fold.test.filter(inClip)
                #expect(trainWindows.count == 8 && testWindows.count == 2)
                #expect(trainWindows.max()! < testWindows.min()!)
                // Validation is the end of the training part of the clip.
                #expect(fold.train.filter(inClip).max()! < fold.validation.filter(inClip).min()!)
            }
        }
        #expect(!EvaluationProtocol.subjectDependent(.chronological).isLeaky)
    }

    @Test func shortClipsKeepOneWindowEachSide() throws {
        let dataset = protocolDataset(subjects: 1, clips: 1, windows: 2)
        let fold = try #require(
            try EvaluationProtocol.subjectDependent(.chronological).folds(for: dataset, seed: 1).first)
        #expect(fold.train + fold.validation == [0] && fold.test == [1])
    }

    @Test func randomSplitIsMarkedLeakyAndDeterministic() throws {
        let dataset = protocolDataset(subjects: 2)
        let random = EvaluationProtocol.subjectDependent(.random)
        #expect(random.isLeaky)
        let folds = try random.folds(for: dataset, seed: 5)
        #expect(folds == (try random.folds(for: dataset, seed: 5)))
        for fold in folds { expectDisjointCover(fold, total: 30) }
    }

    @Test func givenUsesTheFileSplit() throws {
        let dataset = protocolDataset(subjects: 2, withPart: true)
        let folds = try EvaluationProtocol.given.folds(for: dataset, seed: 0)
        let fold = try #require(folds.first)
        #expect(fold.test.allSatisfy { dataset.part?[$0] == .test })
        #expect((fold.train + fold.validation).allSatisfy { dataset.part?[$0] == .train })
        #expect(!fold.validation.isEmpty)
        #expect(throws: ProtocolError.self) { try EvaluationProtocol.given.folds(for: protocolDataset(), seed: 0) }
    }

    @Test func tooFewSubjectsIsAnError() {
        #expect(throws: ProtocolError.self) {
            try EvaluationProtocol.leaveOneSubjectOut.folds(for: protocolDataset(subjects: 1), seed: 0)
        }
        #expect(throws: ProtocolError.self) {
            try EvaluationProtocol.kFold(8).folds(for: protocolDataset(subjects: 7), seed: 0)
        }
    }

    @Test func namesParse() {
        #expect(EvaluationProtocol(name: "loso") == .leaveOneSubjectOut)
        #expect(EvaluationProtocol(name: "kfold-5") == .kFold(5))
        #expect(EvaluationProtocol(name: "subject-dependent-random") == .subjectDependent(.random))
        #expect(EvaluationProtocol(name: "nonsense") == nil)
    }
}
