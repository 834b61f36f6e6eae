/* The LSTM loop for one element type; included by lstm_loop.c with REAL (float
 * or double), SUFFIX (f32 or f64) and TANH defined.
 *
 * Shapes: P packed steps, N rows, H state size, k_r the rows running at packed
 * step r (non-increasing in r). Buffers are C-contiguous, gate column blocks in
 * the loop's order (i, f, o, g).
 */
#define CAT_(a, b) a##_##b
#define CAT(a, b) CAT_(a, b)
#define NAME(x) CAT(x, SUFFIX)
#define VL ((int64_t)(VBYTES / sizeof(REAL)))   /* elements per vector */
#define NR (NV * VL)                            /* columns of one micro-tile */

typedef REAL NAME(vec) __attribute__((vector_size(VBYTES)));
typedef REAL NAME(uvec) __attribute__((vector_size(VBYTES), aligned(sizeof(REAL))));

/* B (K × N, element (k, n) at b[k·sk + n·sn]) as panels of NR columns,
 * packed[p][k][0..NR), zeros past column N. NULL when out of memory. */
static REAL *NAME(pack_panels)(const REAL *b, int64_t K, int64_t N, int64_t sk, int64_t sn)
{
    int64_t panels = (N + NR - 1) / NR;
    REAL *packed = malloc((size_t)(panels * K * NR) * sizeof(REAL));
    if (!packed)
        return NULL;
    for (int64_t p = 0; p < panels; p++)
        for (int64_t k = 0; k < K; k++)
            for (int64_t j = 0; j < NR; j++) {
                int64_t n = p * NR + j;
                packed[(p * K + k) * NR + j] = n < N ? b[k * sk + n * sn] : 0;
            }
    return packed;
}

/* C[i][0..nr) += Σ_k A[i][k] · panel[k][0..nr) for i < m ≤ MR. Inlined with a
 * constant m (see gemm) so the m × NV accumulators stay in registers. */
static inline __attribute__((always_inline)) void
NAME(tile)(int m, int64_t K, const REAL *a, int64_t lda, const REAL *panel,
           REAL *c, int64_t ldc, int64_t nr)
{
    NAME(vec) acc[MR][NV];
    for (int i = 0; i < m; i++)
        for (int v = 0; v < NV; v++)
            acc[i][v] = (NAME(vec)){0};
    for (int64_t k = 0; k < K; k++) {
        NAME(vec) b[NV];
        for (int v = 0; v < NV; v++)
            b[v] = *(const NAME(uvec) *)(panel + k * NR + v * VL);
        for (int i = 0; i < m; i++) {
            REAL s = a[i * lda + k];
            for (int v = 0; v < NV; v++)
                acc[i][v] += s * b[v];
        }
    }
    for (int i = 0; i < m; i++) {
        REAL *row = c + i * ldc;
        if (nr == NR) {
            for (int v = 0; v < NV; v++)
                *(NAME(uvec) *)(row + v * VL) += acc[i][v];
        } else {
            for (int64_t j = 0; j < nr; j++)
                row[j] += acc[i][j / VL][j % VL];
        }
    }
}

/* C (m × N, row stride ldc) += A (m × K, row stride lda) · B, B packed by pack_panels. */
static void NAME(gemm)(int64_t m, int64_t K, int64_t N, const REAL *a, int64_t lda,
                       const REAL *packed, REAL *c, int64_t ldc)
{
    for (int64_t p = 0; p * NR < N; p++) {
        const REAL *panel = packed + p * K * NR;
        int64_t nr = min64(NR, N - p * NR);
        REAL *cp = c + p * NR;
        for (int64_t i = 0; i < m; i += MR) {
            const REAL *ai = a + i * lda;
            REAL *ci = cp + i * ldc;
            switch (min64(MR, m - i)) {
            case 1: NAME(tile)(1, K, ai, lda, panel, ci, ldc, nr); break;
            case 2: NAME(tile)(2, K, ai, lda, panel, ci, ldc, nr); break;
            case 3: NAME(tile)(3, K, ai, lda, panel, ci, ldc, nr); break;
            case 4: NAME(tile)(4, K, ai, lda, panel, ci, ldc, nr); break;
            case 5: NAME(tile)(5, K, ai, lda, panel, ci, ldc, nr); break;
            case 6: NAME(tile)(6, K, ai, lda, panel, ci, ldc, nr); break;
            case 7: NAME(tile)(7, K, ai, lda, panel, ci, ldc, nr); break;
            default: NAME(tile)(8, K, ai, lda, panel, ci, ldc, nr); break;
            }
        }
    }
}

