import Randomness

/// Window groupings shared by the splitters.
enum WindowGroups {
    /// Window indices per subject, in dataset order.
    static func bySubject(_ dataset: EmotionDataset) -> [String: [Int]] {
        var groups: [String: [Int]] = [:]
        for (index, subject) in dataset.subjects.enumerated() { groups[subject, default: []].append(index) }
        return groups
    }

    /// `windows` grouped into runs of one clip (per subject), each in dataset (chronological) order.
    /// Windows without a clip id (-1) of one subject form one run.
    static func byClip(_ windows: [Int], dataset: EmotionDataset) -> [[Int]] {
        var order: [String] = []
        var groups: [String: [Int]] = [:]
        for index in windows {
            let key = "\(dataset.subjects[index])\u{0}\(dataset.clips[index])"
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(index)
        }
        return order.map { groups[$0] ?? [] }
    }
}

/// Within-subject splits of windows.
enum WindowSplitter {
    /// First 80 % (floor) of each clip's windows train, the rest test; a clip of ≥ 2 windows keeps
    /// at least one on each side. Validation = the last 10 % of each clip's training windows, or a
    /// random 10 % of the training windows when the subject has no clip ids (all -1).
    static func chronological(
        _ windows: [Int], dataset: EmotionDataset, subject: String, random: inout SeededGenerator
    ) -> Fold {
        var training: [Int] = []
        var test: [Int] = []
        for clip in WindowGroups.byClip(windows, dataset: dataset) {
            let trainCount = clip.count >= 2 ? min(max(clip.count * 8 / 10, 1), clip.count - 1) : clip.count
            training += clip[..<trainCount]
            test += clip[trainCount...]
        }
        let (train, validation) = self.validation(from: training, dataset: dataset, random: &random)
        return Fold(train: train, validation: validation, test: test.sorted(), testSubjects: [subject])
    }

    /// A random 80/20 split of the subject's windows (leaky), validation a random 10 % of training.
    static func random(_ windows: [Int], subject: String, random: inout SeededGenerator) -> Fold {
        var shuffled = windows
        random.shuffle(&shuffled)
        let trainCount = windows.count >= 2 ? min(max(windows.count * 8 / 10, 1), windows.count - 1) : windows.count
        let training = Array(shuffled[..<trainCount])
        let validationCount = validationSize(training.count)
        return Fold(
            train: training[validationCount...].sorted(), validation: training[..<validationCount].sorted(),
            test: shuffled[trainCount...].sorted(), testSubjects: [subject])
    }

    /// Carves validation windows out of `train`: the last 10 % of each clip's windows, or a random
    /// 10 % when no window has a clip id.
    static func validation(from train: [Int], dataset: EmotionDataset, random: inout SeededGenerator) -> ([Int], [Int]) {
        if train.allSatisfy({ dataset.clips[$0] < 0 }) {
            var shuffled = train
            random.shuffle(&shuffled)
            let count = validationSize(train.count)
            return (shuffled[count...].sorted(), shuffled[..<count].sorted())
        }
        var fit: [Int] = []
        var held: [Int] = []
        for clip in WindowGroups.byClip(train, dataset: dataset) {
            let (clipFit, clipHeld) = lastTenPercent(clip)
            fit += clipFit
            held += clipHeld
        }
        return (fit.sorted(), held.sorted())
    }

    /// Splits a chronological run into its first ~90 % and last ~10 %.
    static func lastTenPercent(_ run: [Int]) -> ([Int], [Int]) {
        let count = validationSize(run.count)
        return (Array(run[..<(run.count - count)]), Array(run[(run.count - count)...]))
    }

    /// 10 % rounded, at least one when there are two or more windows to spare.
    static func validationSize(_ count: Int) -> Int {
        guard count >= 2 else { return 0 }
        return min(max(Int((Double(count) * 0.1).rounded()), 1), count - 1)
    }
}

/// Subject-independent folds.
enum SubjectSplitter {
    /// Tests `testSubjects`; validation is ~15 % of the remaining subjects (at least one), chosen by
    /// `random`; with a single training subject, its last 10 % of each clip instead.
    static func fold(
        testSubjects: [String], allSubjects: [String], windowsBySubject: [String: [Int]], dataset: EmotionDataset,
        random: SeededGenerator
    ) throws -> Fold {
        var random = random
        let testSet = Set(testSubjects)
        var training = allSubjects.filter { !testSet.contains($0) }
        guard !training.isEmpty else { throw ProtocolError("a fold leaves no training subjects") }
        let test = testSubjects.flatMap { windowsBySubject[$0] ?? [] }.sorted()
        if training.count == 1 {
            let windows = windowsBySubject[training[0]] ?? []
            let (fit, held) = WindowSplitter.validation(from: windows, dataset: dataset, random: &random)
            return Fold(train: fit, validation: held, test: test, testSubjects: testSubjects)
        }
        random.shuffle(&training)
        let validationCount = min(max(Int((Double(training.count) * 0.15).rounded()), 1), training.count - 1)
        let validationSubjects = Set(training[..<validationCount])
        let train = training[validationCount...].flatMap { windowsBySubject[$0] ?? [] }.sorted()
        let validation = validationSubjects.flatMap { windowsBySubject[$0] ?? [] }.sorted()
        return Fold(train: train, validation: validation, test: test, testSubjects: testSubjects)
    }
}
