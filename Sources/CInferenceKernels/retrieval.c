// The fused multi-scale retrieval of an MSAM block (the attention); see include/CInferenceKernels.h.
//
// Per window, the window's keys are first copied (vector loads and stores, no transposition) into
// 16-key tiles read strictly in order; keys every window shares (the slots) are placed once per
// call, values are read where they lie. Then, for two query rows at a time:
// 1. scores s_j = q · k_j as register tiles of 16 keys: 16 accumulators of 16 floats, each summing
//    q[c..c+16] ⊙ k_j[c..c+16] over the width, then one shuffle tree adds each accumulator's 16
//    lanes into one lane of a single vector, stored whole;
// 2. per scale s, p = softmax(β_s s) as e^(β_s s_j − β_s max s) / Σ, 16 keys per vector (one
//    exponential for all three when the scales are β, 4β, 16β: the other two are its 4th and 16th powers);
// 3. Z_s = Σ_j p_s,j v_j for three scales at once, every value row loaded once for all of them
//    (and, on AVX-512, for both rows).

#include "CInferenceKernels.h"
#include "vectors.h"

/// Floats of each per-row buffer: `keys` rounded up to 16.
static long padded_keys(long keys) { return (keys + 15) / 16 * 16; }

long mpcl_retrieval_scratch_floats(long keys, long width, long scales) {
    long padded = padded_keys(keys);
    // alignment, tiled keys [padded, width], scores [2, padded], weights [2, scales, padded],
    // zeros [padded], value pointers [padded] (two floats each).
    return 16 + padded * width + 2 * padded + 2 * scales * padded + padded + 2 * padded;
}

/// Σ over the lanes of each of 16 vectors: lane i of the result is the sum of a[i]'s lanes. Four
/// levels each halve the lanes per vector and the vector count by adding matched lane groups of two
/// vectors: after level L, vector v holds 2^L vectors' partial sums in bit-reversed lane groups,
/// which is why the inputs are taken in bit-reversed order.
ALWAYS_INLINE v16 sum_lanes16(const v16 a[16]) {
    static const int reversed[16] = {0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15};
    v16 b[8], c[4], d[2];
    for (int i = 0; i < 8; i++) {
        v16 x = a[reversed[2 * i]], y = a[reversed[2 * i + 1]];
        b[i] = __builtin_shufflevector(x, y, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23)
               + __builtin_shufflevector(x, y, 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31);
    }
    for (int i = 0; i < 4; i++) {
        v16 x = b[2 * i], y = b[2 * i + 1];
        c[i] = __builtin_shufflevector(x, y, 0, 1, 2, 3, 16, 17, 18, 19, 8, 9, 10, 11, 24, 25, 26, 27)
               + __builtin_shufflevector(x, y, 4, 5, 6, 7, 20, 21, 22, 23, 12, 13, 14, 15, 28, 29, 30, 31);
    }
    for (int i = 0; i < 2; i++) {
        v16 x = c[2 * i], y = c[2 * i + 1];
        d[i] = __builtin_shufflevector(x, y, 0, 1, 16, 17, 4, 5, 20, 21, 8, 9, 24, 25, 12, 13, 28, 29)
               + __builtin_shufflevector(x, y, 2, 3, 18, 19, 6, 7, 22, 23, 10, 11, 26, 27, 14, 15, 30, 31);
    }
    return __builtin_shufflevector(d[0], d[1], 0, 16, 2, 18, 4, 20, 6, 22, 8, 24, 10, 26, 12, 28, 14, 30)
           + __builtin_shufflevector(d[0], d[1], 1, 17, 3, 19, 5, 21, 7, 23, 9, 25, 11, 27, 13, 29, 15, 31);
}

ALWAYS_INLINE float lane_max(v16 v) { return __builtin_reduce_max(v); }
ALWAYS_INLINE float lane_sum(v16 v) {
    typedef float v8 __attribute__((ext_vector_type(8)));
    typedef float v4 __attribute__((ext_vector_type(4)));
    v8 h = __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7) + __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
    v4 q = __builtin_shufflevector(h, h, 0, 1, 2, 3) + __builtin_shufflevector(h, h, 4, 5, 6, 7);
    return (q[0] + q[2]) + (q[1] + q[3]);
}

