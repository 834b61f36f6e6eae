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

/* The buffers of one LSTM call, for its row steps. */
struct NAME(lstm_buffers) {
    int64_t H;
    REAL *z, *h, *c, *tanh_c, *dh, *dc;
    const REAL *bias;
};

static void NAME(lstm_row_forward)(const void *buffers, int64_t cur, int64_t before)
{
    const struct NAME(lstm_buffers) *b = buffers;
    int64_t H = b->H;
    NAME(gates_forward)(H, b->z + cur * 4 * H, b->bias, b->c + before * H, b->c + cur * H,
                        b->tanh_c + cur * H, b->h + cur * H);
}

static void NAME(lstm_row_backward)(const void *buffers, int64_t cur, int64_t before)
{
    const struct NAME(lstm_buffers) *b = buffers;
    int64_t H = b->H;
    NAME(gates_backward)(H, b->z + cur * 4 * H, b->c + before * H, b->tanh_c + cur * H,
                         b->dh + cur * H, b->dc + cur * H, b->dc + before * H);
}

/* Forward over all packed steps; see compiled_lstm.py for the arguments.
 * Returns 0, or -1 when out of memory. */
int NAME(lstm_forward)(int64_t steps, const int64_t *sizes, const int64_t *offsets, int64_t H,
                       REAL *z, const REAL *bias, REAL *h, REAL *c, REAL *tanh_c,
                       const REAL *recurrent_kernel, const REAL *keep)
{
    struct NAME(lstm_buffers) buffers = {H, z, h, c, tanh_c, NULL, NULL, bias};
    return NAME(loop_forward)(steps, sizes, offsets, H, 4 * H, z, h, recurrent_kernel, keep,
                              NAME(lstm_row_forward), &buffers);
}

/* Backward over all packed steps, last first; see compiled_lstm.py.
 * Returns 0, or -1 when out of memory. */
int NAME(lstm_backward)(int64_t steps, const int64_t *sizes, const int64_t *offsets, int64_t H,
                        REAL *z, const REAL *c, const REAL *tanh_c, REAL *dh, REAL *dc,
                        const REAL *recurrent_kernel, const REAL *keep)
{
    struct NAME(lstm_buffers) buffers = {H, z, NULL, (REAL *)c, (REAL *)tanh_c, dh, dc, NULL};
    return NAME(loop_backward)(steps, sizes, offsets, H, 4 * H, z, dh, recurrent_kernel, keep,
                               NAME(lstm_row_backward), &buffers);
}
