import Foundation
import Timekeeping

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where the trainer reports what it is doing.
public protocol TrainingProgress: AnyObject {
    /// A fold starts (or resumes at `startEpoch`, 0-based).
    func beginFold(_ fold: Int, of folds: Int, epochs: Int, startEpoch: Int, stepsPerEpoch: Int, batchSize: Int)
    /// One optimiser step ended (0-based epoch and step).
    func step(epoch: Int, step: Int, loss: Double)
    /// One epoch ended.
    func endEpoch(_ record: EpochRecord, fold: Int)
    /// A line of information.
    func note(_ text: String)
}

/// Reports nothing (tests, library use).
public final class SilentProgress: TrainingProgress {
    public init() {}
    public func beginFold(_ fold: Int, of folds: Int, epochs: Int, startEpoch: Int, stepsPerEpoch: Int, batchSize: Int) {}
    public func step(epoch: Int, step: Int, loss: Double) {}
    public func endEpoch(_ record: EpochRecord, fold: Int) {}
    public func note(_ text: String) {}
}

/// Progress on standard error: on a terminal a live line (epoch, step, loss, windows/s, ETA)
/// redrawn with `\r` at most five times a second; otherwise (logs, CI, Kubernetes) one plain line
/// per epoch, because carriage returns make log files unreadable.
public final class StandardErrorProgress: TrainingProgress {
    public let isTerminal: Bool
    private var fold = 0
    private var folds = 1
    private var epochs = 0
    private var stepsPerEpoch = 1
    private var batchSize = 1
    private var stepsLeftAtStart = 0
    private var stepsDone = 0
    private var started = 0.0
    private var lastDraw = 0.0
    private var lineShown = false

    /// `terminal` defaults to whether standard error is a terminal.
    public init(terminal: Bool = isatty(STDERR_FILENO) != 0) { isTerminal = terminal }

    public func beginFold(_ fold: Int, of folds: Int, epochs: Int, startEpoch: Int, stepsPerEpoch: Int, batchSize: Int) {
        self.fold = fold
        self.folds = folds
        self.epochs = epochs
        self.stepsPerEpoch = max(stepsPerEpoch, 1)
        self.batchSize = batchSize
        stepsLeftAtStart = (epochs - startEpoch) * self.stepsPerEpoch
        stepsDone = 0
        started = Self.now()
        if startEpoch > 0 { note("fold \(fold): resuming after epoch \(startEpoch)") }
    }

    public func step(epoch: Int, step: Int, loss: Double) {
        stepsDone += 1
        guard isTerminal else { return }
        let now = Self.now()
        guard now - lastDraw >= 0.2 else { return }
        lastDraw = now
        let elapsed = max(now - started, 1e-9)
        let rate = Double(stepsDone * batchSize) / elapsed
        let remaining = Double(stepsLeftAtStart - stepsDone) * elapsed / Double(stepsDone)
        let line =
            "fold \(fold) (\(fold + 1) of \(folds)) epoch \(epoch + 1)/\(epochs) step \(step + 1)/\(stepsPerEpoch) "
            + "loss \(Self.format(loss, digits: 5)) \(Int(rate)) windows/s ETA \(Self.duration(remaining)) (fold)"
        write("\r\u{1B}[K" + line)
        lineShown = true
    }

    public func endEpoch(_ record: EpochRecord, fold: Int) {
        let validation = record.validationKL.map { Self.format($0, digits: 6) } ?? "n/a"
        note(
            "fold \(fold) epoch \(record.epoch)/\(epochs) train_loss \(Self.format(record.trainLoss, digits: 6)) "
                + "validation_kl \(validation) seconds \(Self.format(record.seconds, digits: 1))")
    }

    public func note(_ text: String) {
        write((lineShown ? "\r\u{1B}[K" : "") + text + "\n")
        lineShown = false
    }

    private func write(_ text: String) {
        fputs(text, stderr)
        fflush(stderr)
    }

    /// Seconds on the package's monotonic clock, for epoch and fold durations.
    static func now() -> Double { Double(monotonicNanos()) * 1e-9 }

    static func format(_ value: Double, digits: Int) -> String {
        guard value.isFinite else { return "\(value)" }
        let scale = pow(10, Double(digits))
        return "\((value * scale).rounded() / scale)"
    }

    static func duration(_ seconds: Double) -> String {
        let total = Int(max(seconds, 0).rounded())
        return total >= 60 ? "\(total / 60)m\(String(format: "%02d", total % 60))s" : "\(total)s"
    }
}
