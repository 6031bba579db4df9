import Randomness

/// How windows are split into folds for training and evaluation (docs/DATA.md "Protocols").
///
/// Pure functions of the dataset and a seed: the same inputs always give the same folds.
public enum EvaluationProtocol: Equatable, Sendable {
    /// How a subject-dependent protocol splits one subject's windows.
    public enum WindowSplit: String, Equatable, Sendable {
        /// Within each clip the first 80 % of windows train, the last 20 % test (leak-free).
        case chronological
        /// A random 80/20 window split: neighbouring seconds land on both sides, so it leaks.
        case random
    }

    /// One fold per subject, trained and tested on that subject's own windows.
    case subjectDependent(WindowSplit)
    /// One fold per subject, tested on that subject and trained on all others.
    case leaveOneSubjectOut
    /// Subjects assigned to k folds (deterministically from the seed); each fold tests one group.
    case kFold(Int)
    /// The file's own train/test parts (one fold).
    case given

    /// Whether results are optimistic because test windows neighbour training windows in time.
    public var isLeaky: Bool { self == .subjectDependent(.random) }

    /// The protocol's name on the command line and in reports: `subject-dependent`,
    /// `subject-dependent-random`, `loso`, `kfold:K`, `given`.
    public var name: String {
        switch self {
        case .subjectDependent(.chronological): return "subject-dependent"
        case .subjectDependent(.random): return "subject-dependent-random"
        case .leaveOneSubjectOut: return "loso"
        case .kFold(let k): return "kfold:\(k)"
        case .given: return "given"
        }
    }

    /// The folds of `dataset`; `seed` drives every random choice.
    public func folds(for dataset: EmotionDataset, seed: UInt64) throws -> [Fold] {
        let windowsBySubject = WindowGroups.bySubject(dataset)
        let subjects = dataset.subjectIDs
        guard !subjects.isEmpty else { throw ProtocolError("the dataset has no windows") }
        switch self {
        case .subjectDependent(let split):
            return subjects.enumerated().map { position, subject in
                let windows = windowsBySubject[subject] ?? []
                var random = SeededGenerator.derived(from: seed, 1, UInt64(position))
                return split == .chronological
                    ? WindowSplitter.chronological(windows, dataset: dataset, subject: subject, random: &random)
                    : WindowSplitter.random(windows, subject: subject, random: &random)
            }
        case .leaveOneSubjectOut:
            guard subjects.count >= 2 else {
                throw ProtocolError("leave-one-subject-out needs at least 2 subjects, found 1")
            }
            return try subjects.enumerated().map { position, subject in
                try SubjectSplitter.fold(
                    testSubjects: [subject], allSubjects: subjects, windowsBySubject: windowsBySubject,
                    dataset: dataset,
                    random: SeededGenerator.derived(from: seed, 2, UInt64(position)))
            }
        case .kFold(let k):
            guard k >= 2, k <= subjects.count else {
                throw ProtocolError("k-fold needs 2 ≤ k ≤ number of subjects (\(subjects.count)), got k = \(k)")
            }
            var order = subjects
            var assignment = SeededGenerator.derived(from: seed, 3)
            assignment.shuffle(&order)
            return try (0..<k).map { fold in
                let testSubjects = order.enumerated().filter { $0.offset % k == fold }.map(\.element)
                return try SubjectSplitter.fold(
                    testSubjects: testSubjects, allSubjects: subjects, windowsBySubject: windowsBySubject,
                    dataset: dataset,
                    random: SeededGenerator.derived(from: seed, 4, UInt64(fold)))
            }
        case .given:
            guard let part = dataset.part else {
                throw ProtocolError(
                    "the 'given' protocol needs files with their own train/test parts (e.g. the split layout)")
            }
            let train = (0..<dataset.windowCount).filter { part[$0] == .train }
            let test = (0..<dataset.windowCount).filter { part[$0] == .test }
            guard !train.isEmpty, !test.isEmpty else {
                throw ProtocolError("the file split has an empty train or test part")
            }
            var random = SeededGenerator.derived(from: seed, 5)
            let (fit, validation) = WindowSplitter.validation(from: train, dataset: dataset, random: &random)
            var seen = Set<String>()
            let testSubjects = test.map { dataset.subjects[$0] }.filter { seen.insert($0).inserted }
            return [Fold(train: fit, validation: validation, test: test, testSubjects: testSubjects)]
        }
    }

    /// Parses `subject-dependent`, `subject-dependent-random`, `loso`, `kfold:K` (or `kfold-K`),
    /// `given`; nil for anything else, including fewer than two folds.
    public init?(name: String) {
        switch name.lowercased() {
        case "subject-dependent", "subject-dependent-chronological", "sd": self = .subjectDependent(.chronological)
        case "subject-dependent-random", "sd-random": self = .subjectDependent(.random)
        case "loso", "leave-one-subject-out": self = .leaveOneSubjectOut
        case "given": self = .given
        default:
            let lower = name.lowercased()
            guard lower.hasPrefix("kfold:") || lower.hasPrefix("kfold-"), let k = Int(lower.dropFirst(6)), k >= 2 else {
                return nil
            }
            self = .kFold(k)
        }
    }
}
