import JSON
import MPCL
import MPCLMath

/// One epoch of a fold's training, as recorded in `report.json` (`folds[i].history`) for plots.
public struct EpochRecord: Equatable, Sendable {
    /// 1-based epoch number.
    public var epoch: Int
    /// Mean training loss over the epoch's windows (mixup and noise applied, full docs/MODEL.md loss).
    public var trainLoss: Double
    /// Mean KL(y ‖ ŷ) over the validation windows, without augmentation or dropout; nil when the
    /// fold has no validation windows.
    public var validationKL: Double?
    /// Wall-clock seconds of the epoch (training and validation).
    public var seconds: Double

    public init(epoch: Int, trainLoss: Double, validationKL: Double?, seconds: Double) {
        self.epoch = epoch
        self.trainLoss = trainLoss
        self.validationKL = validationKL
        self.seconds = seconds
    }

    public var json: JSON {
        [
            "epoch": .number(Double(epoch)), "train_loss": .number(trainLoss),
            "validation_kl": validationKL.map { .number($0) } ?? .null, "seconds": .number(seconds),
        ]
    }

    public init?(json: JSON) {
        guard let epoch = json["epoch"]?.intValue, let loss = json["train_loss"]?.doubleValue else { return nil }
        self.init(
            epoch: epoch, trainLoss: loss, validationKL: json["validation_kl"]?.doubleValue,
            seconds: json["seconds"]?.doubleValue ?? 0)
    }
}

/// Everything a fold's training loop carries from one epoch to the next: with the data, the fold and
/// the seed it determines the rest of the run exactly (each epoch's random numbers are re-derived
/// from seed, fold and epoch, so no generator state needs saving).
public struct TrainingState: Sendable {
    public var model: Model<Float>
    public var optimizer: Adam<Float>
    /// Epochs completed.
    public var epochsDone: Int
    /// The parameters of the epoch with the lowest validation KL so far.
    public var bestParameters: ParameterSet<Float>
    /// 1-based epoch of `bestParameters` (0: the initial model).
    public var bestEpoch: Int
    public var bestValidationKL: Double?
    public var history: [EpochRecord]

    /// The state before the first epoch.
    public init(model: Model<Float>, recipe: TrainingRecipe) {
        self.model = model
        optimizer = Adam(
            parameters: model.parameters, learningRate: recipe.learningRate, weightDecay: recipe.weightDecay)
        epochsDone = 0
        bestParameters = model.parameters
        bestEpoch = 0
        bestValidationKL = nil
        history = []
    }

    public init(
        model: Model<Float>, optimizer: Adam<Float>, epochsDone: Int, bestParameters: ParameterSet<Float>, bestEpoch: Int,
        bestValidationKL: Double?, history: [EpochRecord]
    ) {
        self.model = model
        self.optimizer = optimizer
        self.epochsDone = epochsDone
        self.bestParameters = bestParameters
        self.bestEpoch = bestEpoch
        self.bestValidationKL = bestValidationKL
        self.history = history
    }

    /// The model with the best validation parameters (inference cache rebuilt).
    public func bestModel() throws -> Model<Float> {
        try Model(config: model.config, parameters: bestParameters, labelStatistics: model.labelStatistics)
    }
}
