import Foundation
import Randomness

/// `X-Request-Id`: a client's value is echoed when it is sane (1–128 characters of letters, digits
/// and `-._:`), so ids cannot inject into logs or headers; otherwise a random 128-bit hex id is made.
enum RequestId {
    static func make(from client: String?) -> String {
        if let client, isSane(client) { return client }
        return generate()
    }

    static func isSane(_ value: String) -> Bool {
        let bytes = value.utf8
        return !bytes.isEmpty && bytes.count <= 128
            && bytes.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x2D || byte == 0x2E || byte == 0x5F || byte == 0x3A
            }
    }

    /// A random 128-bit id: two draws from one process-wide generator seeded from the system's
    /// entropy, so no system call per request. Ids are for correlation, not secrets.
    static func generate() -> String {
        let (high, low) = generator.withLock { generator in (generator.next(), generator.next()) }
        return hex(high) + hex(low)
    }

    private static let generator: Locked<SeededGenerator> = {
        var entropy = SystemRandomNumberGenerator()
        return Locked(SeededGenerator(seed: entropy.next()))
    }()

    private static func hex(_ value: UInt64) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }
}

/// A value behind a lock (no atomics module in the dependency set).
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func withLock<T>(_ body: (inout Value) -> T) -> T { lock.withLock { body(&value) } }
}
