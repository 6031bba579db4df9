/// The handle a handler uses to answer one request, now or later, from any thread.
///
/// Why a handle instead of a return value: the app batches inference requests, so answers
/// arrive on other queues. `send` hops to the connection's event-loop queue (`queue.async`); responses are still
/// written in request order (RFC 9112 §9.3.2) whatever order handlers finish in.
public final class HTTPResponder: @unchecked Sendable {
    private let connection: Connection
    private let sequence: UInt64

    init(connection: Connection, sequence: UInt64) {
        self.connection = connection
        self.sequence = sequence
    }

    /// Delivers the response. Call exactly once; later calls are ignored, as are calls after the
    /// client went away.
    public func send(_ response: HTTPResponse) {
        let connection = self.connection, sequence = self.sequence
        let loop = connection.loop
        if loop.isCurrent {
            connection.complete(sequence, response)
        } else {
            loop.execute { connection.complete(sequence, response) }
        }
    }
}
