import EmotionVocabulary

/// Which part of a file's own split a window belongs to.
public enum DataPart: String, Equatable, Sendable {
    case train, test
}

/// The trainer's input: every window of every subject, features in the canonical flat order of
/// `layout` and targets as distributions over `labels`.
///
/// Arrays are flat and row-major so that batches are slices, not copies of nested arrays.
public struct EmotionDataset: Sendable {
    public var layout: InputLayout
    public var labels: LabelSet
    /// windows × layout.featureCount: EEG channel-major (bands fastest), peripheral groups, face.
    public var features: [Float]
    /// windows × labels.count; each row sums to 1.
    public var targets: [Float]
    /// Per window: the subject's id (file stem or declared id).
    public var subjects: [String]
    /// Per window: the 0-based clip index in its source, or -1 when the source has no clip ids.
    /// Windows of one clip stay in file order, which is chronological.
    public var clips: [Int]
    /// Per window: the file's own train/test split, when it has one.
    public var part: [DataPart]?

    public init(
        layout: InputLayout, labels: LabelSet, features: [Float], targets: [Float], subjects: [String],
        clips: [Int], part: [DataPart]? = nil
    ) {
        precondition(features.count == subjects.count * layout.featureCount, "features must be windows × featureCount")
        precondition(targets.count == subjects.count * labels.count, "targets must be windows × labels")
        precondition(clips.count == subjects.count && (part?.count ?? subjects.count) == subjects.count)
        self.layout = layout
        self.labels = labels
        self.features = features
        self.targets = targets
        self.subjects = subjects
        self.clips = clips
        self.part = part
    }

    /// Number of windows.
    public var windowCount: Int { subjects.count }

    /// Distinct subject ids in order of first appearance.
    public var subjectIDs: [String] {
        var seen = Set<String>()
        return subjects.filter { seen.insert($0).inserted }
    }

    /// The feature row of window `index`.
    public func featureRow(_ index: Int) -> ArraySlice<Float> {
        features[(index * layout.featureCount)..<((index + 1) * layout.featureCount)]
    }

    /// The target distribution of window `index`.
    public func targetRow(_ index: Int) -> ArraySlice<Float> {
        targets[(index * labels.count)..<((index + 1) * labels.count)]
    }

    /// Joins several subjects' datasets (same layout and labels). The file split survives only
    /// when every part has one.
    public static func concatenate(_ datasets: [EmotionDataset]) throws -> EmotionDataset {
        guard let first = datasets.first else {
            throw DataError(.invalidLayout, file: "(no files)", "no datasets to concatenate")
        }
        for other in datasets.dropFirst() {
            guard other.layout == first.layout, other.labels == first.labels else {
                let who = other.subjectIDs.first ?? "?"
                throw DataError(
                    .shapeMismatch, file: who, "layout or labels differ from those of \(first.subjectIDs.first ?? "?")")
            }
        }
        let everyHasPart = datasets.allSatisfy { $0.part != nil }
        return EmotionDataset(
            layout: first.layout, labels: first.labels, features: datasets.flatMap(\.features),
            targets: datasets.flatMap(\.targets), subjects: datasets.flatMap(\.subjects),
            clips: datasets.flatMap(\.clips),
            part: everyHasPart ? datasets.flatMap { $0.part ?? [] } : nil)
    }
}
