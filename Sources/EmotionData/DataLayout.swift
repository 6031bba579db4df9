import EmotionVocabulary
import Foundation

/// How a file's variables map to an `EmotionDataset`: which variables hold each modality and the
/// labels, the feature dimensions, the EEG column order and where clip ids come from.
///
/// Declared rather than guessed: the same 913 columns are channel-major in one release and
/// band-major in another, and nothing in the numbers says which. See docs/LAYOUTS.md for the JSON form.
public struct DataLayout: Equatable, Sendable {
    /// The order of EEG columns in the file.
    public enum EEGOrder: String, Equatable, Sendable {
        /// `eeg[c * bands + b]`: bands fastest (MATLAB-built DMER files; the canonical order).
        case channelMajor = "channel-major"
        /// `eeg[b * channels + c]`: channels fastest (numpy-pooled DMER files); reordered on reading.
        case bandMajor = "band-major"
    }

    /// Where a part's features are.
    public enum Features: Equatable, Sendable {
        /// One windows × featureCount matrix, split by the input layout's dims (DMER's `feas`).
        case fused(String)
        /// One variable per modality: EEG, each peripheral group in layout order, face.
        case modalities(eeg: String, peripheral: [String], face: String)
    }

    /// Where a part's labels are.
    public enum Labels: Equatable, Sendable {
        /// windows × labels: one distribution (or non-negative weights) per window.
        case perWindow(String)
        /// clips × labels raw ratings (e.g. PANAS 1–5); each window takes its clip's row / its sum.
        case perClip(String)
    }

    /// Where a part's clip ids are.
    public enum Clips: Equatable, Sendable {
        /// A vector of one clip id per window; `base` is subtracted (1 for MATLAB-style 1-based ids).
        case variable(String, base: Int)
        /// No clip ids in the file: every window gets this value (-1 = unknown clip).
        case constant(Int)
    }

    /// One group of windows of the file (all of it, or its train or test part).
    public struct Part: Equatable, Sendable {
        public var part: DataPart?
        public var features: Features
        public var labels: Labels
        public var clips: Clips

        public init(part: DataPart? = nil, features: Features, labels: Labels, clips: Clips) {
            self.part = part
            self.features = features
            self.labels = labels
            self.clips = clips
        }
    }

    public var name: String
    public var input: InputLayout
    public var labelSet: LabelSet
    public var eegOrder: EEGOrder
    /// A subject id for the file; nil = the file stem.
    public var subject: String?
    public var parts: [Part]

    public init(
        name: String, input: InputLayout, labelSet: LabelSet = .panas, eegOrder: EEGOrder = .channelMajor,
        subject: String? = nil, parts: [Part]
    ) {
        self.name = name
        self.input = input
        self.labelSet = labelSet
        self.eegOrder = eegOrder
        self.subject = subject
        self.parts = parts
    }

    /// DMER's fused per-subject file: `feas` [N × 913], `vids` [N] clip ids, `dis_label` [32 × 10].
    public static func dmer(eegOrder: EEGOrder = .channelMajor, clipBase: Int = 0) -> DataLayout {
        DataLayout(
            name: "dmer", input: .dmer, eegOrder: eegOrder,
            parts: [
                Part(features: .fused("feas"), labels: .perClip("dis_label"), clips: .variable("vids", base: clipBase))
            ])
    }

    /// The EmotionDict sample's split file: `train_eeg` [N × 18 × 4], `train_gsr`/`train_ppg`
    /// [N × 1 × 4], `train_video` [N × 32], `train_label` [N × 10], and the same with `test_`.
    /// It has no clip ids, so every window's clip is -1.
    public static let split: DataLayout = {
        func part(_ prefix: String, _ tag: DataPart) -> Part {
            Part(
                part: tag,
                features: .modalities(
                    eeg: "\(prefix)_eeg", peripheral: ["\(prefix)_gsr", "\(prefix)_ppg"], face: "\(prefix)_video"),
                labels: .perWindow("\(prefix)_label"), clips: .constant(-1))
        }
        return DataLayout(
            name: "split", input: .emotionDictSample, parts: [part("train", .train), part("test", .test)])
    }()

    /// A built-in layout by name, or else a JSON layout file at that path (the `--layout` option).
    /// A value that is neither is `DataError.Kind.unknownLayout` (a usage mistake, not bad data).
    public static func resolve(_ nameOrPath: String) throws -> DataLayout {
        if let builtIn = builtIn(named: nameOrPath) { return builtIn }
        guard FileManager.default.fileExists(atPath: nameOrPath) else {
            throw DataError(
                .unknownLayout, file: nameOrPath,
                "neither a built-in layout (\(builtInNames.joined(separator: ", "))) nor a layout file (--layout)")
        }
        return try load(path: nameOrPath)
    }

    /// The names `builtIn(named:)` accepts.
    public static let builtInNames = ["dmer", "dmer-band-major", "split", "emotiondict"]

    /// The built-in layouts by name: `dmer` (default) and `split` (alias `emotiondict`).
    public static func builtIn(named name: String) -> DataLayout? {
        switch name.lowercased() {
        case "dmer": return .dmer()
        case "dmer-band-major": return .dmer(eegOrder: .bandMajor)
        case "split", "emotiondict": return .split
        default: return nil
        }
    }
}
