import JSON

/// The emotions a model predicts, in output order, each with its valence sign (+1 / −1).
/// Valence drives the model's valence-consistency prior and the `valence` split of responses.
public struct LabelSet: Equatable, Sendable {
    public var names: [String]
    public var valence: [Int]

    public init(names: [String], valence: [Int]) {
        self.names = names
        self.valence = valence
    }

    public var count: Int { names.count }

    /// DMER's ten PANAS items: five positive, then five negative.
    public static let panas = LabelSet(
        names: [
            "inspired", "alert", "excited", "enthusiastic", "determined",
            "afraid", "upset", "nervous", "scared", "distressed",
        ],
        valence: [1, 1, 1, 1, 1, -1, -1, -1, -1, -1])

    /// Problems that make the label set unusable.
    public func validationErrors() -> [String] {
        var errors: [String] = []
        if names.count < 2 { errors.append("need at least two labels") }
        if names.count != valence.count { errors.append("labels and valence differ in length") }
        if Set(names).count != names.count { errors.append("label names must be unique") }
        if valence.contains(where: { $0 != 1 && $0 != -1 }) { errors.append("valence entries must be +1 or -1") }
        return errors
    }
}
