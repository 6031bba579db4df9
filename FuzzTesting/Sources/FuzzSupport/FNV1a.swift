/// FNV-1a, 64-bit: a cheap, deterministic hash of the input from which harnesses derive their
/// choices (split points, limits), so a crashing input replays exactly.
public enum FNV1a {
    public static func hash<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            h ^= UInt64(b)
            h = h &* 0x100_0000_01b3
        }
        // Final avalanche so that the low bits (used for `%`) depend on every byte.
        h ^= h >> 33
        h = h &* 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        return h
    }
}

/// Stops the process with a message libFuzzer records next to the crashing input. Used instead of
/// `precondition` so that the failure is reported in every build configuration.
public func fuzzFailure(_ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) -> Never {
    fatalError("FUZZ INVARIANT VIOLATED: \(message())", file: file, line: line)
}

public func fuzzCheck(_ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) {
    if !condition { fuzzFailure(message(), file: file, line: line) }
}
