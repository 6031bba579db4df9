/// One worker's activation memory for an `InferencePlan`: a single 64-byte-aligned buffer that the
/// plan lays its input, output and every intermediate activation into (docs/PERFORMANCE.md). A
/// worker makes one, sizes it once for the largest batch it will run (`reserve`), and reuses it for
/// every forward pass, so nothing is allocated per request. Not thread-safe: one arena per thread.
public final class InferenceArena {
    private(set) var base: UnsafeMutablePointer<Float>
    /// Floats the buffer holds.
    public private(set) var capacity: Int

    /// An arena of `floats` floats (grown later by `reserve` if a plan needs more).
    public init(floats: Int = 0) {
        capacity = max(floats, 16)
        base = Self.allocate(capacity)
    }

    /// An arena sized for `windows` windows of `plan`.
    public convenience init(plan: InferencePlan, windows: Int) {
        self.init(floats: plan.arenaFloats(windows: windows))
    }

    /// Makes room for at least `floats` floats; reallocates only when it must (contents are not kept).
    public func reserve(_ floats: Int) {
        guard floats > capacity else { return }
        base.deallocate()
        capacity = floats
        base = Self.allocate(floats)
    }

    /// Makes room for `windows` windows of `plan`.
    public func reserve(plan: InferencePlan, windows: Int) {
        reserve(plan.arenaFloats(windows: windows))
    }

    private static func allocate(_ floats: Int) -> UnsafeMutablePointer<Float> {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: floats * MemoryLayout<Float>.stride, alignment: 64)
        return raw.initializeMemory(as: Float.self, repeating: 0, count: floats)
    }

    deinit { base.deallocate() }
}
