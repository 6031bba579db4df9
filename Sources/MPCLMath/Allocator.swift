/// glibc malloc settings for the two kinds of process mpcl runs.
///
/// glibc serves allocations above its mmap threshold with fresh zeroed pages and returns them on
/// free, so a forward pass whose activations cross it page-faults them in again every time; below
/// it, freed memory stays in the heap (and in one arena per thread) for reuse.
public enum AllocatorProfile {
    /// Training: large batches, one process per job. Keep activations in the heap (measured: a third
    /// of batch-64 inference time went to page faults otherwise).
    case throughput
    /// Serving: bounded resident memory matters (docs/PERFORMANCE.md: < 64 MiB under load). Two arenas
    /// instead of one per thread, and buffers over 1 MiB (only very large batches) go back to the
    /// system; without this, a storm of mixed requests left ~70 MiB of freed memory resident.
    case boundedMemory
}

/// Applies an allocator profile; executables call it once at start.
public func tuneAllocator(_ profile: AllocatorProfile) {
    #if canImport(Glibc)
        // glibc's <malloc.h> constants; the Glibc module does not export mallopt. Other C
        // libraries (Darwin's, musl) have no mallopt: their defaults stand.
        let trimThreshold: Int32 = -1  // M_TRIM_THRESHOLD
        let mmapThreshold: Int32 = -3  // M_MMAP_THRESHOLD
        let arenaMax: Int32 = -8  // M_ARENA_MAX
        switch profile {
        case .throughput:
            _ = glibcMallopt(mmapThreshold, 64 << 20)
            _ = glibcMallopt(trimThreshold, 256 << 20)
        case .boundedMemory:
            _ = glibcMallopt(arenaMax, 2)
            _ = glibcMallopt(mmapThreshold, 1 << 20)
            _ = glibcMallopt(trimThreshold, 4 << 20)
        }
    #endif
}

#if canImport(Glibc)
    @_silgen_name("mallopt")
    func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
