// The packed-weight matrix product of the inference plan; see include/CInferenceKernels.h.
//
// One register tile of MR rows × 16·NP columns accumulates Σ_k x[r, k] · W[c, k] with one FMA per
// (row, 16 columns, k): the weight panel rows are loaded once per k and each x[r, k] broadcast.
// The tile body is written once over clang's 16-float vectors and inlined into one function per
// instruction set, which sizes the tile to its register file: AVX-512 8 × 32 (16 zmm accumulators
// of 32), AVX2 6 × 16 (12 ymm of 16), portable 4 × 16.

#include "CInferenceKernels.h"
#include "vectors.h"

/// Inner-dimension block: one register tile's k loop sums at most this many products.
#define KBLOCK 64

long mpcl_packed_floats(long inputs, long outputs) { return (outputs + 15) / 16 * 16 * inputs; }

void mpcl_pack_panels(const float *weight, long inputs, long outputs, float *packed) {
    long panels = (outputs + 15) / 16;
    for (long p = 0; p < panels; p++)
        for (long k = 0; k < inputs; k++)
            for (long j = 0; j < 16; j++) {
                long c = p * 16 + j;
                packed[(p * inputs + k) * 16 + j] = c < outputs ? weight[c * inputs + k] : 0;
            }
}

/// Exact GELU, ½x(1 + erf(x/√2)), with FastMath.erf's Abramowitz & Stegun 7.1.26 polynomial — the
/// formula of the tape's `geluForward` in the same operation order and, like Swift, without fused
/// multiply-adds (contraction off here), so it gives the tape's values bit for bit. That matters on
/// ill-conditioned checkpoints, where ulp-level differences in a hidden layer reach 1e-5 in the
/// output (run_parity.sh's perturbed checkpoints).
ALWAYS_INLINE v16 gelu16(v16 v) {
#pragma clang fp contract(off)
    v16 z = v * 0.70710678118654752440f;
    v16 a = __builtin_elementwise_abs(z);
    v16 t = 1 / (1 + 0.3275911f * a);
    v16 poly = (v16)1.061405429f;
    poly = poly * t - 1.453152027f;
    poly = poly * t + 1.421413741f;
    poly = poly * t - 0.284496736f;
    poly = poly * t + 0.254829592f;
    poly = poly * t;
    v16 magnitude = 1 - poly * exp16(-(a * a));
    return 0.5f * v * (1 + __builtin_elementwise_copysign(magnitude, z));
}

/// Rows [0, rows) (rows ≤ MR; missing rows repeat the last and are not stored) × panels
/// [0, NP) starting at `panel` (all NP panels exist), columns from `column` of `outputs`.
ALWAYS_INLINE void tile(const float *x, long lda, long rows, long inputs, const float *panel, long panelFloats, long column,
                        long outputs, const float *bias, float *y, long ldy, int accumulate, int gelu,
                        const int MR, const int NP) {
    const float *row[8];
    for (int i = 0; i < MR; i++) row[i] = x + (i < rows ? i : rows - 1) * lda;
    v16 acc[8][2];
    for (int i = 0; i < MR; i++)
        for (int p = 0; p < NP; p++) acc[i][p] = (v16)0;
    for (long k = 0; k < inputs; k++) {
        v16 w[2];
        for (int p = 0; p < NP; p++) w[p] = load16(panel + p * panelFloats + k * 16);
        for (int i = 0; i < MR; i++) {
            float s = row[i][k];
            for (int p = 0; p < NP; p++) acc[i][p] += w[p] * s;
        }
    }
    for (int p = 0; p < NP; p++) {
        long c = column + p * 16;
        long n = outputs - c < 16 ? outputs - c : 16;
        float partial[16] = {0};  // the last panel's bias or y row, zero past the outputs
        if (bias && n < 16)
            for (long j = 0; j < n; j++) partial[j] = bias[c + j];
        v16 add = bias ? (n == 16 ? load16(bias + c) : load16(partial)) : (v16)0;
        for (int i = 0; i < MR; i++) {
            if (i >= rows) break;
            float *out = y + i * ldy + c;
            v16 v = acc[i][p] + add;
            if (accumulate) {
                if (n == 16) {
                    v += load16(out);
                } else {
                    for (long j = 0; j < n; j++) partial[j] = out[j];
                    v += load16(partial);
                }
            }
            if (gelu) v = gelu16(v);
            if (n == 16) {
                store16(out, v);
            } else {
                store16(partial, v);
                for (long j = 0; j < n; j++) out[j] = partial[j];
            }
        }
    }
}

