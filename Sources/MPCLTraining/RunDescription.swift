import JSON
import MPCL

/// What describes a `fit` run apart from its folds — options, recipe and version — as the
/// `TrainingReport.run` object (and the resume store's `run.json`).
enum RunDescription {
    static func json(_ options: FitOptions, layoutName: String, recipe: TrainingRecipe) -> JSON {
        [
            "model": .string(options.architecture.rawValue),
            "protocol": .string(options.evaluation.name),
            "leaky": .bool(options.evaluation.isLeaky),
            "ablate": JSON(strings: options.ablations),
            "normalize": .string(options.normalization.rawValue),
            "needs_calibration": .bool(options.normalization == .subject),
            "seed": .number(Double(options.seed)),
            "epochs": options.architecture == .mean ? 0 : options.epochs.map { .number(Double($0)) } ?? .null,
            "budget": budget(options),
            "batch_size": .number(Double(options.batchSize)),
            "data": .string(options.dataPath),
            "layout": .string(layoutName),
            "recipe": [
                "optimizer": "adam", "learning_rate": .number(recipe.learningRate),
                "weight_decay": .number(recipe.weightDecay), "learning_rate_decay": .number(recipe.learningRateDecay),
                "learning_rate_decay_steps": .number(recipe.learningRateDecaySteps),
                "mixup_alpha": .number(recipe.mixupAlpha), "input_noise": .number(recipe.inputNoise),
                "cooccurrence_ramp_steps": .number(recipe.cooccurrenceRampSteps), "selection": "best validation KL",
            ],
            "project_version": .string(ProjectVersion.current),
        ]
    }

    /// `{"mode": "adaptive", "patience_steps", "min_steps", "max_steps"}` or
    /// `{"mode": "fixed_epochs", "epochs"}`; `{"mode": "untrained"}` for the mean model.
    static func budget(_ options: FitOptions) -> JSON {
        if options.architecture == .mean { return ["mode": "untrained"] }
        switch options.budget {
        case .fixedEpochs(let epochs): return ["mode": "fixed_epochs", "epochs": .number(Double(epochs))]
        case .adaptive(let rule):
            return [
                "mode": "adaptive", "patience_steps": .number(Double(rule.patienceSteps)),
                "min_steps": .number(Double(rule.floorSteps)), "max_steps": .number(Double(rule.ceilingSteps)),
            ]
        }
    }
}
