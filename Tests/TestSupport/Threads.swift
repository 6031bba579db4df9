import Foundation

/// Runs blocking client work on a thread of its own. Not on Dispatch's global queues: the server's
/// event loops and off-loop work run on that same small pool, and test clients blocked in `recv`
/// there can starve the server they wait for when the machine is busy.
public func onOwnThread(_ work: @escaping @Sendable () -> Void) {
    Thread { work() }.start()
}

/// `body(0..<count)` on `count` threads at once, returning when all are done (bounded by `timeout`;
/// false if some did not finish).
@discardableResult
public func concurrently(_ count: Int, timeout: Double = 120, _ body: @escaping @Sendable (Int) -> Void) -> Bool {
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        onOwnThread {
            defer { group.leave() }
            body(index)
        }
    }
    return group.wait(timeout: .now() + timeout) == .success
}