/// Writes key j (d floats) into the tiled copy: 16-key tiles, each as d/16 chunks of 16 keys × 16
/// floats, so key t of a tile, columns [16c, 16c + 16), is at ((tile·d/16 + c)·16 + t)·16.
ALWAYS_INLINE void place_key(float *tiled, long j, const float *key, long d) {
    float *destination = tiled + (j / 16) * 16 * d + (j % 16) * 16;
    for (long c = 0; c < d; c += 16) store16(destination + c * 16, load16(key + c));
}

/// Scores of query row q against the `padded` tiled keys (zero past the real ones) into `score`.
/// One accumulator per key of a 16-key tile, so each tile's scores leave as one full vector, and
/// the keys are read strictly in order from one pointer.
ALWAYS_INLINE void scores_row(const float *q, const float *tiled, long padded, long d, float *score) {
    for (long j0 = 0; j0 < padded; j0 += 16) {
        const float *tile = tiled + j0 * d;
        v16 acc[16];
        for (int i = 0; i < 16; i++) acc[i] = (v16)0;
        for (long c = 0; c < d; c += 16) {
            v16 a = load16(q + c);
            const float *chunk = tile + c * 16;
            for (int t = 0; t < 16; t++) acc[t] += a * load16(chunk + t * 16);
        }
        store16(score + j0, sum_lanes16(acc));
    }
}

/// x⁴ by two squarings, flushed to zero where x < 2⁻³⁰ (so no square is subnormal, whose
/// multiplications are slow on x86; the exact value there is below 2⁻¹²⁰, far under any weight the
/// softmax keeps).
ALWAYS_INLINE v16 fourth_power(v16 x) {
    v16 square = x * x;
    square = x < (v16)0x1p-30f ? (v16)0 : square;
    v16 fourth = square * square;
    return square < (v16)0x1p-30f ? (v16)0 : fourth;
}

/// Whether the scales are three inverse temperatures each 4× the one before, exactly in Float
/// (the model's default β_s = (0.25, 1, 4)/√d, docs/MODEL.md), so the softmaxes share one exponential.
static int scales_by_four(const float *betas, long scales) {
    return scales == 3 && betas[0] > 0 && betas[1] == 4 * betas[0] && betas[2] == 4 * betas[1];
}

/// p_s = softmax(β_s · score) over the m valid scores for every scale, zero from m to `padded`.
/// With `by_four` (see scales_by_four) one exponential serves all three scales: for
/// x_j = β_0 (s_j − max s) ≤ 0, e^(β_1(s_j − max s)) = e^(4x_j) = (e^(x_j))⁴ and e^(β_2 …) = (e^(x_j))¹⁶.
/// Each squaring doubles the exponential's relative error (≈ 1e-7), so the third scale's weights
/// carry ≈ 16 × that before normalisation: ~2e-6, inside the plan's 1e-5 against the tape.
ALWAYS_INLINE void softmaxes(const float *score, long m, long padded, const float *betas, long scales, int by_four,
                             float *weights) {
    v16i index = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    v16i tail = index < (v16i)(int)(m - (padded - 16));  // the last vector's real keys
    v16 peak = tail ? load16(score + padded - 16) : (v16)-__builtin_inff();
    for (long j = 0; j + 16 < padded; j += 16) peak = __builtin_elementwise_max(peak, load16(score + j));
    float top = lane_max(peak);
    if (by_four) {
        float beta = betas[0], shift = beta * top;
        float *p0 = weights, *p1 = weights + padded, *p2 = weights + 2 * padded;
        v16 total0 = (v16)0, total1 = (v16)0, total2 = (v16)0;
        for (long j = 0; j < padded; j += 16) {
            v16 e0 = exp16(beta * load16(score + j) - shift);
            if (j + 16 == padded) e0 = tail ? e0 : (v16)0;
            v16 e1 = fourth_power(e0), e2 = fourth_power(e1);
            store16(p0 + j, e0);
            store16(p1 + j, e1);
            store16(p2 + j, e2);
            total0 += e0;
            total1 += e1;
            total2 += e2;
        }
        v16 inverse0 = (v16)(1 / lane_sum(total0)), inverse1 = (v16)(1 / lane_sum(total1));
        v16 inverse2 = (v16)(1 / lane_sum(total2));
        for (long j = 0; j < padded; j += 16) {
            store16(p0 + j, load16(p0 + j) * inverse0);
            store16(p1 + j, load16(p1 + j) * inverse1);
            store16(p2 + j, load16(p2 + j) * inverse2);
        }
        return;
    }
    for (long s = 0; s < scales; s++) {
        float beta = betas[s], shift = beta * top;
        float *p = weights + s * padded;
        v16 total = (v16)0;
        for (long j = 0; j < padded; j += 16) {
            v16 e = exp16(beta * load16(score + j) - shift);
            if (j + 16 == padded) e = tail ? e : (v16)0;
            store16(p + j, e);
            total += e;
        }
        v16 inverse = (v16)(1 / lane_sum(total));
        for (long j = 0; j < padded; j += 16) store16(p + j, load16(p + j) * inverse);
    }
}

