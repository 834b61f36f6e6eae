/* A bias added to every row and an activation applied, in place, in one pass, for one element
 * type (included by cpu_kernels.c with REAL and SUFFIX defined): the epilogue of Dense and of
 * attention's projections after their product, which NumPy runs as two or three array
 * passes (a row-broadcast add, then maximum(z, 0), itself without a SIMD loop for a scalar).
 *
 * z: M rows of U, C-contiguous; bias: U numbers or NULL; relu: 0 (linear) or 1. Rows are
 * shared among the threads (every number is computed alike on any thread). NaN stays NaN
 * (as NumPy's maximum). */
void NAME(bias_activation)(int64_t M, int64_t U, REAL *z, const REAL *bias, int relu)
{
    int threads = thread_count(M * U < 65536 ? 1 : M);
#pragma omp parallel for num_threads(threads) schedule(static)
    for (int64_t i = 0; i < M; i++) {
        REAL *row = z + i * U;
        if (bias)
            for (int64_t u = 0; u < U; u++)
                row[u] += bias[u];
        if (relu)
            for (int64_t u = 0; u < U; u++)
                row[u] = row[u] < 0 ? 0 : row[u];
    }
}
