import JSON
import MPCL
import MPCLMath

/// What one finished fold leaves: its report entry, its test predictions and its best model.
struct FoldResult {
    var fold: Int
    var entry: FoldReport
    var predictions: PredictionTable
    var checkpoint: Checkpoint
}
