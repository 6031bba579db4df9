#ifndef MPCL_C_INFERENCE_KERNELS_H
#define MPCL_C_INFERENCE_KERNELS_H

/// The compiled inference plan's packed-weight matrix product (docs/PERFORMANCE.md), in C because
/// it is compiled once per instruction set and chosen at run time from the CPU's features: Swift
/// builds a module for one target CPU, which on x86-64 is Haswell (AVX2), so a Swift kernel can
/// never use the AVX-512 of the machines it mostly runs on.

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

#endif
