import Foundation

/// A value shared by a test and the threads it starts (clients, handlers, workers), behind a lock.
public final class Mutex<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value

    public init(_ value: Value) { stored = value }

    public var value: Value { lock.withLock { stored } }

    public func update(_ change: (inout Value) -> Void) { lock.withLock { change(&stored) } }
}

extension Mutex where Value == Int {
    public func add(_ amount: Int) { update { $0 += amount } }
}
