import EmotionData
import MPCL
import Testing

@testable import MPCLTraining

@Suite struct FitOptionsTests {
    func parse(
        protocolName: String = "kfold:3", model: String = "mpcl", ablate: String? = nil, normalize: String = "global",
        epochs: Int? = nil, batchSize: Int = 128, fold: Int? = nil
    ) throws(TrainingError) -> FitOptions {
        try FitOptions(
            data: "d", layout: "dmer", protocolName: protocolName, model: model, ablate: ablate, normalize: normalize,
            epochs: epochs, batchSize: batchSize, seed: 3407, fold: fold, resume: false, out: "o")
    }

    @Test(arguments: [
        ("subject-dependent", EvaluationProtocol.subjectDependent(.chronological)),
        ("subject-dependent-random", .subjectDependent(.random)), ("loso", .leaveOneSubjectOut), ("kfold:5", .kFold(5)),
        ("KFOLD:3", .kFold(3)), ("kfold-4", .kFold(4)), ("given", .given),
    ])
    func protocolNamesOfTheContractParse(name: String, expected: EvaluationProtocol) throws {
        #expect(try ProtocolName.parse(name) == expected)
    }

    @Test func protocolNamesRoundTripThroughTheirReportSpelling() throws {
        for name in ["subject-dependent", "subject-dependent-random", "loso", "kfold:7", "given"] {
            #expect(try ProtocolName.parse(name).name == name)
        }
    }

    @Test(arguments: ["kfold", "kfold:1", "kfold:x", "loocv", "", "subject"])
    func badProtocolsAreUsageErrors(name: String) {
        #expect(throws: TrainingError.self) { try ProtocolName.parse(name) }
        do {
            _ = try ProtocolName.parse(name)
        } catch {
            #expect(error.exitCode == 2)
            #expect(!error.message.contains("\n"))
        }
    }

    @Test func defaultsAreTheRecipesValues() {
        #expect(StoppingRule.defaultPatienceSteps == 600 && StoppingRule.defaultFloorSteps == 600)
        #expect(StoppingRule.defaultCeilingSteps == 6000)
        #expect(FitOptions.defaultBatchSize == 128)
        #expect(FitOptions.defaultSeed == 3407)
        #expect(Synthesize.defaultSubjects == 12)
        let recipe = TrainingRecipe()
        #expect(recipe.learningRate == 1e-3 && recipe.weightDecay == 1e-5 && recipe.learningRateDecay == 0.99)
        #expect(recipe.mixupAlpha == 0.4 && recipe.inputNoise == 0.3 && recipe.cooccurrenceRampSteps == 128)
        #expect(recipe.learningRateDecaySteps == 64)
    }

    @Test func valuesParseIntoOptions() throws {
        let options = try parse(model: "MLP", normalize: "subject", epochs: 3, fold: 1)
        #expect(options.architecture == .mlp)
        #expect(options.normalization == .subject)
        #expect(options.epochs == 3 && options.fold == 1)
        let ablated = try parse(ablate: "msam, cooc")
        #expect(ablated.ablations == ["msam", "cooc"])
        let config = try ablated.modelConfig(layout: .dmer, labels: .panas)
        #expect(!config.modules.msam && !config.modules.cooccurrence && config.modules.prototypes)
        #expect(try parse(normalize: "subject").modelConfig(layout: .dmer, labels: .panas).perSubjectNormalization)
    }

    @Test func invalidValuesAreUsageErrors() {
        func expectUsage(_ attempt: () throws(TrainingError) -> FitOptions) {
            do {
                _ = try attempt()
                Issue.record("accepted an invalid value")
            } catch {
                #expect(error.kind == .usage)
            }
        }
        expectUsage { () throws(TrainingError) in try parse(model: "transformer") }
        expectUsage { () throws(TrainingError) in try parse(ablate: "attention") }
        expectUsage { () throws(TrainingError) in try parse(model: "mlp", ablate: "msam") }
        expectUsage { () throws(TrainingError) in try parse(normalize: "minmax") }
        expectUsage { () throws(TrainingError) in try parse(epochs: 0) }
        expectUsage { () throws(TrainingError) in try parse(batchSize: 0) }
        expectUsage { () throws(TrainingError) in try parse(fold: -1) }
    }
}
