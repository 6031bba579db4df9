import CInferenceKernels

/// A linear layer's weight packed once, at load, for `packedMatmul` (docs/PERFORMANCE.md): W [N, K]
/// in PyTorch's layout becomes panels of 16 output columns, each K rows of 16 consecutive floats,
/// packed[p·16·K + k·16 + j] = W[16p + j, k] (zero past the last output), so the product's inner
/// loop reads the weight strictly in order and never repacks it.
public func packPanels(_ weight: [Float], inputs: Int, outputs: Int) -> [Float] {
    precondition(weight.count == inputs * outputs, "packPanels: expected \(outputs) × \(inputs) weights")
    var packed = [Float](repeating: 0, count: mpcl_packed_floats(inputs, outputs))
    weight.withUnsafeBufferPointer { w in
        packed.withUnsafeMutableBufferPointer { mpcl_pack_panels(w.baseAddress, inputs, outputs, $0.baseAddress) }
    }
    return packed
}

/// y[r, c] = f((accumulate ? y[r, c] : 0) + (bias?[c] ?? 0) + Σ_k x[r, k] · W[c, k]) over `rows`
/// rows (x rows `lda` floats apart, y rows `ldy`), W packed by `packPanels`, f the exact GELU
/// (`geluForward`'s formula) when `gelu`, else the identity. Unlike sgemm it packs nothing per
/// call and needs no zeroing, bias or activation pass over y: all are applied when each register
/// tile is stored. The tile kernel is chosen from the CPU's features at run
/// time (AVX-512, AVX2 + FMA, or portable vectors).
@inline(__always) public func packedMatmul(
    _ x: UnsafePointer<Float>, lda: Int, rows: Int, inputs: Int, packed: UnsafePointer<Float>, outputs: Int,
    bias: UnsafePointer<Float>?, into y: UnsafeMutablePointer<Float>, ldy: Int, accumulate: Bool, gelu: Bool = false
) {
    mpcl_packed_matmul(x, lda, rows, inputs, packed, outputs, bias, y, ldy, accumulate ? 1 : 0, gelu ? 1 : 0)
}

/// The instruction sets `packedMatmul` can run at, best last.
public enum PackedMatmulLevel: Int32, Sendable, CaseIterable {
    case portable = 0
    case avx2 = 1
    case avx512 = 2

    /// The level `packedMatmul` uses on this CPU.
    public static var current: PackedMatmulLevel { PackedMatmulLevel(rawValue: mpcl_packed_matmul_level()) ?? .portable }
}

/// `packedMatmul` forced to `level` (clamped to what this CPU supports), so tests cover every
/// path on one machine; returns the level that ran.
@discardableResult public func packedMatmul(
    at level: PackedMatmulLevel, _ x: UnsafePointer<Float>, lda: Int, rows: Int, inputs: Int, packed: UnsafePointer<Float>,
    outputs: Int, bias: UnsafePointer<Float>?, into y: UnsafeMutablePointer<Float>, ldy: Int, accumulate: Bool, gelu: Bool = false
) -> PackedMatmulLevel {
    PackedMatmulLevel(
        rawValue: mpcl_packed_matmul_at(
            level.rawValue, x, lda, rows, inputs, packed, outputs, bias, y, ldy, accumulate ? 1 : 0, gelu ? 1 : 0))
        ?? .portable
}
