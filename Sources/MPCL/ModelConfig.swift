import EmotionVocabulary
import JSON

/// Which model a checkpoint holds: MPCL or one of the baselines it is compared with.
public enum Architecture: String, Sendable, CaseIterable {
    /// Memory-guided Prototypical Co-occurrence Learning (docs/MODEL.md, revision 2).
    case mpcl
    /// Early fusion: z-scored features → 256 → 256 → C, GELU, dropout 0.1.
    case mlp
    /// Softmax regression on the z-scored features.
    case linear
    /// The training-set mean distribution: the floor every model must beat.
    case mean
}

/// Switches that remove one MPCL module each, for ablations (docs/MODEL.md, "Ablation switches").
public struct ModuleSwitches: Equatable, Sendable {
    /// Multi-scale associative-memory fusion; off: streams are mean-pooled tokens.
    public var msam = true
    /// Prototype banks and relation distillation; off: queries see only the pooled streams.
    public var prototypes = true
    /// Co-occurrence retrieval and association; off: the head reads Q⁰.
    public var cooccurrence = true
    /// Hierarchical compression; off: the head is Linear(d→1) plus h.
    public var compression = true

    public init(msam: Bool = true, prototypes: Bool = true, cooccurrence: Bool = true, compression: Bool = true) {
        self.msam = msam
        self.prototypes = prototypes
        self.cooccurrence = cooccurrence
        self.compression = compression
    }

    /// The switches with the named modules (`msam`, `proto`, `cooc`, `comp`) turned off.
    public init(ablating names: [String]) throws(ConfigError) {
        self.init()
        for name in names {
            switch name {
            case "msam": msam = false
            case "proto", "prototypes": prototypes = false
            case "cooc", "cooccurrence": cooccurrence = false
            case "comp", "compression": compression = false
            default: throw ConfigError("unknown module '\(name)' (expected msam, proto, cooc or comp)")
            }
        }
    }
}

/// A configuration problem, with a message that says what to change.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Everything that determines a model's shape and behaviour; stored as JSON in every checkpoint.
public struct ModelConfig: Equatable, Sendable {
    public var architecture: Architecture
    public var layout: InputLayout
    public var labels: LabelSet
    /// Model width d.
    public var width = 64
    /// Prototypes per emotion K.
    public var prototypesPerEmotion = 4
    /// Learned slots per memory store m.
    public var slots = 16
    /// Tokens per peripheral group n_p.
    public var tokensPerGroup = 4
    /// Dropout probability where docs/MODEL.md names dropout.
    public var dropout = 0.2
    /// Prototype similarity temperature τ.
    public var prototypeTemperature = 0.1
    /// MSAM inverse temperatures, as multiples of 1/√d.
    public var memoryScales: [Double] = [0.25, 1, 4]
    public var modules = ModuleSwitches()
    /// Hidden width of the MLP baseline.
    public var mlpHidden = 256
    /// Dropout of the MLP baseline.
    public var mlpDropout = 0.1
    /// Whether features are standardised per subject (so a client must send calibration statistics).
    public var perSubjectNormalization = false

    public init(architecture: Architecture = .mpcl, layout: InputLayout = .dmer, labels: LabelSet = .panas) {
        self.architecture = architecture
        self.layout = layout
        self.labels = labels
    }

    /// Problems that make the configuration unusable.
    public func validationErrors() -> [String] {
        var errors = layout.validationErrors() + labels.validationErrors()
        if width < 4 || width % 4 != 0 { errors.append("width must be a positive multiple of 4") }
        if prototypesPerEmotion < 1 { errors.append("prototypes_per_emotion must be at least 1") }
        if slots < 0 { errors.append("slots must not be negative") }
        if tokensPerGroup < 1 { errors.append("tokens_per_group must be at least 1") }
        if !(0..<1).contains(dropout) || !(0..<1).contains(mlpDropout) { errors.append("dropout must be in [0, 1)") }
        if !(prototypeTemperature > 0) { errors.append("prototype_temperature must be positive") }
        if memoryScales.isEmpty || memoryScales.contains(where: { !($0 > 0) }) { errors.append("memory_scales must be positive") }
        if mlpHidden < 1 { errors.append("mlp_hidden must be at least 1") }
        return errors
    }
}

extension ModelConfig {
    /// The JSON form stored under `config` in a checkpoint's metadata.
    public var json: JSON {
        [
            "architecture": .string(architecture.rawValue),
            "labels": labels.namesJSON,
            "valence": labels.valenceJSON,
            "layout": layout.json,
            "width": .number(Double(width)),
            "prototypes_per_emotion": .number(Double(prototypesPerEmotion)),
            "slots": .number(Double(slots)),
            "tokens_per_group": .number(Double(tokensPerGroup)),
            "dropout": .number(dropout),
            "prototype_temperature": .number(prototypeTemperature),
            "memory_scales": JSON(numbers: memoryScales),
            "modules": [
                "msam": .bool(modules.msam), "prototypes": .bool(modules.prototypes),
                "cooccurrence": .bool(modules.cooccurrence), "compression": .bool(modules.compression),
            ],
            "mlp_hidden": .number(Double(mlpHidden)),
            "mlp_dropout": .number(mlpDropout),
            "per_subject_normalization": .bool(perSubjectNormalization),
        ]
    }

    /// Reads the form written by `json`, naming the first field that is missing or wrong.
    public init(json: JSON) throws(ConfigError) {
        func field<T>(_ name: String, _ read: (JSON) -> T?) throws(ConfigError) -> T {
            guard let raw = json[name] else { throw ConfigError("config: missing '\(name)'") }
            guard let value = read(raw) else { throw ConfigError("config: '\(name)' has the wrong type") }
            return value
        }
        guard let architecture = Architecture(rawValue: try field("architecture", \.stringValue)) else {
            throw ConfigError("config: unknown architecture")
        }
        let names = try field("labels", { $0.arrayValue?.compactMap(\.stringValue) })
        let valence = try field("valence", { $0.arrayValue?.compactMap(\.intValue) })
        guard let layout = InputLayout(json: try field("layout", { $0 })) else { throw ConfigError("config: invalid 'layout'") }
        self.init(architecture: architecture, layout: layout, labels: LabelSet(names: names, valence: valence))
        width = try field("width", \.intValue)
        prototypesPerEmotion = try field("prototypes_per_emotion", \.intValue)
        slots = try field("slots", \.intValue)
        tokensPerGroup = try field("tokens_per_group", \.intValue)
        dropout = try field("dropout", \.doubleValue)
        prototypeTemperature = try field("prototype_temperature", \.doubleValue)
        memoryScales = try field("memory_scales", { $0.arrayValue?.compactMap(\.doubleValue) })
        let modules = try field("modules", { $0 })
        self.modules = ModuleSwitches(
            msam: modules["msam"]?.boolValue ?? true, prototypes: modules["prototypes"]?.boolValue ?? true,
            cooccurrence: modules["cooccurrence"]?.boolValue ?? true, compression: modules["compression"]?.boolValue ?? true)
        mlpHidden = try field("mlp_hidden", \.intValue)
        mlpDropout = try field("mlp_dropout", \.doubleValue)
        perSubjectNormalization = try field("per_subject_normalization", \.boolValue)
        let errors = validationErrors()
        if !errors.isEmpty { throw ConfigError("config: " + errors.joined(separator: "; ")) }
    }
}
