import Foundation
import Timekeeping

/// Polls `condition` until it holds or `timeout` seconds pass; the answer is `condition`'s last
/// value. Tests wait on the event itself this way instead of sleeping for a guessed time: the
/// timeout is generous because the call returns as soon as the condition holds, so a busy machine
/// slows a test down but does not fail it.
public func eventually(timeout: Double = 30, _ condition: () -> Bool) -> Bool {
    let deadline = monotonicNanos() + UInt64(max(timeout, 0) * 1e9)
    while monotonicNanos() < deadline {
        if condition() { return true }
        usleep(5_000)
    }
    return condition()
}
