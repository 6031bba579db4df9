import JSON
import MPCL
import MPCLMath

/// What one finished fold leaves: its report entry, its test predictions and its best model.
struct FoldResult {
    var fold: Int
    /// `{"fold", "test_subjects", "metrics", "train_subjects", "validation_subjects", "windows",
    /// "best_epoch", "best_validation_kl", "history", "seconds"}`.
    var entry: JSON
    var predictions: PredictionTable
    var checkpoint: Checkpoint
}
