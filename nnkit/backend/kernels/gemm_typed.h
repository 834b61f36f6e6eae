/* Matrix products for one element type (included by cpu_kernels.c with REAL
 * and SUFFIX defined): C (m × N) (+)= A (m × K) · B (K × N).
 *
 * B is first copied into panels of NR columns (packed[p][k][0..NR)), so a
 * micro-tile of MR rows × NR columns streams one contiguous panel while its
 * MR·NV accumulators stay in vector registers. Why not the BLAS NumPy ships:
 * OpenBLAS runs its Haswell (AVX2) kernel on AVX-512 machines and packs B at
 * every call, which at the LSTM's per-step sizes costs more than the product.
 */
typedef REAL NAME(vec) __attribute__((vector_size(VBYTES)));
typedef REAL NAME(uvec) __attribute__((vector_size(VBYTES), aligned(sizeof(REAL))));

/* Panels [first, last) of B (K × N, element (k, n) at b[k·sk + n·sn]) into
 * packed[p − first][k][0..NR), zeros past column N. */
static void NAME(pack_panels)(const REAL *b, int64_t K, int64_t N, int64_t sk, int64_t sn,
                              int64_t first, int64_t last, REAL *packed)
{
    for (int64_t p = first; p < last; p++)
        for (int64_t k = 0; k < K; k++)
            for (int64_t j = 0; j < NR; j++) {
                int64_t n = p * NR + j;
                packed[((p - first) * K + k) * NR + j] = n < N ? b[k * sk + n * sn] : 0;
            }
}

static int64_t NAME(panel_count)(int64_t N) { return (N + NR - 1) / NR; }

/* B packed into a new buffer (free it), or NULL when out of memory. */
static REAL *NAME(packed_copy)(const REAL *b, int64_t K, int64_t N, int64_t sk, int64_t sn)
{
    int64_t panels = NAME(panel_count)(N);
    REAL *packed = malloc((size_t)(panels * K * NR) * sizeof(REAL));
    if (packed)
        NAME(pack_panels)(b, K, N, sk, sn, 0, panels, packed);
    return packed;
}

/* C[i][0..nr) (+)= Σ_k A[i][k] · panel[k][0..nr) for i < m ≤ MR, A[i][k] at
 * a[i·ars + k·acs]. Inlined with a constant m (see row_block) so the m × NV
 * accumulators stay in registers. KEEP_IN_REGISTER holds each vector of B in
 * a register: for m ≤ 4 GCC would otherwise reload it from memory for every
 * row's FMA, which halves the rate. */
static inline __attribute__((always_inline)) void
NAME(tile)(int m, int64_t K, const REAL *a, int64_t ars, int64_t acs, const REAL *panel,
           REAL *c, int64_t ldc, int64_t nr, int accumulate)
{
    NAME(vec) acc[MR][NV];
    for (int i = 0; i < m; i++) {
        for (int v = 0; v < NV; v++)
            acc[i][v] = (NAME(vec)){0};
        if (accumulate)  /* C's rows are read after the K loop: fetch them during it */
            for (int64_t line = 0; line < nr * (int64_t)sizeof(REAL); line += 64)
                __builtin_prefetch((const char *)(c + i * ldc) + line, 1);
    }
    for (int64_t k = 0; k < K; k++) {
        NAME(vec) b[NV];
        for (int v = 0; v < NV; v++) {
            b[v] = *(const NAME(uvec) *)(panel + k * NR + v * VL);
            KEEP_IN_REGISTER(b[v]);
        }
        for (int i = 0; i < m; i++) {
            REAL x = a[i * ars + k * acs];
            for (int v = 0; v < NV; v++)
                acc[i][v] += x * b[v];
        }
    }
    for (int i = 0; i < m; i++) {
        REAL *row = c + i * ldc;
        if (nr == NR) {
            for (int v = 0; v < NV; v++)
                *(NAME(uvec) *)(row + v * VL) = accumulate ? *(NAME(uvec) *)(row + v * VL) + acc[i][v]
                                                           : acc[i][v];
        } else {
            for (int64_t j = 0; j < nr; j++)
                row[j] = (accumulate ? row[j] : 0) + acc[i][j / VL][j % VL];
        }
    }
}

/* Rows [i, i + MR) (fewer at the end) of C against panels [p0, p1), packed
 * (K deep) from panel p0 on. */
