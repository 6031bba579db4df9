import Foundation

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

    /// A random-looking, unique 128-bit id: a per-process random key mixed with a counter
    /// (SplitMix64 finaliser), so no system call per request. Ids are for correlation, not secrets.
    static func generate() -> String {
        let count = counter.withLock { value -> UInt64 in
            value &+= 1
            return value
        }
        return hex(mix(processKey.0 &+ count)) + hex(mix(processKey.1 ^ count))
    }

    private static let processKey: (UInt64, UInt64) = {
        var generator = SystemRandomNumberGenerator()
        return (generator.next(), generator.next())
    }()
    private static let counter = LockedCounter()

    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private static func hex(_ value: UInt64) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }
}

/// A counter behind a lock (no atomics module in the dependency set).
final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value: UInt64 = 0
    func withLock<T>(_ body: (inout UInt64) -> T) -> T { lock.withLock { body(&value) } }
}
