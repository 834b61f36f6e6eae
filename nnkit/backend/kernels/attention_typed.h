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

/* The operands of one attention call (forward or backward: each reads its own). A head tensor
 * is its first element and its (batch, head, step) element strides. */
typedef struct {
    int64_t N, H, T, S, K, KV, rows;
    const REAL *q, *k, *v, *keep, *d_extra, *d_out;
    const int64_t *qs, *ks, *vs, *os, *dos, *dqs, *dks, *dvs;
    const uint8_t *mask;
    int64_t mask_batch_stride;
    REAL *weights, *out, *dq, *dk, *dv;
} NAME(attention_call);

/* Element (n, h, 0, 0) of a head tensor. */
#define HEAD(base, strides, n, h) ((base) + (n) * (strides)[0] + (h) * (strides)[1])

/* Matrix x (steps × width, row stride `stride`, rows contiguous) packed as the right operand
 * of a product: x itself (steps deep) or, transposed, xᵀ (width deep). */
static void NAME(pack_matrix)(const REAL *x, int64_t stride, int64_t steps, int64_t width,
                              int transposed, REAL *packed)
{
    if (transposed)
        NAME(pack_panels)(x, width, steps, 1, stride, 0, NAME(panel_count)(steps), packed);
    else
        NAME(pack_panels)(x, steps, width, stride, 1, 0, NAME(panel_count)(width), packed);
}

/* run(call, pair, buffers) for every (batch, head) pair, the pairs handed out one at a time
 * among the threads (a slower core takes fewer; each pair on one thread, so the same bits),
 * each thread with its own scratch buffers of the given sizes; one thread below ~1 MFLOP.
 * Returns 0, or -1 when out of memory. */
static int NAME(for_each_pair)(const NAME(attention_call) *call, int64_t flops,
                               const int64_t *sizes,
                               void (*run)(const NAME(attention_call) *, int64_t, REAL **))
{
    int64_t pairs = call->N * call->H;
    int threads = thread_count(flops < 1000000 ? 1 : pairs), failed = 0;
#pragma omp parallel num_threads(threads) reduction(|| : failed)
    {
        NAME(scratch) scratch;
        failed = !NAME(scratch_alloc)(&scratch, sizes);
#pragma omp for schedule(dynamic, 1)
        for (int64_t pair = 0; pair < pairs; pair++)
            if (!failed)
                run(call, pair, scratch.buffer);
        NAME(scratch_free)(&scratch);
    }
    return failed ? -1 : 0;
}

/* One pair's forward. Buffers: Kᵀ packed, V packed, W block, (W ⊙ keep) block, row scales. */
static void NAME(forward_pair)(const NAME(attention_call) *c, int64_t pair, REAL **buffer)
{
    int64_t n = pair / c->H, h = pair % c->H, T = c->T, S = c->S, K = c->K, KV = c->KV;
    const REAL *qp = HEAD(c->q, c->qs, n, h);
    REAL *op = HEAD(c->out, c->os, n, h);
    int normalize = c->weights || c->keep;   /* else: scale the product's rows instead */
    NAME(pack_matrix)(HEAD(c->k, c->ks, n, h), c->ks[2], S, K, 1, buffer[0]);
    NAME(pack_matrix)(HEAD(c->v, c->vs, n, h), c->vs[2], S, KV, 0, buffer[1]);
    for (int64_t t0 = 0; t0 < T; t0 += c->rows) {
        int64_t m = min64(c->rows, T - t0), first = (pair * T + t0) * S;
        REAL *w = c->weights ? c->weights + first : buffer[2], *scales = buffer[4];
        REAL *o = op + t0 * c->os[2];
        NAME(gemm)(m, K, S, qp + t0 * c->qs[2], c->qs[2], buffer[0], w, S, 0);
        for (int64_t i = 0; i < m; i++)
            scales[i] = NAME(softmax_row)(w + i * S, S, c->mask ? c->mask + n * c->mask_batch_stride
                                          + (t0 + i) * S : NULL, normalize);
        const REAL *used = w;
        if (c->keep) {
            NAME(multiply_rows)(w, c->keep + first, buffer[3], m, S);
            used = buffer[3];
        }
        NAME(gemm)(m, S, KV, used, S, buffer[1], o, c->os[2], 0);
        if (!normalize)
            for (int64_t i = 0; i < m; i++)
                for (int64_t j = 0; j < KV; j++)
                    o[i * c->os[2] + j] *= scales[i];
    }
}

/* One pair's backward. Buffers: Vᵀ packed, K packed, dW → dS block, (W ⊙ keep) block,
 * Q block packed, dO block packed. */
