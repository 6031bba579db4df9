import Dispatch

@testable import MPCLService

/// Holds the batcher's workers at the start of inference until the test opens the gate, so that
/// work stays in flight (or the queue stays full) for as long as the test needs. Every wait is
/// bounded, and a test opens the gate in a `defer` as well: a worker left waiting would keep the
/// service's drain, and so the test's teardown, waiting.
final class WorkerGate: Sendable {
    private let gate = DispatchSemaphore(value: 0)
    private let entered = DispatchSemaphore(value: 0)
    private let batcher: Batcher

    init(_ batcher: Batcher) {
        self.batcher = batcher
        let (gate, entered) = (gate, entered)
        batcher.beforeInference = {
            entered.signal()
            _ = gate.wait(timeout: .now() + 60)  // bounded even if the test never gets to open it
        }
    }

    /// Whether a worker reached the gate within a generous time.
    func workerArrived() -> Bool { entered.wait(timeout: .now() + 60) == .success }

    /// Lets up to `workers` held workers go, and no later one stops.
    func open(workers: Int = 1) {
        batcher.beforeInference = nil
        for _ in 0..<workers { gate.signal() }
    }
}
