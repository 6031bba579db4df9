import JSON

/// The one JSON spelling of a label set. A layout file's `label_set` is the object form; a
/// checkpoint's configuration stores the same two arrays under `labels` and `valence`; the
/// service's model metadata lists the labels one object each (`entries`).
extension LabelSet {
    /// `{"names": ["joy", …], "valence": [1, …]}`.
    public var json: JSON { ["names": namesJSON, "valence": valenceJSON] }

    /// The names as a JSON array of strings.
    public var namesJSON: JSON { JSON(strings: names) }

    /// The valence signs as a JSON array of numbers.
    public var valenceJSON: JSON { .array(valence.map { .number(Double($0)) }) }

    /// `[{"name": "joy", "valence": 1}, …]`, in output order.
    public var entries: JSON {
        .array(zip(names, valence).map { ["name": .string($0.0), "valence": .number(Double($0.1))] })
    }

    /// Reads the object form; nil unless `names` and `valence` are arrays. Elements of the wrong
    /// type are skipped, so the lengths then disagree and `validationErrors()` says so.
    public init?(json: JSON) {
        self.init(names: json["names"], valence: json["valence"])
    }

    /// Reads the two arrays of the object form wherever they are stored (a checkpoint's
    /// configuration keeps them as two of its own keys).
    public init?(names: JSON?, valence: JSON?) {
        guard let names = names?.arrayValue, let valence = valence?.arrayValue else { return nil }
        self.init(names: names.compactMap(\.stringValue), valence: valence.compactMap(\.intValue))
    }
}
