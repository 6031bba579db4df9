import Randomness

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The fixed parts of a synthetic corpus shared by all subjects: each clip's affect and each
/// modality's projection of the latent. Subjects differ only in what `subject(_:)` draws.
struct SyntheticWorld {
    let seed: UInt64
    let parameters: SyntheticCorpus.Parameters
    /// clips × latentDims: the affect each clip evokes on average.
    let clipLatent: [[Double]]
    /// featureCount × latentDims, row-major: each feature's loading on the latent (zero where the
    /// modality is blind). Flat so the per-window loop does no allocation.
    let loadings: [Double]
    /// featureCount: which modality each feature belongs to.
    let modalities: [Modality]
    /// featureCount: phase of the sine nonlinearity of peripheral features.
    let phases: [Double]

    /// Which latent dimensions each modality sees: EEG positive affect and arousal, peripheral
    /// arousal and negative affect, face both valences weakly. No modality sees everything.
    static let eegMask = [1.0, 0.0, 1.0, 0.5]
    static let peripheralMask = [0.0, 1.0, 1.0, 0.5]
    static let faceMask = [0.4, 0.4, 0.0, 0.5]

    enum Modality { case eeg, peripheral, face }

    init(seed: UInt64, parameters: SyntheticCorpus.Parameters) {
        self.seed = seed
        self.parameters = parameters
        var random = SeededGenerator.derived(from: seed, 100)
        clipLatent = (0..<parameters.clips).map { clip in
            let (positive, negative) = SyntheticWorld.valenceCentre(clip: clip, clips: parameters.clips)
            return (0..<parameters.latentDims).map { dim in
                switch dim {
                case 0: return positive + SyntheticWorld.clipSpread * random.nextGaussian()
                case 1: return negative + SyntheticWorld.clipSpread * random.nextGaussian()
                default: return random.nextGaussian()
                }
            }
        }
        let layout = parameters.layout
        var loadings: [Double] = []
        var phases: [Double] = []
        var modalities: [Modality] = []
        for feature in 0..<layout.featureCount {
            let modality: Modality =
                layout.eegRange.contains(feature)
                ? .eeg : layout.peripheralRange.contains(feature) ? .peripheral : .face
            let mask =
                modality == .eeg
                ? SyntheticWorld.eegMask
                : modality == .peripheral ? SyntheticWorld.peripheralMask : SyntheticWorld.faceMask
            loadings += (0..<parameters.latentDims).map { mask[min($0, mask.count - 1)] * random.nextGaussian() * 0.8 }
            phases.append(random.nextUnit() * 2 * Double.pi)
            modalities.append(modality)
        }
        self.loadings = loadings
        self.phases = phases
        self.modalities = modalities
    }

    /// The mean (positive, negative) affect of a clip: DMER's clips 0–7 positive, 8–15 negative,
    /// 16–31 mixed (both raised); for other clip counts the same proportions.
    /// Standard deviation of each clip's positive/negative affect around its category's centre.
    static let clipSpread = 0.5

    static func valenceCentre(clip: Int, clips: Int) -> (Double, Double) {
        let quarter = max(clips / 4, 1)
        if clip < quarter { return (1.2, -1.0) }
        if clip < 2 * quarter { return (-1.0, 1.2) }
        return (0.6, 0.6)
    }

    /// Generates subject `index`: ratings, latent trajectories and features.
    func subject(_ index: Int) -> SyntheticCorpus.Subject {
        let p = parameters
        let layout = p.layout
        var random = SeededGenerator.derived(from: seed, 200, UInt64(index))
        let offsets = (0..<layout.featureCount).map { _ in p.subjectOffset * random.nextGaussian() }
        let scales = (0..<layout.featureCount).map { _ in exp(p.subjectLogScale * random.nextGaussian()) }

        var features: [Double] = []
        var clipIDs: [Double] = []
        var ratings: [Double] = []
        for clip in 0..<p.clips {
            let latent = clipLatent[clip].map { $0 + p.subjectLatentShift * random.nextGaussian() }
            ratings += rate(latent: latent, random: &random)
            let windows = random.nextInt(in: p.windowsPerClip)
            var deviation = (0..<p.latentDims).map { _ in p.latentJitter * random.nextGaussian() }
            let innovation = p.latentJitter * (1 - p.autocorrelation * p.autocorrelation).squareRoot()
            for _ in 0..<windows {
                let state = zip(latent, deviation).map { $0 + $1 }
                for feature in 0..<layout.featureCount {
                    let signal = observe(feature: feature, state: state)
                    let noisy = signal + noise(modalities[feature]) * random.nextGaussian()
                    // Stored as single precision, so the dataset equals what a reader gets back.
                    features.append(Double(Float(scales[feature] * noisy + offsets[feature])))
                }
                clipIDs.append(Double(clip))
                deviation = deviation.map { p.autocorrelation * $0 + innovation * random.nextGaussian() }
            }
        }
        let name = "synth" + (index + 1 < 10 ? "0" : "") + String(index + 1)
        let windowCount = clipIDs.count
        return SyntheticCorpus.Subject(
            name: name,
            feas: Variable(
                name: "feas", shape: [windowCount, layout.featureCount], values: features, elementType: .float32),
            vids: Variable(name: "vids", shape: [windowCount, 1], values: clipIDs),
            disLabel: Variable(name: "dis_label", shape: [p.clips, p.labels.count], values: ratings))
    }

    /// One feature's clean signal: a modality-specific nonlinearity of its projection of the latent.
    func observe(feature: Int, state: [Double]) -> Double {
        let dims = state.count
        var projection = 0.0
        for dim in 0..<dims { projection += loadings[feature * dims + dim] * state[dim] }
        switch modalities[feature] {
        case .eeg: return 2 * tanh(projection)
        case .peripheral: return sin(projection + phases[feature]) + 0.5 * projection
        case .face: return log(1 + exp(projection)) - 0.7
        }
    }

    func noise(_ modality: Modality) -> Double {
        switch modality {
        case .eeg: return parameters.eegNoise
        case .peripheral: return parameters.peripheralNoise
        case .face: return parameters.faceNoise
        }
    }

    /// PANAS-like 1–5 ratings: each item follows the latent affect of its valence, plus arousal a
    /// little and noise, so positive items co-occur with each other and negative ones likewise.
    func rate(latent: [Double], random: inout SeededGenerator) -> [Double] {
        parameters.labels.valence.map { valence in
            let affect = valence > 0 ? latent[0] : latent[min(1, latent.count - 1)]
            let arousal = latent.count > 2 ? latent[2] : 0
            let score = 2.6 + 1.1 * affect + 0.25 * arousal + parameters.ratingNoise * random.nextGaussian()
            return min(max(score.rounded(), 1), 5)
        }
    }
}
