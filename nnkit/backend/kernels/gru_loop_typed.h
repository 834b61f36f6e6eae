/* The GRU loop (reset_after, tanh candidate, sigmoid gates) for one element type;
 * included by cpu_kernels.c after gemm_typed.h and loop_rows_typed.h, with REAL,
 * SUFFIX and TANH defined.
 *
 * Shapes: P packed steps, N rows, H state size, k_r the rows running at packed
 * step r. z has four column blocks (update, reset, x·W_h, h·U_h) as GRUCell's
 * loop layout: the loop's recurrent kernel (H × 4H) is [U_z, U_r, 0, U_h].
 */
/* One row of a step: z = x·W + h_prev·U on entry; adds the bias, then
 * update, reset = σ(·) (σ(x) = ½·tanh(x/2) + ½), the candidate
 * ĥ = tanh(x·W_h + b_h + r ⊙ (h_prev·U_h + b'_h)) into block 2, and
 * h = ĥ + update ⊙ (h_prev − ĥ). Block 3 keeps h_prev·U_h + b'_h. */
static void NAME(gru_gates_forward)(int64_t H, REAL *restrict z, const REAL *restrict bias,
                                    const REAL *restrict h_prev, REAL *restrict h)
{
    for (int64_t u = 0; u < 4 * H; u++)
        z[u] += bias[u];
    for (int64_t u = 0; u < 2 * H; u++)
        z[u] *= (REAL)0.5;
    TANH(z, 2 * H);
    for (int64_t u = 0; u < 2 * H; u++)
        z[u] = (REAL)0.5 * z[u] + (REAL)0.5;
    for (int64_t u = 0; u < H; u++)
        z[2 * H + u] += z[H + u] * z[3 * H + u];
    TANH(z + 2 * H, H);
    for (int64_t u = 0; u < H; u++)
        h[u] = z[2 * H + u] + z[u] * (h_prev[u] - z[2 * H + u]);
}

/* One row of a step backwards, with dh the complete gradient reaching h_t:
 * dh_prev += dh·update; z (activated) → dz = (d_update·σ', d_reset·σ',
 * d_cand, d_cand·r) with d_update = dh·(h_prev − ĥ),
 * d_cand = dh·(1 − update)·(1 − ĥ²) and d_reset = d_cand·(h_prev·U_h + b'_h). */
static void NAME(gru_gates_backward)(int64_t H, REAL *restrict z, const REAL *restrict h_prev,
                                     const REAL *restrict dh, REAL *restrict dh_prev)
{
    for (int64_t u = 0; u < H; u++) {
        REAL up = z[u], r = z[H + u], cand = z[2 * H + u], recurrent = z[3 * H + u], d = dh[u];
        REAL d_cand = d * (1 - up) * (1 - cand * cand);
        dh_prev[u] += d * up;
        z[u] = d * (h_prev[u] - cand) * up * (1 - up);
        z[H + u] = d_cand * recurrent * r * (1 - r);
        z[2 * H + u] = d_cand;
        z[3 * H + u] = d_cand * r;
    }
}

/* Forward over all packed steps; see compiled_gru.py. Returns 0, or -1 when out of memory. */
int NAME(gru_forward)(int64_t steps, const int64_t *sizes, const int64_t *offsets, int64_t H,
                      REAL *z, const REAL *bias, REAL *h, const REAL *recurrent_kernel,
                      const REAL *keep)
{
    if (steps == 0)
        return 0;
    int64_t total = offsets[steps], G = 4 * H;
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
                NAME(gru_gates_forward)(H, z + (row + i * T) * G, bias, h + (prev + i * T) * H,
                                        h + (row + i * T) * H);
        }
        free(masked);
    }
    free(packed);
    return failed ? -1 : 0;
}

/* Backward over all packed steps, last first; see compiled_gru.py.
 * Returns 0, or -1 when out of memory. */
int NAME(gru_backward)(int64_t steps, const int64_t *sizes, const int64_t *offsets, int64_t H,
                       REAL *z, const REAL *h, REAL *dh, const REAL *recurrent_kernel,
                       const REAL *keep)
{
    if (steps == 0)
        return 0;
    int64_t total = offsets[steps], G = 4 * H;
    REAL *packed = NAME(packed_copy)(recurrent_kernel, G, H, 1, G);    /* Uᵀ (4H × H) */
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
                NAME(gru_gates_backward)(H, z + (row + i * T) * G, h + (prev + i * T) * H,
                                         dh + (row + i * T) * H, dh + (prev + i * T) * H);
            /* dh_prev += dz · Uᵀ (⊙ keep) */
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
