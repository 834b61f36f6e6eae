/* Reductions along one row of n numbers for one element type (included by cpu_kernels.c
 * with REAL and SUFFIX defined; used by attention_typed.h and layer_norm_typed.h): VL
 * partial sums in a vector, added in a fixed order, so a row's result never depends on
 * the thread that computes it. */

/* The largest of x[0..n) (NaN ignored: it reaches the row through exp); −inf for none. */
static REAL NAME(row_max)(const REAL *x, int64_t n)
{
    NAME(vec) best = (NAME(vec)){0} - (REAL)INFINITY;
    int64_t s = 0;
    for (; s + VL <= n; s += VL) {
        NAME(vec) value = *(const NAME(uvec) *)(x + s);
        __typeof__(value > best) greater = value > best;
        best = (NAME(vec))(((__typeof__(greater))value & greater)
                           | ((__typeof__(greater))best & ~greater));
    }
    REAL most = -(REAL)INFINITY;
    for (int64_t j = 0; j < VL; j++)
        most = best[j] > most ? best[j] : most;
    for (; s < n; s++)
        most = x[s] > most ? x[s] : most;
    return most;
}

/* Σ x[0..n) ⊙ y[0..n). */
static REAL NAME(row_dot)(const REAL *x, const REAL *y, int64_t n)
{
    NAME(vec) total = {0};
    int64_t s = 0;
    for (; s + VL <= n; s += VL)
        total += *(const NAME(uvec) *)(x + s) * *(const NAME(uvec) *)(y + s);
    REAL sum = 0;
    for (int64_t j = 0; j < VL; j++)
        sum += total[j];
    for (; s < n; s++)
        sum += x[s] * y[s];
    return sum;
}

/* Σ x[0..n). */
static REAL NAME(row_sum)(const REAL *x, int64_t n)
{
    NAME(vec) total = {0};
    int64_t s = 0;
    for (; s + VL <= n; s += VL)
        total += *(const NAME(uvec) *)(x + s);
    REAL sum = 0;
    for (int64_t j = 0; j < VL; j++)
        sum += total[j];
    for (; s < n; s++)
        sum += x[s];
    return sum;
}