/// out_r[s·d + c] = Σ_j p_{r,s}[j] v_j[c] for R rows, three scales (missing scales point at zeros;
/// only `stored` of them are written) and CV vectors of 16 columns from `column`.
ALWAYS_INLINE void weighted_tile(const float *const *values, long m, const float *w[2][3], float *out[2], long d,
                                 long column, int stored, const int R, const int CV) {
    v16 acc[2][3][4];
    for (int r = 0; r < R; r++)
        for (int s = 0; s < 3; s++)
            for (int v = 0; v < CV; v++) acc[r][s][v] = (v16)0;
    for (long j = 0; j < m; j++) {
        const float *row = values[j] + column;
        v16 x[4];
        for (int v = 0; v < CV; v++) x[v] = load16(row + 16 * v);
        for (int r = 0; r < R; r++)
            for (int s = 0; s < 3; s++) {
                float weight = w[r][s][j];
                for (int v = 0; v < CV; v++) acc[r][s][v] += weight * x[v];
            }
    }
    for (int r = 0; r < R; r++)
        for (int s = 0; s < stored; s++)
            for (int v = 0; v < CV; v++) store16(out[r] + s * d + column + 16 * v, acc[r][s][v]);
}

/// Every column block of the weighted sums for R rows (weights [row][scale][padded]).
ALWAYS_INLINE void weighted_rows(const float *const *values, long m, const float *weights, long padded, long scales,
                                 const float *zeros, float *const *out, long d, const int R, const int CV) {
    for (long group = 0; group < scales; group += 3) {
        const float *w[2][3];
        float *o[2];
        for (int r = 0; r < R; r++) {
            o[r] = out[r];
            for (int s = 0; s < 3; s++)
                w[r][s] = group + s < scales ? weights + (r * scales + group + s) * padded : zeros;
        }
        int stored = scales - group < 3 ? (int)(scales - group) : 3;
        float *shifted[2];
        for (int r = 0; r < R; r++) shifted[r] = o[r] + group * d;
        long column = 0;
        for (; column + 16 * CV <= d; column += 16 * CV) weighted_tile(values, m, w, shifted, d, column, stored, R, CV);
        for (; column < d; column += 16) weighted_tile(values, m, w, shifted, d, column, stored, R, 1);
    }
}

/// Asks for the cache lines of window b's query rows and of its own keys and values (not the shared
/// ones), so that they arrive while the window before is computed: placing a window's keys waited
/// on their first read (14 % of the kernel's samples on those copies, 256 windows, d = 64).
ALWAYS_INLINE void prefetch_rows(const float *first, long stride, long count, long d) {
    for (long t = 0; t < count; t++)
        for (long c = 0; c < d; c += 16) __builtin_prefetch(first + t * stride + c);
}

ALWAYS_INLINE void prefetch_window(const float *queries, long query_row_stride, long query_window_stride, long rows,
                                   long b, long d, const mpcl_key_value_segment *segments, long segment_count) {
    prefetch_rows(queries + b * query_window_stride, query_row_stride, rows, d);
    for (long i = 0; i < segment_count; i++) {
        const mpcl_key_value_segment *segment = &segments[i];
        if (segment->keyWindowStride != 0)
            prefetch_rows(segment->keys + b * segment->keyWindowStride, segment->keyRowStride, segment->count, d);
        if (segment->valueWindowStride != 0)
            prefetch_rows(segment->values + b * segment->valueWindowStride, segment->valueRowStride, segment->count, d);
    }
}

