/// Keeps large tensor buffers in the heap instead of fresh `mmap`s. glibc serves allocations above
/// its mmap threshold with new zeroed pages and returns them on free, so every forward pass would
/// page-fault its activations in again (measured: a third of batch-64 inference time). Raising the
/// mmap and trim thresholds lets freed activations be reused. Executables call this once at start.
public func tuneAllocatorForTensors() {
    #if os(Linux)
        // glibc's <malloc.h> constants; the Glibc module does not export mallopt.
        let mmapThreshold: Int32 = -3  // M_MMAP_THRESHOLD
        let trimThreshold: Int32 = -1  // M_TRIM_THRESHOLD
        _ = glibcMallopt(mmapThreshold, 64 << 20)
        _ = glibcMallopt(trimThreshold, 256 << 20)
    #endif
}

#if os(Linux)
    @_silgen_name("mallopt")
    func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
