import Foundation

/// How much memory request bodies may hold (`HTTP1.BodyBudget`), sized from the memory the
/// process is meant to live in.
///
/// Peak resident memory per body byte while a body is held, decoded and answered, measured with
/// `scripts/measure-body-memory` (`/proc/<pid>/status` VmHWM on the release server, one body at a
/// time; docs/SERVICE.md "Memory", BENCHMARKS.md). Both `/predict` and V2 `infer` read their
/// numbers straight from the bytes into the feature buffer, so a JSON body peaks at about 2× (the
/// server holds the body twice) to 4.5× (a long V2 `id`, echoed in the answer), 2.9× for real
/// windows. The most per byte is V2's binary tensor extension with a one-byte datatype (INT8,
/// UINT8): each byte becomes a 4-byte float, 8.3× for 1024 windows. Bodies are charged before
/// they are read, when only their length is known, so the charge is that worst case with a
/// margin: 10 bytes per body byte (20 while V2 JSON was parsed into a tree, 16× for `[0,0,…]`).
public enum BodyMemory {
    public static let bytesPerBodyByte = 10

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

    /// The resident-memory bound the budget is designed to: `reservedBytes + max(budget, maxBodyBytes × bytesPerBodyByte)`.
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