/// The retrieval for widths that are a multiple of 16. WR rows share each weighted-sum pass.
ALWAYS_INLINE void retrieval(const float *queries, long query_row_stride, long query_window_stride, long rows,
                             long windows, long d, const mpcl_key_value_segment *segments, long segment_count,
                             const float *betas, long scales, float *output, float *scratch, const int WR,
                             const int CV) {
    long m = 0;
    for (long i = 0; i < segment_count; i++) m += segments[i].count;
    if (m == 0 || rows <= 0) return;
    long padded = padded_keys(m);
    int by_four = scales_by_four(betas, scales);
    float *tiled = scratch + (16 - ((unsigned long)scratch / sizeof(float)) % 16) % 16;  // [padded, d], 64-byte aligned
    float *scores = tiled + padded * d;            // [2, padded]
    float *weights = scores + 2 * padded;          // [2, scales, padded]
    float *zeros = weights + 2 * scales * padded;  // [padded]
    const float **values = (const float **)(zeros + padded);  // [padded]
    for (long j = 0; j < padded; j++) zeros[j] = 0;
    for (long j = 0; j < padded * d; j++) tiled[j] = 0;  // the padding keys
    long j = 0;
    for (long i = 0; i < segment_count; i++) {  // keys and values every window shares (slots): once
        const mpcl_key_value_segment *segment = &segments[i];
        for (long t = 0; t < segment->count; t++, j++) {
            if (segment->keyWindowStride == 0) place_key(tiled, j, segment->keys + t * segment->keyRowStride, d);
            if (segment->valueWindowStride == 0) values[j] = segment->values + t * segment->valueRowStride;
        }
    }
    for (long b = 0; b < windows; b++) {
        j = 0;
        for (long i = 0; i < segment_count; i++) {
            const mpcl_key_value_segment *segment = &segments[i];
            const float *keys = segment->keys + b * segment->keyWindowStride;
            const float *rows = segment->values + b * segment->valueWindowStride;
            for (long t = 0; t < segment->count; t++, j++) {
                if (segment->keyWindowStride != 0) place_key(tiled, j, keys + t * segment->keyRowStride, d);
                if (segment->valueWindowStride != 0) values[j] = rows + t * segment->valueRowStride;
            }
        }
        if (b + 1 < windows) prefetch_window(queries, query_row_stride, query_window_stride, rows, b + 1, d, segments,
                                             segment_count);
        const float *window_queries = queries + b * query_window_stride;
        for (long first = 0; first < rows; first += 2) {
            int valid = rows - first < 2 ? 1 : 2;
            for (int r = 0; r < valid; r++) {
                scores_row(window_queries + (first + r) * query_row_stride, tiled, padded, d, scores + r * padded);
                softmaxes(scores + r * padded, m, padded, betas, scales, by_four, weights + r * scales * padded);
            }
            float *out[2] = {output + (b * rows + first) * scales * d, output + (b * rows + first + 1) * scales * d};
            if (WR == 2 && valid == 2) {
                weighted_rows(values, m, weights, padded, scales, zeros, out, d, 2, CV);
            } else {
                for (int r = 0; r < valid; r++)
                    weighted_rows(values, m, weights + r * scales * padded, padded, scales, zeros, out + r, d, 1, CV);
            }
        }
    }
}