/* One row of a step: z (4H) pre-activations → activated gates (i, f, o, g);
 * c = f·c_prev + i·g, tanh_c = tanh(c), h = o·tanh_c. The i, f, o columns
 * of z are halved (σ(x) = ½·tanh(x/2) + ½, the ½ folded into the weights). */
static void NAME(gates_forward)(int64_t H, REAL *restrict z, const REAL *restrict c_prev,
                                REAL *restrict c, REAL *restrict tanh_c, REAL *restrict h)
{
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

/* dst[i] (row stride ld_dst) = src[i] (row stride ld_src) ⊙ keep[i] for m rows of H. */
static void NAME(masked_rows)(int64_t m, int64_t H, const REAL *src, int64_t ld_src,
                              const REAL *keep, int64_t ld_keep, REAL *dst, int64_t ld_dst)
{
    for (int64_t i = 0; i < m; i++)
        for (int64_t u = 0; u < H; u++)
            dst[i * ld_dst + u] = src[i * ld_src + u] * keep[i * ld_keep + u];
}

/* Forward over all packed steps; see compiled_lstm.py for the arguments.
 * Returns 0, or -1 when out of memory. */
int NAME(lstm_forward)(int64_t steps, const int64_t *sizes, const int64_t *offsets, int64_t H,
                       REAL *z, REAL *h, REAL *c, REAL *tanh_c, const REAL *recurrent_kernel,
                       const REAL *keep)
{
    if (steps == 0)
        return 0;
    int64_t total = offsets[steps], G = 4 * H;
    REAL *packed = NAME(pack_panels)(recurrent_kernel, H, G, G, 1);
    if (!packed)
        return -1;
    int failed = 0, threads = thread_count(sizes[0]);
#pragma omp parallel num_threads(threads) reduction(|| : failed)
    {
        int64_t t = thread_index(), T = threads, mine = (sizes[0] - t + T - 1) / T;
        REAL *masked = keep ? malloc((size_t)(mine * H) * sizeof(REAL)) : NULL;
        failed = keep && !masked;
        for (int64_t r = 0; r < steps && !failed && t < sizes[r]; r++) {
            int64_t m = (sizes[r] - t + T - 1) / T;       /* rows t, t + T, … below k_r */
            int64_t row = offsets[r] + t, prev = (r ? offsets[r - 1] : total) + t;
            const REAL *a = h + prev * H;
            int64_t lda = T * H;
            if (keep) {
                NAME(masked_rows)(m, H, a, lda, keep + t * H, T * H, masked, H);
                a = masked;
                lda = H;
            }
            NAME(gemm)(m, H, G, a, lda, packed, z + row * G, T * G);
            for (int64_t i = 0; i < m; i++) {
                int64_t cur = row + i * T, before = prev + i * T;
                NAME(gates_forward)(H, z + cur * G, c + before * H, c + cur * H,
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
    REAL *packed = NAME(pack_panels)(recurrent_kernel, G, H, 1, G);
    if (!packed)
        return -1;
    int failed = 0, threads = thread_count(sizes[0]);
#pragma omp parallel num_threads(threads) reduction(|| : failed)
    {
        int64_t t = thread_index(), T = threads, mine = (sizes[0] - t + T - 1) / T;
        REAL *scratch = keep ? malloc((size_t)(mine * H) * sizeof(REAL)) : NULL;
        failed = keep && !scratch;
        for (int64_t r = steps - 1; r >= 0 && !failed; r--) {
            if (t >= sizes[r])
                continue;
            int64_t m = (sizes[r] - t + T - 1) / T;
            int64_t row = offsets[r] + t, prev = (r ? offsets[r - 1] : total) + t;
            for (int64_t i = 0; i < m; i++) {
                int64_t cur = row + i * T, before = prev + i * T;
                NAME(gates_backward)(H, z + cur * G, c + before * H, tanh_c + cur * H,
                                     dh + cur * H, dc + cur * H, dc + before * H);
            }
            /* dh_prev += dz · Uᵀ (⊙ keep) */
            if (keep) {
                memset(scratch, 0, (size_t)(m * H) * sizeof(REAL));
                NAME(gemm)(m, G, H, z + row * G, T * G, packed, scratch, H);
                for (int64_t i = 0; i < m; i++)
                    for (int64_t u = 0; u < H; u++)
                        dh[(prev + i * T) * H + u] += scratch[i * H + u] * keep[(t + i * T) * H + u];
            } else {
                NAME(gemm)(m, G, H, z + row * G, T * G, packed, dh + prev * H, T * H);
            }
        }
        free(scratch);
    }
    free(packed);
    return failed ? -1 : 0;
}

#undef CAT_
#undef CAT
#undef NAME
#undef VL
#undef NR
