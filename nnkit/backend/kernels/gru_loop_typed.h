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

/* The buffers of one GRU call, for its row steps. */
struct NAME(gru_buffers) {
    int64_t H;
    REAL *z, *h, *dh;
    const REAL *bias;
};

static void NAME(gru_row_forward)(const void *buffers, int64_t cur, int64_t before)
{
    const struct NAME(gru_buffers) *b = buffers;
    int64_t H = b->H;
    NAME(gru_gates_forward)(H, b->z + cur * 4 * H, b->bias, b->h + before * H, b->h + cur * H);
}

static void NAME(gru_row_backward)(const void *buffers, int64_t cur, int64_t before)
{
    const struct NAME(gru_buffers) *b = buffers;
    int64_t H = b->H;
    NAME(gru_gates_backward)(H, b->z + cur * 4 * H, b->h + before * H, b->dh + cur * H,
                             b->dh + before * H);
}

/* Forward over all packed steps; see compiled_gru.py. Returns 0, or -1 when out of memory. */
int NAME(gru_forward)(int64_t steps, const int64_t *sizes, const int64_t *offsets, int64_t H,
                      REAL *z, const REAL *bias, REAL *h, const REAL *recurrent_kernel,
                      const REAL *keep)
{
    struct NAME(gru_buffers) buffers = {H, z, h, NULL, bias};
    return NAME(loop_forward)(steps, sizes, offsets, H, 4 * H, z, h, recurrent_kernel, keep,
                              NAME(gru_row_forward), &buffers);
}

/* Backward over all packed steps, last first; see compiled_gru.py.
 * Returns 0, or -1 when out of memory. */
int NAME(gru_backward)(int64_t steps, const int64_t *sizes, const int64_t *offsets, int64_t H,
                       REAL *z, const REAL *h, REAL *dh, const REAL *recurrent_kernel,
                       const REAL *keep)
{
    struct NAME(gru_buffers) buffers = {H, z, (REAL *)h, dh, NULL};
    return NAME(loop_backward)(steps, sizes, offsets, H, 4 * H, z, dh, recurrent_kernel, keep,
                               NAME(gru_row_backward), &buffers);
}
