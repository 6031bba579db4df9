/// A server-wide allowance of memory for request bodies being received and decoded, so that no
/// mix of requests, each under every per-request limit, can together exhaust memory.
///
/// A request is charged when its body is announced (after the head, before the body is read) and
/// released when its response is handed over: the charge covers the raw bytes and everything the
/// application builds from them while decoding. Cost of one body, in bytes:
///
///     cost = decodedBytes × bytesPerBodyByte (+ the compressed bytes, for a content-coded body)
///
/// where `decodedBytes` is the Content-Length (for a chunked body: the chunk data received so far,
/// the charge growing with it), or `HTTPLimits.maxBodyBytes` for a content-coded body (it may
/// inflate up to that limit whatever its size on the wire), and
/// `bytesPerBodyByte` is the application's measured peak expansion (`HTTPLimits.bodyBytesCharge`).
/// A charge that does not fit is refused (503 and close: the body is never read). One request is
/// always admitted when nothing else is charged, so the largest allowed body stays servable even
/// when its cost exceeds the budget: the memory held by bodies is at most
/// `max(budget, maxBodyBytes × bytesPerBodyByte)`.
public final class BodyBudget: @unchecked Sendable {
    /// Bytes that may be charged at once.
    public let capacity: Int
    public let bytesPerBodyByte: Int
    let maxBodyBytes: Int
    private let lock = Lock()
    private var charged = 0

    public init(limits: HTTPLimits) {
        self.capacity = limits.bodyBudgetBytes
        self.bytesPerBodyByte = max(1, limits.bodyBytesCharge)
        self.maxBodyBytes = limits.maxBodyBytes
    }

    /// Bytes currently charged.
    public var inUse: Int { lock.withLock { charged } }

    /// The charge for a body of `length` bytes on the wire (so far, when chunked).
    public func cost(length: Int, headers: HTTPHeaders) -> Int {
        let wire = length
        let coded = headers.values(for: "Content-Encoding").contains { value in
            value.split(separator: ",").contains { $0.trimmingOWS().lowercased() != "identity" && !$0.trimmingOWS().isEmpty }
        }
        let decoded = coded ? maxBodyBytes : wire
        let (expanded, overflow) = decoded.multipliedReportingOverflow(by: bytesPerBodyByte)
        let (total, overflowAgain) = expanded.addingReportingOverflow(coded ? wire : 0)
        return overflow || overflowAgain ? Int.max : total
    }

    /// Charges `bytes` more for a request already holding `held` if they fit, or if nothing but that
    /// request is charged; false means refuse the request.
    public func reserve(_ bytes: Int, held: Int = 0) -> Bool {
        guard bytes > 0 else { return true }
        return lock.withLock {
            let (total, overflow) = charged.addingReportingOverflow(bytes)
            guard !overflow, charged == held || total <= capacity else { return false }
            charged = total
            return true
        }
    }

    public func release(_ bytes: Int) {
        guard bytes > 0 else { return }
        lock.withLock { charged -= bytes }
    }
}

extension Substring {
    fileprivate func trimmingOWS() -> Substring {
        var slice = self
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return slice
    }
}
