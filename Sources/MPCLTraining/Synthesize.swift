import EmotionData

/// `mpcl-train synth`: writes the synthetic DMER-shaped corpus (docs/SYNTHETIC.md) as one
/// MAT file per subject, readable with the default `dmer` layout.
public enum Synthesize {
    public static let defaultSubjects = SyntheticCorpus.Parameters().subjects
    public static let defaultSeed: UInt64 = 3407

    /// Writes `synth01.mat`… into `directory`; returns the paths.
    @discardableResult
    public static func run(directory: String, subjects: Int = defaultSubjects, seed: UInt64 = defaultSeed) throws(TrainingError)
        -> [String]
    {
        guard subjects >= 1 else { throw .usage("--subjects must be at least 1, got \(subjects)") }
        guard subjects <= 999 else { throw .usage("--subjects must be at most 999, got \(subjects)") }
        var parameters = SyntheticCorpus.Parameters()
        parameters.subjects = subjects
        do { return try SyntheticCorpus(seed: seed, parameters: parameters).write(to: directory) } catch {
            throw TrainingError.from(error)
        }
    }
}
