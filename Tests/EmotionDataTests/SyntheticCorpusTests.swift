import TestSupport
import Testing

@testable import EmotionData

@Suite struct SyntheticCorpusTests {
    static func small() -> SyntheticCorpus.Parameters {
        var parameters = SyntheticCorpus.Parameters()
        parameters.subjects = 3
        parameters.windowsPerClip = 20...26
        return parameters
    }

    @Test func sameSeedGivesByteIdenticalFiles() throws {
        let first = SyntheticCorpus(seed: 7, parameters: Self.small())
        let second = SyntheticCorpus(seed: 7, parameters: Self.small())
        let other = SyntheticCorpus(seed: 8, parameters: Self.small())
        for index in 0..<3 { #expect(try first.matFile(index) == second.matFile(index)) }
        #expect(try first.matFile(0) != other.matFile(0))
    }

    @Test func writtenFilesReadBackEqualToTheGeneratedDataset() throws {
        let corpus = SyntheticCorpus(seed: 3, parameters: Self.small())
        let directory = try TemporaryDirectory("emotiondata")
        defer { directory.remove() }
        let paths = try corpus.write(to: directory.path)
        #expect(paths.count == 3)
        let read = try DatasetLoader.load(path: directory.path, layout: .dmer())
        let generated = try corpus.dataset()
        #expect(read.subjectIDs == ["synth01", "synth02", "synth03"])
        #expect(read.features == generated.features)
        #expect(read.targets == generated.targets)
        #expect(read.clips == generated.clips)
        #expect(read.layout.featureCount == 913)
    }

    @Test func shapesAndLabelsAreValid() throws {
        let dataset = try SyntheticCorpus(seed: 11, parameters: Self.small()).dataset()
        for subject in dataset.subjectIDs {
            let windows = dataset.subjects.indices.filter { dataset.subjects[$0] == subject }
            let clips = Set(windows.map { dataset.clips[$0] })
            #expect(clips == Set(0..<32))
            for clip in clips {
                let count = windows.filter { dataset.clips[$0] == clip }.count
                #expect((20...60).contains(count))
            }
        }
        for window in 0..<dataset.windowCount {
            let row = dataset.targetRow(window)
            #expect(abs(row.reduce(0, +) - 1) < 1e-5)
            // Ratings are 1–5, so every entry lies in [1/(1+9*5), 5/(5+9)].
            #expect(row.allSatisfy { $0 >= 1.0 / 46 - 1e-6 && $0 <= 5.0 / 14 + 1e-6 })
        }
    }

    @Test func positiveClipsCarryMorePositiveMassThanNegativeClips() throws {
        let dataset = try SyntheticCorpus(seed: 5, parameters: Self.small()).dataset()
        func positiveMass(clips: Range<Int>) -> Float {
            let windows = (0..<dataset.windowCount).filter { clips.contains(dataset.clips[$0]) }
            let total = windows.reduce(Float(0)) { $0 + dataset.targetRow($1).prefix(5).reduce(0, +) }
            return total / Float(windows.count)
        }
        #expect(positiveMass(clips: 0..<8) > 0.6)
        #expect(positiveMass(clips: 8..<16) < 0.4)
        let mixed = positiveMass(clips: 16..<32)
        #expect(mixed > 0.4 && mixed < 0.6)
    }

    @Test func neighbouringWindowsAreMoreAlikeThanDistantOnes() throws {
        let dataset = try SyntheticCorpus(seed: 5, parameters: Self.small()).dataset()
        let width = dataset.layout.featureCount
        func distance(_ a: Int, _ b: Int) -> Float {
            zip(dataset.featureRow(a), dataset.featureRow(b)).prefix(90).reduce(0) {
                $0 + ($1.0 - $1.1) * ($1.0 - $1.1)
            }
        }
        var near: Float = 0
        var far: Float = 0
        var pairs = 0
        for start in stride(from: 0, to: dataset.windowCount - 20, by: 7)
        where dataset.clips[start] == dataset.clips[start + 15]
            && dataset.subjects[start] == dataset.subjects[start + 15]
        {
            near += distance(start, start + 1)
            far += distance(start, start + 15)
            pairs += 1
        }
        #expect(pairs > 20 && width == 913)
        #expect(near < far * 0.9)
    }
}
