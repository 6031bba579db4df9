import EmotionData
import JSON
import MPCL
import MPCLMath

/// Builds and reads `report.json`:
/// `{"model", "protocol", "folds": [{"fold", "test_subjects", "metrics", …}], "metrics", …}` where
/// every `metrics` object is `{"chebyshev": {"mean", "std"}, "clark", "canberra", "kl", "cosine",
/// "intersection"}`: mean and population std over test windows (pooled across folds at the top).
public enum TrainingReport {
    /// The run-level keys that every fold of one experiment shares (and `merge` checks).
    public static let sharedKeys = [
        "model", "protocol", "ablate", "normalize", "seed", "epochs", "budget", "batch_size", "layout",
    ]

    /// `{"chebyshev": {"mean": …, "std": …}, …}` in the order of docs/DATA.md's table.
    public static func metrics(_ scores: MetricScores) -> JSON {
        .object(
            Metric.allCases.map { metric in
                let summary = scores.summary(metric)
                return (key: metric.rawValue, value: ["mean": .number(summary.mean), "std": .number(summary.std)])
            })
    }

    /// What describes a run apart from its folds: options, recipe and version.
    public static func runDescription(_ options: FitOptions, layoutName: String, recipe: TrainingRecipe) -> JSON {
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
    public static func budget(_ options: FitOptions) -> JSON {
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

    /// The whole report: the contract's keys first, then the run description and summaries.
    /// `modelFold` is the fold whose model `model.safetensors` holds.
    public static func assemble(run: JSON, folds: [JSON], pooled: MetricScores, modelFold: Int?) -> JSON {
        var members: [(key: String, value: JSON)] = [
            (key: "model", value: run["model"] ?? .null), (key: "protocol", value: run["protocol"] ?? .null),
            (key: "folds", value: .array(folds)), (key: "metrics", value: metrics(pooled)),
        ]
        for (key, value) in run.objectValue ?? [] where key != "model" && key != "protocol" {
            members.append((key: key, value: value))
        }
        members.append((key: "best_epochs", value: .array(folds.map { $0["best_epoch"] ?? .null })))
        members.append((key: "stops", value: .array(folds.map { $0["stop"] ?? .null })))
        members.append((key: "test_windows", value: .number(Double(pooled.windowCount))))
        members.append((key: "model_file_fold", value: modelFold.map { .number(Double($0)) } ?? .null))
        return .object(members)
    }

    /// The run description of a parsed report (its keys other than the per-run summaries).
    public static func runDescription(of report: JSON) -> JSON {
        let summaries: Set = ["folds", "metrics", "best_epochs", "stops", "test_windows", "model_file_fold"]
        return .object((report.objectValue ?? []).filter { !summaries.contains($0.key) })
    }
}
