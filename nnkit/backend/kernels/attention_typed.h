/* Scaled dot-product attention of every (batch, head) pair for one element type
 * (included by cpu_kernels.c after gemm_typed.h, with REAL, SUFFIX and EXP_SHIFTED_SUM
 * defined).
 *
 * For each pair (n, h), with Q (T × K) already scaled by 1/√K, K (S × K), V (S × Kv):
 *
 *     W = masked_softmax(Q Kᵀ)        (T × S; a masked entry 0, a fully masked row all 0)
 *     O = (W ⊙ keep) V                (T × Kv; keep: the dropout mask, or none)
 *
 * and backward, from dO (and dL/dW from returned scores, if any):
 *
 *     dW = (dO Vᵀ) ⊙ keep + dW_extra     dS = W ⊙ (dW − Σ_s dW ⊙ W)
 *     dQ = dS K      dK = dSᵀ Q      dV = (W ⊙ keep)ᵀ dO
 *
 * exactly what nnkit/layers/attention/multi_head_attention.py computes with NumPy. A pair runs
 * on one thread (OpenMP shares the pairs), RB query rows at a time, so a block of
 * scores stays in cache from its product through its softmax to the next product;
 * the products are this file's gemm on B packed once per pair (per block for dK, dV).
 *
 * A head tensor is given by its first element and its element strides (batch, head,
 * step); a step's K numbers are contiguous (the projections' (N, steps, heads, K)
 * layout, read as heads without a copy). mask: bytes (0 hidden), rows of S, a batch
 * every mask_batch_stride bytes (0: one mask for all). keep, weights, d_extra:
 * C-contiguous (N, heads, T, S). Returns 0, or -1 when out of memory.
 */
#ifndef ATTENTION_ROWS
#define ATTENTION_ROWS 48      /* query rows per block: a multiple of MR (6, 8) */
#endif

/* Row x[0..n) of scores → its softmax over the entries whose mask byte is set (all when
 * mask is NULL); hidden entries 0, a row with none visible all 0. A NaN among the visible
 * scores makes the whole row NaN (as NumPy's passes do). With normalize 0 the row is left
 * as e^(x − max) and the factor that would normalise it is returned (the caller scales
 * the row's product instead: Kv numbers, not S); else it returns 1. */
static REAL NAME(softmax_row)(REAL *x, int64_t n, const uint8_t *mask, int normalize)
{
    if (mask)
        for (int64_t s = 0; s < n; s++)
            x[s] = mask[s] ? x[s] : -(REAL)INFINITY;
    REAL most = NAME(row_max)(x, n);
    if (most == -(REAL)INFINITY) {       /* nothing visible: all 0, or all NaN for a NaN */
        REAL fill = 0;
        for (int64_t s = 0; s < n; s++)
            fill = x[s] != x[s] ? x[s] : fill;
        for (int64_t s = 0; s < n; s++)
            x[s] = fill;
        return 1;
    }
    REAL inverse = 1 / EXP_SHIFTED_SUM(x, n, most);
    if (!normalize)
        return inverse;
    for (int64_t s = 0; s < n; s++)
        x[s] *= inverse;
    return 1;
}

/* out[i][s] = a[i][s] · b[i][s] over m rows of n (all C-contiguous). */
static void NAME(multiply_rows)(const REAL *a, const REAL *b, REAL *out, int64_t m, int64_t n)
{
    for (int64_t e = 0; e < m * n; e++)
        out[e] = a[e] * b[e];
}

/* C (S × N) (+)= Aᵀ · B for A (m × S, C-contiguous) and B packed (m deep): the dK and dV sums. */
static void NAME(transposed_gemm)(int64_t S, int64_t m, int64_t N, const REAL *a,
                                  const REAL *packed, REAL *c, int64_t ldc, int accumulate)
{
    for (int64_t i = 0; i < S; i += MR)
        NAME(row_block)(i, 0, NAME(panel_count)(N), S, m, N, a, 1, S, packed, c, ldc, accumulate);
}

/* A thread's scratch: `count` buffers of the given numbers of elements. */
#define SCRATCH_BUFFERS 6
typedef struct {
    REAL *buffer[SCRATCH_BUFFERS];
} NAME(scratch);

