/* What the compiled recurrent loops (LSTM, GRU) share: which rows of a packed
 * step a thread owns, and the recurrent-dropout rows. Included by cpu_kernels.c
 * with REAL and SUFFIX defined. */
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

