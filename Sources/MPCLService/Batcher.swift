import Foundation
import MPCL
import Timekeeping

/// Dynamic batching across connections: requests wait in one bounded queue; N worker threads each
/// take the oldest window chunk and, unless batching is off, coalesce the chunks already queued for
/// the same model. The batch is held open for more — until it holds `maxBatch` windows or the
/// oldest has waited `maxDelay` — only while every other worker is busy: an idle worker means
/// waiting would add latency and no throughput ("queue delay only under load"). Requests larger
/// than `maxBatch` are split into chunks, which bounds activation memory per forward pass.
///
/// The batcher only batches: it hands the predictor each chunk's raw rows with its request's
/// calibration, and the predictor z-scores every chunk with its own statistics; the forward pass
/// treats rows independently, so a coalesced answer equals the request run alone. The model never
/// runs on an event-loop thread.
final class Batcher: @unchecked Sendable {
    /// Called with each batch: windows, seconds of inference, and each chunk's seconds in the queue.
    typealias Observer = @Sendable (_ windows: Int, _ inferenceSeconds: Double, _ queueSeconds: [Double]) -> Void

    let maxBatch: Int
    let maxDelayNanos: UInt64
    let capacity: Int
    private let condition = NSCondition()
    private var queue: [Chunk] = []
    private var queuedRequests = 0
    private var collecting = false
    /// Workers running a forward pass right now.
    private var running = 0
    private var stopping = false
    private var threads = 0
    private let finished = DispatchGroup()
    private let observer: Observer?
    /// Test hook: runs on the worker before each forward pass (lets a test hold the workers busy).
    var beforeInference: (@Sendable () -> Void)?

    init(workers: Int, maxBatch: Int, maxDelayMilliseconds: Double, capacity: Int, observer: Observer? = nil) {
        self.maxBatch = maxBatch
        self.maxDelayNanos = UInt64(maxDelayMilliseconds * 1e6)
        self.capacity = capacity
        self.observer = observer
        threads = workers  // before any worker reads it
        for index in 0..<workers {
            finished.enter()
            let thread = Thread { [self] in
                workerLoop()
                finished.leave()
            }
            thread.name = "mpcl-inference-\(index)"
            thread.start()
        }
    }

    /// Requests waiting for a worker (not yet fully picked up).
    var depth: Int { condition.withLock { queuedRequests } }

    /// Queues `request`; `completion` gets the distributions (windows × classes) on a worker thread.
    /// False when the queue is full or stopping: the caller answers 503. `abandoned` runs instead
    /// of `completion` when `stop(timeout:)` gives up on the request before it started.
    func submit(
        _ request: PredictRequest, completion: @escaping @Sendable ([Float]) -> Void,
        abandoned: @escaping @Sendable () -> Void = {}
    ) -> Bool {
        let group = Group(request: request, maxBatch: maxBatch, completion: completion, abandoned: abandoned)
        let now = monotonicNanos()
        condition.lock()
        defer { condition.unlock() }
        guard !stopping, queuedRequests < capacity else { return false }
        queuedRequests += 1
        var row = 0
        while row < request.windows {
            let rows = min(maxBatch, request.windows - row)
            queue.append(Chunk(group: group, firstRow: row, rows: rows, enqueued: now))
            row += rows
        }
        condition.broadcast()
        return true
    }

    /// Stops taking work and lets queued work finish for up to `timeout` seconds. Past that,
    /// requests not yet started are abandoned (their `abandoned` handlers run, so each gets an
    /// answer) and the workers get one more second to leave. True when every worker finished in
    /// time; a worker stuck in a forward pass is left behind rather than waited for forever.
    @discardableResult
    func stop(timeout: Double) -> Bool {
        condition.withLock {
            stopping = true
            condition.broadcast()
        }
        if finished.wait(timeout: .now() + max(0, timeout)) == .success { return true }
        let dropped: [Group] = condition.withLock {
            let groups = queue.map(\.group)
            queue.removeAll()
            queuedRequests = 0
            condition.broadcast()
            return groups
        }
        var seen = Set<ObjectIdentifier>()
        for group in dropped where seen.insert(ObjectIdentifier(group)).inserted { group.abandon() }
        _ = finished.wait(timeout: .now() + 1)
        return false
    }

