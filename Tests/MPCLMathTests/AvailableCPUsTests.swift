import Testing

@testable import MPCLMath

/// The CPU count from a cgroup quota and the affinity mask, over fake cgroup trees.
@Suite struct AvailableCPUsTests {
    /// A file system of only the given files.
    func tree(_ files: [String: String]) -> (String) -> String? { { files[$0] } }

    @Test func cgroupV2QuotaInsideAContainer() {
        let read = tree(["/proc/self/cgroup": "0::/\n", "/sys/fs/cgroup/cpu.max": "150000 100000\n"])
        #expect(AvailableCPUs.cgroupQuota(reading: read) == 1.5)
    }

    @Test func cgroupV2WithoutALimitIsNoQuota() {
        let read = tree(["/proc/self/cgroup": "0::/\n", "/sys/fs/cgroup/cpu.max": "max 100000\n"])
        #expect(AvailableCPUs.cgroupQuota(reading: read) == nil)
    }

    @Test func theTightestAncestorWins() {
        let read = tree([
            "/proc/self/cgroup": "0::/kubepods/pod1/container\n",
            "/sys/fs/cgroup/kubepods/pod1/container/cpu.max": "max 100000",
            "/sys/fs/cgroup/kubepods/pod1/cpu.max": "300000 100000",
            "/sys/fs/cgroup/kubepods/cpu.max": "800000 100000",
        ])
        #expect(AvailableCPUs.cgroupQuota(reading: read) == 3)
    }

    @Test func cgroupV1CFSQuotaOnAHybridHost() {
        let read = tree([
            "/proc/self/cgroup": "4:memory:/a\n3:cpu,cpuacct:/a\n0::/\n",
            "/sys/fs/cgroup/cpu,cpuacct/a/cpu.cfs_quota_us": "200000\n",
            "/sys/fs/cgroup/cpu,cpuacct/a/cpu.cfs_period_us": "100000\n",
            "/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us": "-1\n",
            "/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us": "100000\n",
            "/sys/fs/cgroup/unified/cpu.max": "max 100000\n",
        ])
        #expect(AvailableCPUs.cgroupQuota(reading: read) == 2)
    }

    @Test func unreadableOrMalformedFilesAreNoQuota() {
        #expect(AvailableCPUs.cgroupQuota(reading: tree([:])) == nil)
        let read = tree(["/proc/self/cgroup": "garbage\n0::/\n", "/sys/fs/cgroup/cpu.max": "lots\n"])
        #expect(AvailableCPUs.cgroupQuota(reading: read) == nil)
        #expect(AvailableCPUs.parseCPUMax("0 100000") == nil)
        #expect(AvailableCPUs.parseCFS(quota: "100000", period: "0") == nil)
    }

    @Test func theCountIsTheSmallerOfAffinityAndTheQuotaRoundedDown() {
        #expect(AvailableCPUs.combine(affinity: 8, quota: 2.5) == 2)
        #expect(AvailableCPUs.combine(affinity: 2, quota: 6) == 2)
        #expect(AvailableCPUs.combine(affinity: 4, quota: nil) == 4)
        #expect(AvailableCPUs.combine(affinity: 4, quota: 0.25) == 1)
        #expect(AvailableCPUs.count >= 1)
    }
}