/// Every row block of MR (the last one clamped) against every group of NP panels, then a lone
/// panel when the count is odd.
ALWAYS_INLINE void product(const float *x, long lda, long rows, long inputs, const float *packed, long outputs,
                           const float *bias, float *y, long ldy, int accumulate, int gelu, const int MR, const int NP) {
    long panels = (outputs + 15) / 16;
    for (long first = 0; first < rows; first += MR) {
        long valid = rows - first < MR ? rows - first : MR;
        const float *xs = x + first * lda;
        float *ys = y + first * ldy;
        // Long inner dimensions are summed in blocks of KBLOCK, each block's partial sum added to y,
        // so the rounding error grows with the block count rather than with all of k (the tokenisers'
        // 256–768 inputs; every per-token layer has k ≤ 192). Bias on the first block, GELU after the last.
        for (long k0 = 0; k0 < inputs; k0 += KBLOCK) {
            long kb = inputs - k0 < KBLOCK ? inputs - k0 : KBLOCK;
            int first_block = k0 == 0;
            int last_block = k0 + kb == inputs;
            const float *blockBias = first_block ? bias : 0;
            int blockAccumulate = first_block ? accumulate : 1;
            int blockGelu = last_block ? gelu : 0;
            long p = 0;
            if (NP == 2)
                for (; p + 2 <= panels; p += 2)
                    tile(xs + k0, lda, valid, kb, packed + p * inputs * 16 + k0 * 16, inputs * 16, p * 16, outputs,
                         blockBias, ys, ldy, blockAccumulate, blockGelu, MR, 2);
            for (; p < panels; p++)
                tile(xs + k0, lda, valid, kb, packed + p * inputs * 16 + k0 * 16, inputs * 16, p * 16, outputs, blockBias,
                     ys, ldy, blockAccumulate, blockGelu, MR, 1);
        }
    }
}

static void product_portable(const float *x, long lda, long rows, long inputs, const float *packed, long outputs,
                             const float *bias, float *y, long ldy, int accumulate, int gelu) {
    product(x, lda, rows, inputs, packed, outputs, bias, y, ldy, accumulate, gelu, 4, 1);
}

#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) static void product_avx2(const float *x, long lda, long rows, long inputs,
                                                             const float *packed, long outputs, const float *bias,
                                                             float *y, long ldy, int accumulate, int gelu) {
    if (rows == 1)
        product(x, lda, rows, inputs, packed, outputs, bias, y, ldy, accumulate, gelu, 1, 2);
    else
        product(x, lda, rows, inputs, packed, outputs, bias, y, ldy, accumulate, gelu, 6, 1);
}

__attribute__((target("avx512f,avx2,fma"))) static void product_avx512(const float *x, long lda, long rows,
                                                                       long inputs, const float *packed, long outputs,
                                                                       const float *bias, float *y, long ldy,
                                                                       int accumulate, int gelu) {
    if (rows == 1)  // a single window: one row, no clamped rows
        product(x, lda, rows, inputs, packed, outputs, bias, y, ldy, accumulate, gelu, 1, 2);
    else if (rows <= 4)  // a few rows: a shorter tile wastes less on clamped rows
        product(x, lda, rows, inputs, packed, outputs, bias, y, ldy, accumulate, gelu, 4, 2);
    else
        product(x, lda, rows, inputs, packed, outputs, bias, y, ldy, accumulate, gelu, 8, 2);
}
#endif

/// The best level this CPU and OS support: `__builtin_cpu_supports` reads cpuid and, for AVX and
/// AVX-512, whether the OS saves those registers (XCR0), so a level it reports is safe to run.
static int supported_level(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return 2;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return 1;
#endif
    return 0;
}

int mpcl_packed_matmul_level(void) {
    static int level = -1;  // benign race: every thread computes the same value
    int known = __atomic_load_n(&level, __ATOMIC_RELAXED);
    if (known < 0) {
        known = supported_level();
        __atomic_store_n(&level, known, __ATOMIC_RELAXED);
    }
    return known;
}

int mpcl_packed_matmul_at(int level, const float *x, long lda, long rows, long inputs, const float *packed,
                          long outputs, const float *bias, float *y, long ldy, int accumulate, int gelu) {
    int supported = mpcl_packed_matmul_level();
    int used = level < supported ? (level < 0 ? 0 : level) : supported;
    if (rows <= 0 || outputs <= 0) return used;
#if defined(__x86_64__)
    if (used == 2) {
        product_avx512(x, lda, rows, inputs, packed, outputs, bias, y, ldy, accumulate, gelu);
        return used;
    }
    if (used == 1) {
        product_avx2(x, lda, rows, inputs, packed, outputs, bias, y, ldy, accumulate, gelu);
        return used;
    }
#endif
    product_portable(x, lda, rows, inputs, packed, outputs, bias, y, ldy, accumulate, gelu);
    return used;
}

void mpcl_packed_matmul(const float *x, long lda, long rows, long inputs, const float *packed, long outputs,
                        const float *bias, float *y, long ldy, int accumulate, int gelu) {
    mpcl_packed_matmul_at(2, x, lda, rows, inputs, packed, outputs, bias, y, ldy, accumulate, gelu);
}