static void NAME(row_block)(int64_t i, int64_t p0, int64_t p1, int64_t m, int64_t K, int64_t N,
                            const REAL *a, int64_t ars, int64_t acs, const REAL *packed,
                            REAL *c, int64_t ldc, int accumulate)
{
    const REAL *ai = a + i * ars;
    for (int64_t p = p0; p < p1; p++) {
        const REAL *panel = packed + (p - p0) * K * NR;
        int64_t nr = min64(NR, N - p * NR);
        REAL *ci = c + i * ldc + p * NR;
        switch (min64(MR, m - i)) {
        case 1: NAME(tile)(1, K, ai, ars, acs, panel, ci, ldc, nr, accumulate); break;
        case 2: NAME(tile)(2, K, ai, ars, acs, panel, ci, ldc, nr, accumulate); break;
        case 3: NAME(tile)(3, K, ai, ars, acs, panel, ci, ldc, nr, accumulate); break;
        case 4: NAME(tile)(4, K, ai, ars, acs, panel, ci, ldc, nr, accumulate); break;
        case 5: NAME(tile)(5, K, ai, ars, acs, panel, ci, ldc, nr, accumulate); break;
        case 6: NAME(tile)(6, K, ai, ars, acs, panel, ci, ldc, nr, accumulate); break;
        case 7: NAME(tile)(7, K, ai, ars, acs, panel, ci, ldc, nr, accumulate); break;
        default: NAME(tile)(MR, K, ai, ars, acs, panel, ci, ldc, nr, accumulate); break;
        }
    }
}

/* C (m × N, row stride ldc) = A (m × K, row stride lda) · B (packed), or +=
 * when accumulate, on this thread. */
static void NAME(gemm)(int64_t m, int64_t K, int64_t N, const REAL *a, int64_t lda,
                       const REAL *packed, REAL *c, int64_t ldc, int accumulate)
{
    for (int64_t i = 0; i < m; i += MR)
        NAME(row_block)(i, 0, NAME(panel_count)(N), m, K, N, a, lda, 1, packed, c, ldc,
                        accumulate);
}

/* C (m × N, C-contiguous rows of stride ldc) = A · B, with A[i][k] at
 * a[i·ars + k·acs] and B[k][n] at b[k·brs + n·bcs] (so either may be a
 * transposed view). Each OpenMP thread takes a share of the row
 * blocks (or of the panels, when there are more panels than row blocks) and
 * packs the panels it needs itself, so the threads never wait for each other.
 * K is taken in chunks of KC: a packed panel chunk stays in L1 while a row
 * block runs over it. Products under ~1 MFLOP run on the calling thread.
 * Returns 0, or -1 when out of memory. */
int NAME(matmul)(int64_t m, int64_t K, int64_t N, const REAL *a, int64_t ars, int64_t acs,
                 const REAL *b, int64_t brs, int64_t bcs, REAL *c, int64_t ldc)
{
    int64_t panels = NAME(panel_count)(N), blocks = (m + MR - 1) / MR, depth = min64(K, KC);
    int split_rows = blocks >= panels, failed = 0;
    int threads = thread_count(2 * m * K * N < 1000000 ? 1 : split_rows ? blocks : panels);
#pragma omp parallel num_threads(threads) reduction(|| : failed)
    {
        int64_t t = thread_index(), T = threads;
        int64_t i0 = split_rows ? blocks * t / T : 0, i1 = split_rows ? blocks * (t + 1) / T : blocks;
        int64_t p0 = split_rows ? 0 : panels * t / T, p1 = split_rows ? panels : panels * (t + 1) / T;
        REAL *packed = malloc((size_t)((p1 - p0) * depth * NR) * sizeof(REAL) + 1);
        failed = !packed;
        for (int64_t k0 = 0; k0 < K && !failed; k0 += KC) {
            int64_t kc = min64(KC, K - k0);
            NAME(pack_panels)(b + k0 * brs, kc, N, brs, bcs, p0, p1, packed);
            for (int64_t i = i0; i < i1; i++)
                NAME(row_block)(i * MR, p0, p1, m, kc, N, a + k0 * acs, ars, acs, packed, c, ldc,
                                k0 > 0);
        }
        free(packed);
    }
    return failed ? -1 : 0;
}
