/* What the compiled recurrent loops (LSTM, GRU) share: the loop over packed
 * steps, the split of a step's rows between threads, the recurrent GEMM with
 * its dropout mask. A cell's loop gives one function that updates one row of
 * a step (its gates) and the buffers it needs. Included by cpu_kernels.c after
 * gemm_typed.h, with REAL and SUFFIX defined.
 *
 * Shapes: P packed steps, N rows, H state size, G = 4H columns of z, k_r the
 * rows running at packed step r (non-increasing in r).
 */
/* dst[i] (row stride ld_dst) = src[i] (row stride ld_src) ⊙ keep[i] for m rows of H. */
static void NAME(masked_rows)(int64_t m, int64_t H, const REAL *src, int64_t ld_src,
                              const REAL *keep, int64_t ld_keep, REAL *dst, int64_t ld_dst)
{
    for (int64_t i = 0; i < m; i++)
        for (int64_t u = 0; u < H; u++)
            dst[i * ld_dst + u] = src[i * ld_src + u] * keep[i * ld_keep + u];
}

/* Rows of step r on thread t of T: t, t + T, … below k_r (row j goes to thread j mod T). */
static inline int64_t NAME(rows_of)(const int64_t *sizes, int64_t r, int64_t t, int64_t T)
{
    return t < sizes[r] ? (sizes[r] - t + T - 1) / T : 0;
}

/* This thread's work rows for the recurrent-dropout mask (as many as it has at
 * step 0, each of H), or NULL when there is no mask; *failed set when out of memory. */
static REAL *NAME(mask_buffer)(const REAL *keep, const int64_t *sizes, int64_t t, int64_t T,
                               int64_t H, int *failed)
{
    REAL *buffer = keep ? malloc((size_t)(NAME(rows_of)(sizes, 0, t, T) * H) * sizeof(REAL)) : NULL;
    *failed = keep && !buffer;
    return buffer;
}


/* Updates packed row ``cur`` (whose previous step is row ``before``) of a cell's
 * buffers, described by ``cell``. */
typedef void (*NAME(row_step))(const void *cell, int64_t cur, int64_t before);

/* Forward over all packed steps: z[rows of step r] += h[rows of step r − 1] · U
 * (⊙ keep), then ``step`` on each row. Returns 0, or -1 when out of memory. */
static int NAME(loop_forward)(int64_t steps, const int64_t *sizes, const int64_t *offsets,
                              int64_t H, int64_t G, REAL *z, const REAL *h,
                              const REAL *recurrent_kernel, const REAL *keep,
                              NAME(row_step) step, const void *cell)
{
    if (steps == 0)
        return 0;
    int64_t total = offsets[steps];
    REAL *packed = NAME(packed_copy)(recurrent_kernel, H, G, G, 1);
    if (!packed)
        return -1;
    int failed = 0, threads = thread_count(sizes[0]);
#pragma omp parallel num_threads(threads) reduction(|| : failed)
    {
        int64_t t = thread_index(), T = threads;
        REAL *masked = NAME(mask_buffer)(keep, sizes, t, T, H, &failed);
        for (int64_t r = 0; r < steps && !failed && t < sizes[r]; r++) {
            int64_t m = NAME(rows_of)(sizes, r, t, T);
            int64_t row = offsets[r] + t, prev = (r ? offsets[r - 1] : total) + t;
            const REAL *a = h + prev * H;
            int64_t lda = T * H;
            if (keep) {
                NAME(masked_rows)(m, H, a, lda, keep + t * H, T * H, masked, H);
                a = masked;
                lda = H;
            }
            NAME(gemm)(m, H, G, a, lda, packed, z + row * G, T * G, 1);
            for (int64_t i = 0; i < m; i++)
                step(cell, row + i * T, prev + i * T);
        }
        free(masked);
    }
    free(packed);
    return failed ? -1 : 0;
}

/* Backward over all packed steps, last first: ``step`` on each row (z → dz), then
 * dh[rows of step r − 1] += dz · Uᵀ (⊙ keep). Returns 0, or -1 when out of memory. */
static int NAME(loop_backward)(int64_t steps, const int64_t *sizes, const int64_t *offsets,
                               int64_t H, int64_t G, REAL *z, REAL *dh,
                               const REAL *recurrent_kernel, const REAL *keep,
                               NAME(row_step) step, const void *cell)
{
    if (steps == 0)
        return 0;
    int64_t total = offsets[steps];
    /* Uᵀ (G × H): element (k, n) is recurrent_kernel[n][k] */
    REAL *packed = NAME(packed_copy)(recurrent_kernel, G, H, 1, G);
    if (!packed)
        return -1;
    int failed = 0, threads = thread_count(sizes[0]);
#pragma omp parallel num_threads(threads) reduction(|| : failed)
    {
        int64_t t = thread_index(), T = threads;
        REAL *scratch = NAME(mask_buffer)(keep, sizes, t, T, H, &failed);
        for (int64_t r = steps - 1; r >= 0 && !failed; r--) {
            int64_t m = NAME(rows_of)(sizes, r, t, T);
            int64_t row = offsets[r] + t, prev = (r ? offsets[r - 1] : total) + t;
            for (int64_t i = 0; i < m; i++)
                step(cell, row + i * T, prev + i * T);
            if (keep) {
                NAME(gemm)(m, G, H, z + row * G, T * G, packed, scratch, H, 0);
                for (int64_t i = 0; i < m; i++)
                    for (int64_t u = 0; u < H; u++)
                        dh[(prev + i * T) * H + u] += scratch[i * H + u] * keep[(t + i * T) * H + u];
            } else {
                NAME(gemm)(m, G, H, z + row * G, T * G, packed, dh + prev * H, T * H, 1);
            }
        }
        free(scratch);
    }
    free(packed);
    return failed ? -1 : 0;
}