static int NAME(scratch_alloc)(NAME(scratch) *scratch, const int64_t *sizes)
{
    int ok = 1;
    for (int b = 0; b < SCRATCH_BUFFERS; b++) {
        scratch->buffer[b] = malloc((size_t)sizes[b] * sizeof(REAL) + 1);
        ok &= scratch->buffer[b] != NULL;
    }
    return ok;
}

static void NAME(scratch_free)(NAME(scratch) *scratch)
{
    for (int b = 0; b < SCRATCH_BUFFERS; b++)
        free(scratch->buffer[b]);
}

/* Threads for `pairs` pairs of `flops` in all: one below ~1 MFLOP (as matmul). */
static int NAME(attention_threads)(int64_t pairs, int64_t flops)
{
    return thread_count(flops < 1000000 ? 1 : pairs);
}

int NAME(attention_forward)(int64_t N, int64_t H, int64_t T, int64_t S, int64_t K, int64_t KV,
                            const REAL *q, const int64_t *qs, const REAL *k, const int64_t *ks,
                            const REAL *v, const int64_t *vs, const uint8_t *mask,
                            int64_t mask_batch_stride, const REAL *keep, REAL *weights,
                            REAL *out, const int64_t *os)
{
    int64_t pairs = N * H, rows = min64(ATTENTION_ROWS, T);
    int64_t sizes[SCRATCH_BUFFERS] = {NAME(panel_count)(S) * K * NR,      /* Kᵀ packed */
                                      NAME(panel_count)(KV) * S * NR,     /* V packed */
                                      rows * S, rows * S, rows, 0};  /* W, W ⊙ keep, scales */
    int threads = NAME(attention_threads)(pairs, 2 * pairs * T * S * (K + KV)), failed = 0;
#pragma omp parallel num_threads(threads) reduction(|| : failed)
    {
        NAME(scratch) scratch;
        REAL **buffer = scratch.buffer;
        failed = !NAME(scratch_alloc)(&scratch, sizes);
#pragma omp for schedule(dynamic, 1)
        for (int64_t pair = 0; pair < pairs; pair++) {
            if (failed)
                continue;
            int64_t n = pair / H, h = pair % H;
            const REAL *qp = q + n * qs[0] + h * qs[1], *kp = k + n * ks[0] + h * ks[1];
            const REAL *vp = v + n * vs[0] + h * vs[1];
            REAL *op = out + n * os[0] + h * os[1];
            NAME(pack_panels)(kp, K, S, 1, ks[2], 0, NAME(panel_count)(S), buffer[0]);
            NAME(pack_panels)(vp, S, KV, vs[2], 1, 0, NAME(panel_count)(KV), buffer[1]);
            for (int64_t t0 = 0; t0 < T; t0 += rows) {
                int64_t m = min64(rows, T - t0);
                REAL *w = weights ? weights + (pair * T + t0) * S : buffer[2];
                REAL *scales = buffer[4], *o = op + t0 * os[2];
                int normalize = weights || keep;   /* else: scale the product's rows */
                NAME(gemm)(m, K, S, qp + t0 * qs[2], qs[2], buffer[0], w, S, 0);
                for (int64_t i = 0; i < m; i++)
                    scales[i] = NAME(softmax_row)(w + i * S, S, mask ? mask + n * mask_batch_stride
                                                  + (t0 + i) * S : NULL, normalize);
                const REAL *used = w;
                if (keep) {
                    NAME(multiply_rows)(w, keep + (pair * T + t0) * S, buffer[3], m, S);
                    used = buffer[3];
                }
                NAME(gemm)(m, S, KV, used, S, buffer[1], o, os[2], 0);
                if (!normalize)
                    for (int64_t i = 0; i < m; i++)
                        for (int64_t j = 0; j < KV; j++)
                            o[i * os[2] + j] *= scales[i];
            }
        }
        NAME(scratch_free)(&scratch);
    }
    return failed ? -1 : 0;
}

/* The backward of attention_forward: dq, dk, dv (head tensors, written, not added to)
 * from the forward's weights (required), keep, dO and d_extra (dL/dW from returned
 * scores, or NULL). dq is the gradient of the scaled Q the forward was given. */
