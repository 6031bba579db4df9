import ArgumentParser
import MPCLTraining

/// `mpcl-train`: argument parsing and wiring only; the work is in MPCLTraining.
struct MPCLTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mpcl-train",
        abstract: "Train and evaluate MPCL and its baselines on emotion-distribution data.",
        discussion: """
            Exit codes: 0 success, 1 data error (unreadable file, layout mismatch, too few subjects), \
            2 usage error (unknown option value, fold out of range). Errors are one line on stderr.
            """,
        version: ProjectVersion.current,
        subcommands: [Synth.self, Fit.self, Merge.self, Compare.self])
}

struct Synth: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the synthetic DMER-shaped corpus as per-subject MAT files (synth01.mat …).")

    @Option(help: "Directory to write the subject files into (created if missing).")
    var out: String

    @Option(help: "Number of subjects.")
    var subjects: Int = Synthesize.defaultSubjects

    @Option(help: "Seed of the generator (same seed, same bytes).")
    var seed: UInt64 = Synthesize.defaultSeed

    func run() throws {
        let paths = try Synthesize.run(directory: out, subjects: subjects, seed: seed)
        print("wrote \(paths.count) subject files to \(out)")
    }
}

struct Fit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a model under an evaluation protocol; write report.json, report.svg, predictions.csv, model.safetensors.",
        discussion: """
            Multi-fold protocols train a fresh model per fold, one after another; model.safetensors is the \
            best-validation model of the last fold run (report.json: model_file_fold). With --fold I only \
            fold I runs, so folds can run as separate pods; combine their directories with `merge`. \
            With --normalize subject every subject is z-scored with its own windows, the checkpoint stores \
            the identity normalisation and a client must send calibration statistics.

            Budget: by default each fold trains until the validation KL has not improved for --patience \
            optimiser steps (never fewer than --min-steps, never more than --max-steps; checked after every \
            epoch) and keeps the best-validation weights; report.json records per fold why it stopped \
            (folds[i].stop: patience, ceiling, fixed_epochs, no_validation, untrained) and after how many \
            steps and epochs. --epochs N trains exactly N epochs instead. The learning rate falls by 0.99 \
            every 64 steps, whatever the corpus size.

            --seeds S1,S2,... runs the experiment once per seed into DIR/seed-<S>/ and writes DIR/report.json \
            with mean and standard deviation over seeds of every metric.
            """)

    @Option(help: "A directory of per-subject .mat/.npz files, or one file.")
    var data: String

    @Option(help: "Layout: built-in name (dmer, dmer-band-major, split, emotiondict) or a JSON layout file.")
    var layout: String = FitOptions.defaultLayout

    @Option(name: .customLong("protocol"), help: "subject-dependent, subject-dependent-random (leaky), loso, kfold:N, given.")
    var protocolName: String

    @Option(help: "mpcl, mlp, linear or mean.")
    var model: String

    @Option(help: "Comma-separated MPCL modules to switch off: msam, proto, cooc, comp.")
    var ablate: String?

    @Option(help: "global (training-set statistics) or subject (each subject its own statistics).")
    var normalize: String = "global"

    @Option(help: "Train exactly N epochs instead of the adaptive budget (the best-validation epoch is kept).")
    var epochs: Int?

    @Option(
        help:
            "Adaptive budget: stop when the validation KL has not improved for this many steps (default: \(StoppingRule.defaultPatienceSteps))."
    )
    var patience: Int?

    @Option(help: "Adaptive budget: never stop before this many steps (default: \(StoppingRule.defaultFloorSteps)).")
    var minSteps: Int?

    @Option(
        help: "Adaptive budget: always stop after the epoch that reaches this many steps (default: \(StoppingRule.defaultCeilingSteps)).")
    var maxSteps: Int?

    @Option(help: "Windows per optimiser step.")
    var batchSize: Int = FitOptions.defaultBatchSize

    @Option(help: "Seed of folds, initialisation, shuffling, mixup, noise and dropout.")
    var seed: UInt64 = FitOptions.defaultSeed

    @Option(help: "Comma-separated seeds: run once per seed (DIR/seed-<S>/) and report the spread over seeds.")
    var seeds: String?

    @Option(help: "Run only this 0-based fold (default: all folds).")
    var fold: Int?

    @Flag(help: "Continue from the resume state in --out (after a crash or kill).")
    var resume = false

    @Option(help: "Output directory.")
    var out: String

    func run() throws {
        let options = try FitOptions(
            data: data, layout: layout, protocolName: protocolName, model: model, ablate: ablate, normalize: normalize,
            epochs: epochs, patience: patience, minSteps: minSteps, maxSteps: maxSteps, batchSize: batchSize, seed: seed,
            seeds: seeds, fold: fold, resume: resume, out: out)
        if options.seeds != nil {
            let outcome = try SeedRepeats(options: options, progress: StandardErrorProgress()).run()
            print(Summary.text(outcome.report))
            print("wrote \(outcome.reportPath) and one fit output per seed: \(outcome.runDirectories.joined(separator: ", "))")
            return
        }
        let outcome = try FitRun(options: options, progress: StandardErrorProgress()).run()
        print(Summary.text(outcome.report))
        print("wrote \(outcome.reportPath), report.svg, \(outcome.predictionsPath), \(outcome.modelPath)")
    }
}

struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Combine the outputs of `fit --fold I` runs into one report (pooled metrics recomputed from predictions.csv).")

    @Argument(help: "Output directories of fit runs.")
    var directories: [String]

    @Option(
        help: "Where to write the merged report.json, predictions.csv and model.safetensors (default: the parent of the first directory).")
    var out: String?

    func run() throws {
        let target = out ?? Summary.parent(of: directories.first ?? ".")
        let report = try MPCLTraining.Merge.run(directories: directories, outputDirectory: target)
        print(Summary.text(report))
        print("wrote \(target)/report.json, report.svg and predictions.csv")
    }
}

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Compare runs on the same test windows: per metric, the mean difference to the first run with a 95 % paired-bootstrap interval.",
        discussion: """
            Every run after the first is compared with the first. Resampling units: test subjects for loso \
            and kfold:K, clips for given and the subject-dependent protocols, windows when the data has no \
            clip ids. A difference is significant when its interval excludes 0. A fit --seeds directory \
            counts as one run whose per-window metrics are averaged over its seeds.
            """)

    @Argument(help: "Output directories of fit runs (the first is the reference).")
    var runs: [String]

    @Option(help: "Bootstrap resamples.")
    var resamples: Int = RunComparison.defaultResamples

    @Option(help: "Seed of the resampling.")
    var seed: UInt64 = RunComparison.defaultSeed

    @Flag(help: "Print JSON instead of the text tables.")
    var json = false

    func run() throws {
        let comparison = try RunComparison(directories: runs, resamples: resamples, seed: seed)
        print(json ? comparison.json.text : comparison.text)
    }
}
