import JSON
import MPCL

/// A fold's `stop` entry in `report.json`, `{"reason", "epochs", "steps", "best_epoch",
/// "best_step"}`: why and when the fold's training ended and where its kept weights come from.
/// The run's `stops` array repeats every fold's entry.
public struct StopEntry: Equatable, Sendable {
    /// A `StopReason` raw value (kept as text so reports of newer versions still read).
    public var reason: String
    public var epochs: Int
    public var steps: Int
    public var bestEpoch: Int
    public var bestStep: Int

    public init(reason: String, epochs: Int, steps: Int, bestEpoch: Int, bestStep: Int) {
        self.reason = reason
        self.epochs = epochs
        self.steps = steps
        self.bestEpoch = bestEpoch
        self.bestStep = bestStep
    }

    /// The entry of a finished fold: steps count optimiser steps, none for the untrained mean model.
    init(reason: StopReason, state: TrainingState, stepsPerEpoch: Int) {
        let perEpoch = state.model.config.architecture == .mean ? 0 : stepsPerEpoch
        self.init(
            reason: reason.rawValue, epochs: state.epochsDone, steps: state.epochsDone * perEpoch,
            bestEpoch: state.bestEpoch, bestStep: state.bestEpoch * perEpoch)
    }

    public var json: JSON {
        [
            "reason": .string(reason), "epochs": .number(Double(epochs)), "steps": .number(Double(steps)),
            "best_epoch": .number(Double(bestEpoch)), "best_step": .number(Double(bestStep)),
        ]
    }

    /// Nil unless `json` is an object with every key.
    public init?(json: JSON?) {
        guard let json, let reason = json["reason"]?.stringValue, let epochs = json["epochs"]?.intValue,
            let steps = json["steps"]?.intValue, let bestEpoch = json["best_epoch"]?.intValue,
            let bestStep = json["best_step"]?.intValue
        else { return nil }
        self.init(reason: reason, epochs: epochs, steps: steps, bestEpoch: bestEpoch, bestStep: bestStep)
    }
}