/// Any width: one query row, one key at a time.
static void retrieval_plain(const float *queries, long query_row_stride, long query_window_stride, long rows,
                            long windows, long d, const mpcl_key_value_segment *segments, long segment_count,
                            const float *betas, long scales, float *output, float *scratch) {
    long m = 0;
    for (long i = 0; i < segment_count; i++) m += segments[i].count;
    if (m == 0) return;
    float *scores = scratch, *weights = scratch + padded_keys(m);
    for (long b = 0; b < windows; b++)
        for (long i = 0; i < rows; i++) {
            const float *query = queries + b * query_window_stride + i * query_row_stride;
            long j = 0;
            for (long g = 0; g < segment_count; g++)
                for (long t = 0; t < segments[g].count; t++, j++) {
                    const float *key = segments[g].keys + b * segments[g].keyWindowStride + t * segments[g].keyRowStride;
                    float total = 0;
                    for (long c = 0; c < d; c++) total += query[c] * key[c];
                    scores[j] = total;
                }
            float top = scores[0];
            for (j = 1; j < m; j++) top = scores[j] > top ? scores[j] : top;
            float *out = output + (b * rows + i) * scales * d;
            for (long s = 0; s < scales; s++) {
                float beta = betas[s], shift = beta * top, total = 0;
                for (j = 0; j < m; j++) {
                    v16 e = exp16((v16)(beta * scores[j] - shift));
                    weights[j] = e[0];
                    total += weights[j];
                }
                float inverse = 1 / total;
                for (long c = 0; c < d; c++) out[s * d + c] = 0;
                j = 0;
                for (long g = 0; g < segment_count; g++)
                    for (long t = 0; t < segments[g].count; t++, j++) {
                        const float *value =
                            segments[g].values + b * segments[g].valueWindowStride + t * segments[g].valueRowStride;
                        float weight = weights[j] * inverse;
                        for (long c = 0; c < d; c++) out[s * d + c] += weight * value[c];
                    }
            }
        }
}

static void retrieval_portable(const float *queries, long query_row_stride, long query_window_stride, long rows,
                               long windows, long d, const mpcl_key_value_segment *segments, long segment_count,
                               const float *betas, long scales, float *output, float *scratch) {
    retrieval(queries, query_row_stride, query_window_stride, rows, windows, d, segments, segment_count, betas, scales,
              output, scratch, 1, 2);
}

#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) static void retrieval_avx2(const float *queries, long query_row_stride,
                                                               long query_window_stride, long rows, long windows,
                                                               long d, const mpcl_key_value_segment *segments,
                                                               long segment_count, const float *betas, long scales,
                                                               float *output, float *scratch) {
    retrieval(queries, query_row_stride, query_window_stride, rows, windows, d, segments, segment_count, betas, scales,
              output, scratch, 1, 2);
}

__attribute__((target("avx512f,avx2,fma"))) static void retrieval_avx512(
    const float *queries, long query_row_stride, long query_window_stride, long rows, long windows, long d,
    const mpcl_key_value_segment *segments, long segment_count, const float *betas, long scales, float *output,
    float *scratch) {
    retrieval(queries, query_row_stride, query_window_stride, rows, windows, d, segments, segment_count, betas, scales,
              output, scratch, 2, 4);
}
#endif

int mpcl_retrieval_at(int level, const float *queries, long query_row_stride, long query_window_stride, long rows,
                      long windows, long width, const mpcl_key_value_segment *segments, long segment_count,
                      const float *betas, long scales, float *output, float *scratch) {
    int supported = mpcl_packed_matmul_level();
    int used = level < supported ? (level < 0 ? 0 : level) : supported;
    if (rows <= 0 || windows <= 0 || scales <= 0) return used;
    if (width % 16 != 0) {
        retrieval_plain(queries, query_row_stride, query_window_stride, rows, windows, width, segments, segment_count,
                        betas, scales, output, scratch);
        return used;
    }
#if defined(__x86_64__)
    if (used == 2) {
        retrieval_avx512(queries, query_row_stride, query_window_stride, rows, windows, width, segments, segment_count,
                         betas, scales, output, scratch);
        return used;
    }
    if (used == 1) {
        retrieval_avx2(queries, query_row_stride, query_window_stride, rows, windows, width, segments, segment_count,
                       betas, scales, output, scratch);
        return used;
    }
#endif
    retrieval_portable(queries, query_row_stride, query_window_stride, rows, windows, width, segments, segment_count,
                       betas, scales, output, scratch);
    return used;
}

void mpcl_retrieval(const float *queries, long query_row_stride, long query_window_stride, long rows, long windows,
                    long width, const mpcl_key_value_segment *segments, long segment_count, const float *betas,
                    long scales, float *output, float *scratch) {
    mpcl_retrieval_at(2, queries, query_row_stride, query_window_stride, rows, windows, width, segments, segment_count,
                      betas, scales, output, scratch);
}
