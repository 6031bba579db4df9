/// Keeps responses in request order on one connection (RFC 9112 §9.3.2: a server MUST send
/// responses in the order the requests were received), whatever order handlers answer in.
///
/// Pure bookkeeping, no I/O: each request (and each interim `100 Continue`) takes a numbered
/// slot; answers fill slots; `drainReady` serialises the answered prefix. Its `count` is the
/// number of requests awaiting a response, which the connection bounds for back-pressure.
struct ResponseQueue {
    struct Slot {
        var response: HTTPResponse?
        /// Pre-rendered bytes (interim `100 Continue`), ready as soon as it is reached.
        var raw: [UInt8]?
        var isHEAD: Bool
        var keepAlive: Bool
        var version: HTTPVersion
    }

    private var slots: [Slot] = []
    private var firstSequence: UInt64 = 0
    private var nextSequence: UInt64 = 0

    var count: Int { slots.count }
    var isEmpty: Bool { slots.isEmpty }
    /// Whether any request was ever queued (a connection that never sent one is treated stricter).
    var hasStarted: Bool { nextSequence > 0 }

    /// Queues a request awaiting its answer; returns the sequence number to answer it with.
    @discardableResult
    mutating func enqueue(isHEAD: Bool, keepAlive: Bool, version: HTTPVersion) -> UInt64 {
        append(Slot(isHEAD: isHEAD, keepAlive: keepAlive, version: version))
    }

    /// Queues bytes that go out once everything before them has (the interim 100 response).
    mutating func enqueueInterim(_ bytes: [UInt8]) {
        append(Slot(raw: bytes, isHEAD: false, keepAlive: true, version: .http11))
    }

    /// Queues a response that is already known and ends the connection (errors, timeouts).
    mutating func enqueueFinal(_ response: HTTPResponse) {
        append(Slot(response: response, isHEAD: false, keepAlive: false, version: .http11))
    }

    @discardableResult
    private mutating func append(_ slot: Slot) -> UInt64 {
        slots.append(slot)
        defer { nextSequence += 1 }
        return nextSequence
    }

    /// Records the answer for `sequence`. Returns true when it unblocks output (it is first in
    /// line); unknown, already answered or cancelled sequences are ignored.
    mutating func fill(_ sequence: UInt64, with response: HTTPResponse) -> Bool {
        guard sequence >= firstSequence else { return false }
        let index = Int(sequence - firstSequence)
        guard index < slots.count, slots[index].response == nil, slots[index].raw == nil else { return false }
        slots[index].response = response
        return index == 0
    }

    /// Serialises the answered prefix into `out`. When `lastBeforeClose` is set (graceful
    /// drain) the final queued response says `Connection: close`. Returns true when a response
    /// that ends the connection was written; anything queued after it is dropped.
    mutating func drainReady(into out: inout [UInt8], lastBeforeClose: Bool, date: @autoclosure () -> [UInt8]?) -> Bool {
        var written = 0
        defer {
            slots.removeFirst(written)
            firstSequence += UInt64(written)
        }
        while written < slots.count {
            let slot = slots[written]
            if let raw = slot.raw {
                out.append(contentsOf: raw)
            } else if let response = slot.response {
                let keepAlive = slot.keepAlive && !(lastBeforeClose && written == slots.count - 1)
                HTTPResponseWriter.write(
                    response, isHEAD: slot.isHEAD, keepAlive: keepAlive,
                    requestVersion: slot.version, date: date(), into: &out)
                if !keepAlive {
                    written = slots.count  // nothing behind a closing response can be sent
                    return true
                }
            } else {
                return false
            }
            written += 1
        }
        return false
    }

    /// Forgets every pending slot; late answers for them are then ignored.
    mutating func cancelAll() {
        firstSequence = nextSequence
        slots.removeAll()
    }
}
