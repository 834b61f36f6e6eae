/* The LSTM loop for one element type; included by cpu_kernels.c after
 * gemm_typed.h and loop_rows_typed.h, with REAL (float or double), SUFFIX (f32
 * or f64) and TANH defined.
 *
 * Shapes: P packed steps, N rows, H state size, k_r the rows running at packed
 * step r (non-increasing in r). Buffers are C-contiguous, gate column blocks in
 * the loop's order (i, f, o, g).
 */
/* One row of a step: z (4H) = x·W + h_prev·U, plus bias → activated gates
 * (i, f, o, g); c = f·c_prev + i·g, tanh_c = tanh(c), h = o·tanh_c. The i,
 * f, o columns of z are halved (σ(x) = ½·tanh(x/2) + ½, the ½ folded into
 * the weights). */
static void NAME(gates_forward)(int64_t H, REAL *restrict z, const REAL *restrict bias,
                                const REAL *restrict c_prev, REAL *restrict c,
                                REAL *restrict tanh_c, REAL *restrict h)
{
    for (int64_t u = 0; u < 4 * H; u++)
        z[u] += bias[u];
    TANH(z, 4 * H);
    for (int64_t u = 0; u < 3 * H; u++)
        z[u] = (REAL)0.5 * z[u] + (REAL)0.5;
    for (int64_t u = 0; u < H; u++)
        c[u] = z[H + u] * c_prev[u] + z[u] * z[3 * H + u];
    memcpy(tanh_c, c, (size_t)H * sizeof(REAL));
    TANH(tanh_c, H);
    for (int64_t u = 0; u < H; u++)
        h[u] = z[2 * H + u] * tanh_c[u];
}

/* One row of a step backwards: with dh, dc the gradients reaching h_t and c_t
 * from above and from step t + 1, dc += dh·o·(1 − tanh²c); dc_prev += dc·f;
 * z (activated gates) → dz = (dc·g, dc·c_prev, dh·tanh_c, dc·i) · slope, the
 * slope σ(1 − σ) on i, f, o and 1 − g² on g. */
static void NAME(gates_backward)(int64_t H, REAL *restrict z, const REAL *restrict c_prev,
                                 const REAL *restrict tanh_c, const REAL *restrict dh,
                                 REAL *restrict dc, REAL *restrict dc_prev)
{
    for (int64_t u = 0; u < H; u++) {
        REAL i = z[u], f = z[H + u], o = z[2 * H + u], g = z[3 * H + u], tc = tanh_c[u];
        REAL dcu = dc[u] + dh[u] * o * (1 - tc * tc);
        dc[u] = dcu;
        dc_prev[u] += dcu * f;
        z[u] = dcu * g * i * (1 - i);
        z[H + u] = dcu * c_prev[u] * f * (1 - f);
        z[2 * H + u] = dh[u] * tc * o * (1 - o);
        z[3 * H + u] = dcu * i * (1 - g * g);
    }
}

/* Forward over all packed steps; see compiled_lstm.py for the arguments.
 * Returns 0, or -1 when out of memory. */
int NAME(lstm_forward)(int64_t steps, const int64_t *sizes, const int64_t *offsets, int64_t H,
                       REAL *z, const REAL *bias, REAL *h, REAL *c, REAL *tanh_c,
                       const REAL *recurrent_kernel, const REAL *keep)
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
            for (int64_t i = 0; i < m; i++) {
                int64_t cur = row + i * T, before = prev + i * T;
                NAME(gates_forward)(H, z + cur * G, bias, c + before * H, c + cur * H,
                                    tanh_c + cur * H, h + cur * H);
            }
        }
        free(masked);
    }
    free(packed);
    return failed ? -1 : 0;
}

/* Backward over all packed steps, last first; see compiled_lstm.py.
 * Returns 0, or -1 when out of memory. */
int NAME(lstm_backward)(int64_t steps, const int64_t *sizes, const int64_t *offsets, int64_t H,
                        REAL *z, const REAL *c, const REAL *tanh_c, REAL *dh, REAL *dc,
                        const REAL *recurrent_kernel, const REAL *keep)
{
    if (steps == 0)
        return 0;
    int64_t total = offsets[steps], G = 4 * H;
    /* Uᵀ (4H × H): element (k, n) is recurrent_kernel[n][k] */
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
            for (int64_t i = 0; i < m; i++) {
                int64_t cur = row + i * T, before = prev + i * T;
                NAME(gates_backward)(H, z + cur * G, c + before * H, tanh_c + cur * H,
                                     dh + cur * H, dc + cur * H, dc + before * H);
            }
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

