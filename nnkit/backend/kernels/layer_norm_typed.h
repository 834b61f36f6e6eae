/* Layer normalisation over the last axis for one element type (included by cpu_kernels.c
 * after row_reductions_typed.h, with REAL, SUFFIX and SQRT defined).
 *
 * For each of M rows x (D numbers): μ = Σx / D, σ² = Σ(x − μ)² / D (two passes, as
 * NumPy's mean and variance), inv = 1/√(σ² + ε), x̂ = (x − μ)·inv, y = γ ⊙ x̂ + β; and
 * backward, with g = γ ⊙ dy: dx = inv·(g − (Σg + x̂·Σ(g ⊙ x̂)) / D), what
 * nnkit/layers/normalization/standardize.py computes with NumPy. Rows are shared among
 * the threads (a row's numbers never depend on the thread count). gamma, beta: D numbers
 * or NULL (1, 0). Everything C-contiguous; x_hat and inv (M) are written when not NULL.
 */

static void NAME(layer_norm_row)(const REAL *x, int64_t D, const REAL *gamma, const REAL *beta,
                                 REAL epsilon, REAL *y, REAL *x_hat, REAL *inv_out)
{
    REAL mean = NAME(row_sum)(x, D) / (REAL)D, squares = 0;
    for (int64_t d = 0; d < D; d++)
        squares += (x[d] - mean) * (x[d] - mean);
    REAL inv = 1 / SQRT(squares / (REAL)D + epsilon);
    for (int64_t d = 0; d < D; d++) {
        REAL standard = (x[d] - mean) * inv;
        if (x_hat)
            x_hat[d] = standard;
        y[d] = (gamma ? gamma[d] * standard : standard) + (beta ? beta[d] : 0);
    }
    if (inv_out)
        *inv_out = inv;
}

void NAME(layer_norm_forward)(int64_t M, int64_t D, const REAL *x, const REAL *gamma,
                              const REAL *beta, REAL epsilon, REAL *y, REAL *x_hat, REAL *inv)
{
    int threads = thread_count(M * D < 32768 ? 1 : M);
#pragma omp parallel for num_threads(threads) schedule(static)
    for (int64_t i = 0; i < M; i++)
        NAME(layer_norm_row)(x + i * D, D, gamma, beta, epsilon, y + i * D,
                             x_hat ? x_hat + i * D : NULL, inv ? inv + i : NULL);
}

void NAME(layer_norm_backward)(int64_t M, int64_t D, const REAL *dy, const REAL *gamma,
                               const REAL *x_hat, const REAL *inv, REAL *dx)
{
    int threads = thread_count(M * D < 32768 ? 1 : M);
#pragma omp parallel for num_threads(threads) schedule(static)
    for (int64_t i = 0; i < M; i++) {
        const REAL *dy_row = dy + i * D, *x_hat_row = x_hat + i * D;
        REAL *g = dx + i * D;                  /* g = γ ⊙ dy, then dx in its place */
        for (int64_t d = 0; d < D; d++)
            g[d] = gamma ? gamma[d] * dy_row[d] : dy_row[d];
        REAL total = NAME(row_sum)(g, D), projected = NAME(row_dot)(g, x_hat_row, D);
        REAL scale = 1 / (REAL)D;
        for (int64_t d = 0; d < D; d++)
            g[d] = inv[i] * (g[d] - scale * (total + x_hat_row[d] * projected));
    }
}