    private func workerLoop() {
        // This worker's activation memory, reused by every batch it runs (grown once per model).
        let arena = InferenceArena()
        while true {
            condition.lock()
            while (queue.isEmpty || collecting) && !stopping { condition.wait() }
            if queue.isEmpty {
                condition.unlock()
                return
            }
            var batch = [take(at: 0)]
            var rows = batch[0].rows
            if maxDelayNanos > 0 && rows < maxBatch {
                collecting = true
                let deadline = batch[0].enqueued &+ maxDelayNanos
                while rows < maxBatch {
                    var index = 0
                    while index < queue.count && rows < maxBatch {
                        let chunk = queue[index]
                        if chunk.group.model === batch[0].group.model && rows + chunk.rows <= maxBatch {
                            batch.append(take(at: index))
                            rows += chunk.rows
                        } else {
                            index += 1
                        }
                    }
                    let now = monotonicNanos()
                    let othersIdle = running < threads - 1
                    if rows >= maxBatch || stopping || now >= deadline || othersIdle { break }
                    _ = condition.wait(until: Date(timeIntervalSinceNow: Double(deadline - now) / 1e9))
                }
                collecting = false
                condition.broadcast()
            }
            running += 1
            condition.unlock()
            run(batch, rows: rows, arena: arena)
            condition.withLock { running -= 1 }
        }
    }

    /// Removes the chunk at `index`; the caller holds the lock.
    private func take(at index: Int) -> Chunk {
        let chunk = queue.remove(at: index)
        chunk.group.queuedChunks -= 1
        if chunk.group.queuedChunks == 0 { queuedRequests -= 1 }
        return chunk
    }

    private func run(_ batch: [Chunk], rows: Int, arena: InferenceArena) {
        beforeInference?()
        let model = batch[0].group.model
        let predictor = model.predictor
        let features = model.featureCount
        let started = monotonicNanos()
        // Sized for a full batch of this model the first time, so later batches allocate nothing.
        arena.reserve(plan: predictor.plan, windows: max(maxBatch, rows))
        let output = predictor.distributions(
            batch: batch.lazy.map { chunk in
                Predictor.Rows(
                    rawFeatures: chunk.group.features[(chunk.firstRow * features)..<((chunk.firstRow + chunk.rows) * features)],
                    calibration: chunk.group.calibration)
            }, arena: arena)
        let ended = monotonicNanos()
        observer?(rows, Double(ended - started) / 1e9, batch.map { Double(started &- $0.enqueued) / 1e9 })
        let classes = model.classCount
        var offset = 0
        for chunk in batch {
            chunk.group.deliver(
                UnsafeBufferPointer(rebasing: output[(offset * classes)..<((offset + chunk.rows) * classes)]), firstRow: chunk.firstRow)
            offset += chunk.rows
        }
    }

    /// One request's share of the queue: its chunks fill one output buffer; the last to land answers.
    private final class Group: @unchecked Sendable {
        let model: LoadedModel
        let features: [Float]
        /// Replaces the model's statistics for this request (per-subject models); the predictor applies it.
        let calibration: FeatureNormalization?
        let classes: Int
        /// Guarded by the batcher's lock.
        var queuedChunks: Int
        private let lock = NSLock()
        private var output: [Float]
        private var pendingRows: Int
        private let completion: @Sendable ([Float]) -> Void
        private let abandoned: @Sendable () -> Void
        /// Answered (completed or abandoned): exactly one of the two handlers ever runs.
        private var answered = false

        init(
            request: PredictRequest, maxBatch: Int, completion: @escaping @Sendable ([Float]) -> Void,
            abandoned: @escaping @Sendable () -> Void
        ) {
            model = request.model
            features = request.features
            calibration = request.calibration
            classes = request.model.classCount
            queuedChunks = (request.windows + maxBatch - 1) / maxBatch
            output = [Float](repeating: 0, count: request.windows * classes)
            pendingRows = request.windows
            self.completion = completion
            self.abandoned = abandoned
        }

        func deliver(_ rows: UnsafeBufferPointer<Float>, firstRow: Int) {
            let done: [Float]? = lock.withLock {
                output.replaceSubrange((firstRow * classes)..<(firstRow * classes + rows.count), with: rows)
                pendingRows -= rows.count / classes
                guard pendingRows == 0, !answered else { return nil }
                answered = true
                return output
            }
            if let done { completion(done) }
        }

        /// Gives up on the request (some of its chunks never ran).
        func abandon() {
            let first: Bool = lock.withLock {
                defer { answered = true }
                return !answered
            }
            if first { abandoned() }
        }
    }

    private struct Chunk {
        let group: Group
        let firstRow: Int
        let rows: Int
        let enqueued: UInt64
    }
}
