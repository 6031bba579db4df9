import EmotionVocabulary
import Foundation

/// A DMER-shaped corpus generated from a seed, with learnable structure (docs/SYNTHETIC.md):
/// valence-consistent clip ratings, a latent affect that drifts with autocorrelation through each
/// clip, modalities that see different parts of the latent through different nonlinearities, and
/// per-subject feature offsets and scales.
///
/// Written as one MAT file per subject in DMER's fused layout and read back by the same reader, so
/// the synthetic path exercises exactly the code real data goes through.
public struct SyntheticCorpus: Sendable {
    public struct Parameters: Equatable, Sendable {
        public var subjects = 12
        public var clips = 32
        public var windowsPerClip: ClosedRange<Int> = 20...60
        /// Latent dimensions: positive affect, negative affect, arousal, and a nuisance dimension.
        public var latentDims = 4
        /// AR(1) coefficient of the per-window latent deviation (temporal autocorrelation).
        public var autocorrelation = 0.9
        /// Standard deviation of the per-window latent deviation around the clip's latent.
        public var latentJitter = 0.35
        /// Standard deviation of a subject's personal shift of each clip's latent.
        public var subjectLatentShift = 0.3
        /// Observation noise added to each modality's signal, before the subject's scale.
        public var eegNoise = 0.6
        public var peripheralNoise = 0.7
        public var faceNoise = 2.0
        /// Standard deviation of subject feature offsets, and of the log of subject feature scales.
        public var subjectOffset = 0.8
        public var subjectLogScale = 0.3
        /// Standard deviation of rating noise on the 1–5 scale.
        public var ratingNoise = 0.6
        public var layout: InputLayout = .dmer
        public var labels: LabelSet = .panas

        public init() {}
    }

    /// One subject's three variables, as written to its MAT file.
    public struct Subject: Sendable {
        public var name: String
        public var feas: Variable
        public var vids: Variable
        public var disLabel: Variable

        public var variables: [Variable] { [feas, vids, disLabel] }
    }

    public var parameters: Parameters
    public var seed: UInt64
    public var subjects: [Subject]

    /// Generates every subject; deterministic in `seed` and `parameters`.
    public init(seed: UInt64, parameters: Parameters = Parameters()) {
        self.parameters = parameters
        self.seed = seed
        let world = SyntheticWorld(seed: seed, parameters: parameters)
        subjects = (0..<parameters.subjects).map { world.subject($0) }
    }

    /// The DMER layout matching the corpus (channel-major EEG, 0-based `vids`).
    public var layout: DataLayout {
        var layout = DataLayout.dmer()
        layout.input = parameters.layout
        layout.labelSet = parameters.labels
        layout.name = "synthetic-dmer"
        return layout
    }

    /// The MAT file bytes of subject `index` (compressed `feas`, `vids`, `dis_label`).
    public func matFile(_ index: Int) throws -> [UInt8] {
        try MATWriter.encode(subjects[index].variables, compressed: true)
    }

    /// Writes `synthNN.mat` per subject into `directory` (created if needed); returns the paths.
    @discardableResult
    public func write(to directory: String) throws -> [String] {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw DataError(.unreadable, file: directory, "cannot create the directory: \(error)")
        }
        return try subjects.indices.map { index in
            let path = (directory as NSString).appendingPathComponent("\(subjects[index].name).mat")
            guard FileManager.default.createFile(atPath: path, contents: Data(try matFile(index))) else {
                throw DataError(.unreadable, file: path, "cannot write the file")
            }
            return path
        }
    }

    /// The corpus as a dataset, through the same layout code as files (without touching disk).
    public func dataset() throws -> EmotionDataset {
        try EmotionDataset.concatenate(
            subjects.map { subject in
                try DatasetLoader.dataset(
                    from: DataFile(name: "\(subject.name).mat", variables: subject.variables), layout: layout,
                    subject: subject.name)
            })
    }
}