static void NAME(backward_pair)(const NAME(attention_call) *c, int64_t pair, REAL **buffer)
{
    int64_t n = pair / c->H, h = pair % c->H, T = c->T, S = c->S, K = c->K, KV = c->KV;
    const REAL *qp = HEAD(c->q, c->qs, n, h), *dop = HEAD(c->d_out, c->dos, n, h);
    REAL *dqp = HEAD(c->dq, c->dqs, n, h), *dkp = HEAD(c->dk, c->dks, n, h);
    REAL *dvp = HEAD(c->dv, c->dvs, n, h);
    NAME(pack_matrix)(HEAD(c->v, c->vs, n, h), c->vs[2], S, KV, 1, buffer[0]);
    NAME(pack_matrix)(HEAD(c->k, c->ks, n, h), c->ks[2], S, K, 0, buffer[1]);
    for (int64_t t0 = 0; t0 < T; t0 += c->rows) {
        int64_t m = min64(c->rows, T - t0), first = (pair * T + t0) * S;
        const REAL *w = c->weights + first, *used = w;
        REAL *ds = buffer[2];
        NAME(gemm)(m, KV, S, dop + t0 * c->dos[2], c->dos[2], buffer[0], ds, S, 0);
        if (c->keep) {
            NAME(multiply_rows)(w, c->keep + first, buffer[3], m, S);
            NAME(multiply_rows)(ds, c->keep + first, ds, m, S);
            used = buffer[3];
        }
        if (c->d_extra)
            for (int64_t e = 0; e < m * S; e++)
                ds[e] += c->d_extra[first + e];
        for (int64_t i = 0; i < m; i++) {
            REAL *row = ds + i * S;
            const REAL *w_row = w + i * S;
            REAL dot = NAME(row_dot)(row, w_row, S);
            for (int64_t s = 0; s < S; s++)
                row[s] = w_row[s] * (row[s] - dot);
        }
        NAME(gemm)(m, S, K, ds, S, buffer[1], dqp + t0 * c->dqs[2], c->dqs[2], 0);
        NAME(pack_matrix)(qp + t0 * c->qs[2], c->qs[2], m, K, 0, buffer[4]);
        NAME(transposed_gemm)(S, m, K, ds, buffer[4], dkp, c->dks[2], t0 > 0);
        NAME(pack_matrix)(dop + t0 * c->dos[2], c->dos[2], m, KV, 0, buffer[5]);
        NAME(transposed_gemm)(S, m, KV, used, buffer[5], dvp, c->dvs[2], t0 > 0);
    }
}

int NAME(attention_forward)(int64_t N, int64_t H, int64_t T, int64_t S, int64_t K, int64_t KV,
                            const REAL *q, const int64_t *qs, const REAL *k, const int64_t *ks,
                            const REAL *v, const int64_t *vs, const uint8_t *mask,
                            int64_t mask_batch_stride, const REAL *keep, REAL *weights,
                            REAL *out, const int64_t *os)
{
    int64_t rows = min64(ATTENTION_ROWS, T);
    NAME(attention_call) call = {.N = N, .H = H, .T = T, .S = S, .K = K, .KV = KV, .rows = rows,
                                 .q = q, .qs = qs, .k = k, .ks = ks, .v = v, .vs = vs,
                                 .mask = mask, .mask_batch_stride = mask_batch_stride,
                                 .keep = keep, .weights = weights, .out = out, .os = os};
    int64_t sizes[SCRATCH_BUFFERS] = {NAME(panel_count)(S) * K * NR, NAME(panel_count)(KV) * S * NR,
                                      rows * S, rows * S, rows, 0};
    return NAME(for_each_pair)(&call, 2 * N * H * T * S * (K + KV), sizes, NAME(forward_pair));
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
    int64_t rows = min64(ATTENTION_ROWS, T);
    NAME(attention_call) call = {.N = N, .H = H, .T = T, .S = S, .K = K, .KV = KV, .rows = rows,
                                 .q = q, .qs = qs, .k = k, .ks = ks, .v = v, .vs = vs,
                                 .keep = keep, .weights = (REAL *)weights, .d_extra = d_extra,
                                 .d_out = d_out, .dos = dos, .dq = dq, .dqs = dqs, .dk = dk,
                                 .dks = dks, .dv = dv, .dvs = dvs};
    int64_t sizes[SCRATCH_BUFFERS] = {NAME(panel_count)(S) * KV * NR, NAME(panel_count)(K) * S * NR,
                                      rows * S, rows * S, NAME(panel_count)(K) * rows * NR,
                                      NAME(panel_count)(KV) * rows * NR};
    return NAME(for_each_pair)(&call, 4 * N * H * T * S * (K + KV), sizes, NAME(backward_pair));
}