int NAME(attention_backward)(int64_t N, int64_t H, int64_t T, int64_t S, int64_t K, int64_t KV,
                             const REAL *q, const int64_t *qs, const REAL *k, const int64_t *ks,
                             const REAL *v, const int64_t *vs, const REAL *keep,
                             const REAL *weights, const REAL *d_extra,
                             const REAL *d_out, const int64_t *dos, REAL *dq, const int64_t *dqs,
                             REAL *dk, const int64_t *dks, REAL *dv, const int64_t *dvs)
{
    int64_t pairs = N * H, rows = min64(ATTENTION_ROWS, T);
    int64_t sizes[SCRATCH_BUFFERS] = {NAME(panel_count)(S) * KV * NR,     /* Vᵀ packed */
                                      NAME(panel_count)(K) * S * NR,      /* K packed */
                                      rows * S, rows * S,                 /* dW → dS, W ⊙ keep */
                                      NAME(panel_count)(K) * rows * NR,   /* Q block packed */
                                      NAME(panel_count)(KV) * rows * NR}; /* dO block packed */
    int threads = NAME(attention_threads)(pairs, 4 * pairs * T * S * (K + KV)), failed = 0;
#pragma omp parallel num_threads(threads) reduction(|| : failed)
    {
        NAME(scratch) scratch;
        REAL **buffer = scratch.buffer;
        failed = !NAME(scratch_alloc)(&scratch, sizes);
#pragma omp for schedule(dynamic, 1)
        for (int64_t pair = 0; pair < pairs; pair++) {
            if (failed)
                continue;
            int64_t n = pair / H, h = pair % H;
            const REAL *qp = q + n * qs[0] + h * qs[1], *kp = k + n * ks[0] + h * ks[1];
            const REAL *vp = v + n * vs[0] + h * vs[1], *dop = d_out + n * dos[0] + h * dos[1];
            REAL *dqp = dq + n * dqs[0] + h * dqs[1], *dkp = dk + n * dks[0] + h * dks[1];
            REAL *dvp = dv + n * dvs[0] + h * dvs[1];
            NAME(pack_panels)(vp, KV, S, 1, vs[2], 0, NAME(panel_count)(S), buffer[0]);
            NAME(pack_panels)(kp, S, K, ks[2], 1, 0, NAME(panel_count)(K), buffer[1]);
            for (int64_t t0 = 0; t0 < T; t0 += rows) {
                int64_t m = min64(rows, T - t0), first = (pair * T + t0) * S;
                const REAL *w = weights + first, *used = w;
                REAL *ds = buffer[2];
                NAME(gemm)(m, KV, S, dop + t0 * dos[2], dos[2], buffer[0], ds, S, 0);
                if (keep) {
                    NAME(multiply_rows)(w, keep + first, buffer[3], m, S);
                    NAME(multiply_rows)(ds, keep + first, ds, m, S);
                    used = buffer[3];
                }
                if (d_extra)
                    for (int64_t e = 0; e < m * S; e++)
                        ds[e] += d_extra[first + e];
                for (int64_t i = 0; i < m; i++) {
                    REAL *row = ds + i * S;
                    const REAL *w_row = w + i * S;
                    REAL dot = NAME(row_dot)(row, w_row, S);
                    for (int64_t s = 0; s < S; s++)
                        row[s] = w_row[s] * (row[s] - dot);
                }
                NAME(gemm)(m, S, K, ds, S, buffer[1], dqp + t0 * dqs[2], dqs[2], 0);
                NAME(pack_panels)(qp + t0 * qs[2], m, K, qs[2], 1, 0, NAME(panel_count)(K),
                                  buffer[4]);
                NAME(transposed_gemm)(S, m, K, ds, buffer[4], dkp, dks[2], t0 > 0);
                NAME(pack_panels)(dop + t0 * dos[2], m, KV, dos[2], 1, 0, NAME(panel_count)(KV),
                                  buffer[5]);
                NAME(transposed_gemm)(S, m, KV, used, buffer[5], dvp, dvs[2], t0 > 0);
            }
        }
        NAME(scratch_free)(&scratch);
    }
    return failed ? -1 : 0;
}
