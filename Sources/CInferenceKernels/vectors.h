// 16-float vectors and the exponential shared by the kernels of this target (not a public header).
//
// Every kernel body is written once over clang's 16-float vectors and inlined into one function
// per instruction set (`target` attributes), so AVX-512 gets zmm registers, AVX2 pairs of ymm and
// other CPUs (arm64: NEON) four 128-bit registers.

#ifndef MPCL_VECTORS_H
#define MPCL_VECTORS_H

#pragma clang fp contract(fast)
// The 16-float helpers below are always inlined into a function of one instruction set, so the
// vector-argument ABI that differs between AVX2 and AVX-512 is never used across a call.
#pragma clang diagnostic ignored "-Wpsabi"

typedef float v16 __attribute__((ext_vector_type(16)));
/// The same vector at any float's alignment, for loads and stores of unaligned rows.
typedef float v16u __attribute__((ext_vector_type(16), aligned(4)));

#define ALWAYS_INLINE static inline __attribute__((always_inline))

typedef int v16i __attribute__((ext_vector_type(16)));

#define load16(p) (*(const v16u *)(p))
#define store16(p, v) (*(v16u *)(p) = (v))

/// eˣ for x ≤ 0 by FastMath.exp's scheme (MPCLMath/FastMath.swift, the tape's GELU): n = round(x·log₂e)
/// by the 1.5·2²³ shift, r = x − n·ln2 in two parts, eʳ by its degree-6 polynomial, times 2ⁿ built
/// in the exponent bits. Inputs are clamped at −87.33, where FastMath returns 0 instead of e^−87.33
/// ≈ 1e-38 — the same 1 − poly·e^(−x²) in erf either way.
ALWAYS_INLINE v16 exp16(v16 v) {
#pragma clang fp contract(off)
    v16 x = __builtin_elementwise_max(v, (v16)-87.33654f);
    v16 magic = (v16)12582912.0f;
    v16 shifted = x * 1.44269504f + magic;
    v16 n = shifted - magic;
    v16 r = x - n * 0.693359375f;
    r = r - n * -2.1219444e-4f;
    v16 p = (v16)1.98756915e-4f;
    p = p * r + 1.39819995e-3f;
    p = p * r + 8.3334519e-3f;
    p = p * r + 4.16657959e-2f;
    p = p * r + 1.66666655e-1f;
    p = p * r + 5.00000012e-1f;
    v16 y = p * r * r + r + 1;
    v16i exponent = ((v16i)shifted - (v16i)magic + 127) << 23;
    return y * (v16)exponent;
}

#endif
