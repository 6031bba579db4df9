import Foundation

/// How many CPUs this process may actually keep busy: the smaller of the CPUs it is allowed to run
/// on (`sched_getaffinity`, which `taskset` and Kubernetes' static CPU manager narrow) and its
/// cgroup CPU quota (a container's CPU limit), rounded down and at least 1.
///
/// The node's processor count is the wrong default for thread pools in a container: a pod limited
/// to 2 CPUs on a 64-core node would start 64 event loops, 64 inference workers and 64 BLAS threads
/// that the kernel then throttles to 2 CPUs' worth of time per period. The quota is rounded *down*
/// because a thread beyond it is throttled for the rest of every period, which a server sees as
/// tail latency (docs/PERFORMANCE.md).
public enum AvailableCPUs {
    /// The count for this process, computed once (quota and affinity do not change while it runs,
    /// short of an operator resizing the pod in place).
    public static let count: Int = {
        #if os(Linux)
            let quota = cgroupQuota(reading: { try? String(contentsOfFile: $0, encoding: .utf8) })
            return combine(affinity: affinityCount(), quota: quota)
        #else
            return max(1, ProcessInfo.processInfo.activeProcessorCount)
        #endif
    }()

    /// min(affinity, ⌊quota⌋), at least 1; either may be unknown.
    static func combine(affinity: Int?, quota: Double?) -> Int {
        var count = affinity ?? ProcessInfo.processInfo.activeProcessorCount
        if let quota { count = min(count, Int(quota.rounded(.down))) }
        return max(1, count)
    }

    /// The tightest CPU quota (in CPUs) on this process's cgroup or any of its ancestors: cgroup v2
    /// `cpu.max` ("max 100000" or "QUOTA PERIOD") or v1 `cpu.cfs_quota_us` / `cpu.cfs_period_us`
    /// (quota -1 for none). `read` returns a file's text or nil; tests pass a fake tree.
    static func cgroupQuota(root: String = "/sys/fs/cgroup", reading read: (String) -> String?) -> Double? {
        guard let membership = read("/proc/self/cgroup") else { return nil }
        var tightest: Double?
        func consider(_ value: Double?) {
            if let value { tightest = min(tightest ?? value, value) }
        }
        for line in membership.split(separator: "\n") {
            // "hierarchy-id:controllers:path"; v2 is "0::path".
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            let controllers = fields[1].split(separator: ",")
            let path = String(fields[2])
            if fields[0] == "0" && controllers.isEmpty {
                for directory in ancestors(of: path, under: [root, root + "/unified"]) {
                    consider(read(directory + "/cpu.max").flatMap(parseCPUMax))
                }
            } else if controllers.contains("cpu") {
                let mounts = [root + "/cpu", root + "/" + controllers.joined(separator: ",")]
                for directory in ancestors(of: path, under: mounts) {
                    guard let quota = read(directory + "/cpu.cfs_quota_us"),
                        let period = read(directory + "/cpu.cfs_period_us")
                    else { continue }
                    consider(parseCFS(quota: quota, period: period))
                }
            }
        }
        return tightest
    }

    /// Every directory from the cgroup's own up to the mount root, for each candidate mount point.
    /// Inside a container with its own cgroup namespace the path is "/" and the mount root is the
    /// container's cgroup; on a host the path names the cgroup below the root.
    static func ancestors(of path: String, under mounts: [String]) -> [String] {
        var components = path.split(separator: "/").map(String.init)
        var suffixes: [String] = []
        while true {
            suffixes.append(components.isEmpty ? "" : "/" + components.joined(separator: "/"))
            if components.isEmpty { break }
            components.removeLast()
        }
        return mounts.flatMap { mount in suffixes.map { mount + $0 } }
    }

    /// cgroup v2 `cpu.max`: "QUOTA PERIOD" in microseconds, QUOTA "max" for no limit. CPUs = QUOTA / PERIOD.
    static func parseCPUMax(_ text: String) -> Double? {
        let fields = text.split(whereSeparator: \.isWhitespace)
        guard fields.count == 2, let quota = Double(fields[0]), let period = Double(fields[1]), quota > 0, period > 0
        else { return nil }
        return quota / period
    }

    /// cgroup v1 CFS bandwidth: quota -1 means no limit. CPUs = quota / period.
    static func parseCFS(quota: String, period: String) -> Double? {
        guard let quota = Double(quota.trimmingCharacters(in: .whitespacesAndNewlines)),
            let period = Double(period.trimmingCharacters(in: .whitespacesAndNewlines)), quota > 0, period > 0
        else { return nil }
        return quota / period
    }

    #if os(Linux)
        /// CPUs in this thread's affinity mask (a process's threads inherit it), nil if the call fails.
        static func affinityCount() -> Int? {
            var bytes = 128  // 1024 CPUs, glibc's cpu_set_t; doubled while the kernel's mask is larger
            while bytes <= 1 << 16 {
                let mask = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes, alignment: 8)
                defer { mask.deallocate() }
                mask.initializeMemory(as: UInt8.self, repeating: 0)
                if glibcSchedGetaffinity(0, bytes, mask.baseAddress!) == 0 {
                    return mask.reduce(0) { $0 + $1.nonzeroBitCount }
                }
                guard errno == EINVAL else { return nil }
                bytes *= 2
            }
            return nil
        }
    #endif
}

#if os(Linux)
    // glibc's sched_getaffinity(pid_t, size_t, cpu_set_t *); the Glibc module hides it behind
    // _GNU_SOURCE, and its CPU_COUNT is a macro Swift cannot call.
    @_silgen_name("sched_getaffinity")
    func glibcSchedGetaffinity(_ pid: Int32, _ size: Int, _ mask: UnsafeMutableRawPointer) -> Int32
#endif
