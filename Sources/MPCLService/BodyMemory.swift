import Foundation

/// How much memory request bodies may hold (`HTTP1.BodyBudget`), sized from the memory the
/// process is meant to live in.
///
/// Peak resident memory per body byte while a body is held and decoded, measured with
/// `/proc/<pid>/status` VmHWM on the release server, one 8 MiB body at a time (docs/SERVICE.md
/// "Memory", BENCHMARKS.md): `/predict` reads its numbers straight from the bytes into the feature
/// buffer, so it peaks at 2× for `[0,0,…]`, 3.2× for real windows and 3.6× for an object of
/// ~800,000 members (the duplicate-name check); a V2 `infer` JSON body still becomes a parse tree,
/// where every two-byte number is a 24-byte value and arrays grow by doubling: 16× for
/// `data: [0,0,…]`. Bodies are charged before they are read, when only their length is known, so
/// the charge is the worst case over every endpoint, rounded up: 20 bytes per body byte (it can
/// fall to about 5 once V2 `data` is read without a tree too).
public enum BodyMemory {
    public static let bytesPerBodyByte = 20

    /// Resident memory kept outside the budget: the idle server (about 32 MiB with the built-in
    /// model), inference scratch, response buffers and allocator slack.
    public static let reservedBytes = 96 << 20

    /// Assumed when no cgroup memory limit is set.
    public static let defaultLimitBytes = 1 << 30

    /// The default budget: `limit − reservedBytes`, where `limit` is the cgroup memory limit
    /// (v2 `memory.max`, else v1 `memory.limit_in_bytes`) or `defaultLimitBytes`; never below
    /// one maximum-size body's charge (one body is always admitted anyway).
    public static func defaultBudget(maxBodyBytes: Int, limit: Int? = cgroupLimit()) -> Int {
        let available = (limit ?? defaultLimitBytes) - reservedBytes
        return max(available, maxBodyBytes.multipliedReportingOverflow(by: bytesPerBodyByte).partialValue)
    }

    /// The resident-memory bound the budget is designed to: `reservedBytes + max(budget, maxBodyBytes × 20)`.
    public static func residentBound(budget: Int, maxBodyBytes: Int) -> Int {
        reservedBytes + max(budget, maxBodyBytes * bytesPerBodyByte)
    }

    /// The memory limit of this process's cgroup, or nil when there is none (or it is "max").
    public static func cgroupLimit() -> Int? {
        for path in ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"] {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
            // cgroup v1 reports "no limit" as a huge number near Int64.max.
            if let value = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)), value > 0, value < 1 << 50 { return value }
            return nil
        }
        return nil
    }
}
