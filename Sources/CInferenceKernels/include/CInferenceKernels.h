#ifndef MPCL_C_INFERENCE_KERNELS_H
#define MPCL_C_INFERENCE_KERNELS_H

/// The compiled inference plan's packed-weight matrix product and MSAM attention
/// (docs/PERFORMANCE.md), in C because each is compiled once per instruction set and chosen at run
/// time from the CPU's features: Swift builds a module for one target CPU, which on x86-64 is
/// Haswell (AVX2), so a Swift kernel can never use the AVX-512 of the machines it mostly runs on.

/// Floats `mpcl_pack_panels` writes for a weight of `outputs` rows of `inputs` floats.
long mpcl_packed_floats(long inputs, long outputs);

/// Packs W [outputs, inputs] (PyTorch's layout) into panels of 16 output columns:
/// packed[p·16·inputs + k·16 + j] = W[16p + j, k], zero past the last output.
void mpcl_pack_panels(const float *weight, long inputs, long outputs, float *packed);

/// y[r, c] = f((accumulate ? y[r, c] : 0) + (bias ? bias[c] : 0) + Σ_k x[r, k] · W[c, k]) for
/// r < rows, c < outputs, with W packed by `mpcl_pack_panels`, f = GELU when `gelu` (the tape's
/// formula) and the identity otherwise; x rows `lda` floats apart, y rows `ldy`. No allocation, no
/// packing of x, no zeroing pass over y.
void mpcl_packed_matmul(const float *x, long lda, long rows, long inputs, const float *packed, long outputs,
                        const float *bias, float *y, long ldy, int accumulate, int gelu);

/// The same product forced to an instruction set (0 portable, 1 AVX2+FMA, 2 AVX-512), clamped to
/// what this CPU supports — for tests of every path on one machine. Returns the level used.
int mpcl_packed_matmul_at(int level, const float *x, long lda, long rows, long inputs, const float *packed,
                          long outputs, const float *bias, float *y, long ldy, int accumulate, int gelu);

/// The instruction set `mpcl_packed_matmul` uses on this CPU (0 portable, 1 AVX2+FMA, 2 AVX-512).
int mpcl_packed_matmul_level(void);

/// One run of stored patterns (keys and values, `width` floats each) that a window's queries attend
/// to: row t of window b has its key at keys + b·keyWindowStride + t·keyRowStride and its value at
/// values + b·valueWindowStride + t·valueRowStride; a window stride of 0 means every window shares
/// the rows (learned slots).
typedef struct {
    const float *keys;
    const float *values;
    long keyRowStride;
    long keyWindowStride;
    long valueRowStride;
    long valueWindowStride;
    long count;
} mpcl_key_value_segment;

/// Floats of scratch `mpcl_retrieval` needs for windows with `keys` stored patterns.
long mpcl_retrieval_scratch_floats(long keys, long width, long scales);

/// Fused multi-scale modern Hopfield retrieval (an MSAM block's attention, docs/MODEL.md) for every
/// query row of every window: s_j = q · k_j over the window's keys (all segments, in order), then
/// for each inverse temperature β_s, p = softmax(β_s s) (as e^(β_s s_j − β_s max s) / Σ) and
/// Z_s = Σ_j p_j v_j. Query row i of window b is at queries + b·queryWindowStride + i·queryRowStride;
/// its output is row b·rows + i of `output` [windows·rows, scales·width] holding [Z_1 ‖ … ‖ Z_S].
/// `scratch` holds `mpcl_retrieval_scratch_floats` floats, 4-byte aligned. Vectorised when `width`
/// is a multiple of 16, a plain loop otherwise.
void mpcl_retrieval(const float *queries, long queryRowStride, long queryWindowStride, long rows, long windows,
                    long width, const mpcl_key_value_segment *segments, long segmentCount,
                    const float *betas, long scales, float *output, float *scratch);

/// The same retrieval forced to an instruction set (as `mpcl_packed_matmul_at`); returns the level used.
int mpcl_retrieval_at(int level, const float *queries, long queryRowStride, long queryWindowStride, long rows,
                      long windows, long width, const mpcl_key_value_segment *segments, long segmentCount,
                      const float *betas, long scales, float *output, float *scratch);

#endif
